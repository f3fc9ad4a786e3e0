/**
 * True when every value is finite. A float64 sum of float32 values cannot overflow (3.4·10³⁸ × 2⁵³
 * is far below 1.8·10³⁰⁸), so the sum is finite exactly when every term is: one pass of additions,
 * no branch per element.
 */
export function allFinite(values: Float32Array): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return Number.isFinite(sum);
}

export function countNonFinite(values: Float32Array): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) count++;
  return count;
}

/** The first tensor with a NaN or ±Infinity, with how many of its values are, or undefined. */
export function firstNonFinite(tensors: Iterable<[string, Float32Array]>): { name: string; count: number; size: number } | undefined {
  for (const [name, values] of tensors) {
    if (!allFinite(values)) return { name, count: countNonFinite(values), size: values.length };
  }
  return undefined;
}
