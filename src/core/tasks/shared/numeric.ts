/**
 * Small numeric kernels shared by the task postprocessors. They work on typed-array slices so that
 * a million-token document costs no per-token allocation.
 */

/**
 * Writes softmax(src[srcStart .. srcStart+n)) into dst[dstStart ..), subtracting the maximum first as
 * HF pipelines do (`np.exp(logits - maxes) / sum`). NaN anywhere gives NaN everywhere, as in numpy.
 */
export function softmaxInto(
  src: ArrayLike<number>, srcStart: number, n: number, dst: Float64Array, dstStart: number,
): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[srcStart + i]!;
    if (v > max || v !== v) max = v;
    if (max !== max) break;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(src[srcStart + i]! - max);
    dst[dstStart + i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) dst[dstStart + i]! /= sum;
}

/** `np.argmax` on a slice: the first maximum, or the first NaN when there is one. */
export function argmaxSlice(values: ArrayLike<number>, start: number, n: number): number {
  let best = 0;
  let bestValue = values[start]!;
  if (bestValue !== bestValue) return 0;
  for (let i = 1; i < n; i++) {
    const v = values[start + i]!;
    if (v !== v) return i;
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** `np.max` on a slice: NaN propagates. */
export function maxSlice(values: ArrayLike<number>, start: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[start + i]!;
    if (v !== v) return NaN;
    if (v > max) max = v;
  }
  return max;
}

/** `np.nanmean`: the mean of the values that are not NaN; NaN when all are. */
export function nanMean(values: ArrayLike<number>, start: number, n: number): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[start + i]!;
    if (v === v) {
      sum += v;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}

/** HF `sigmoid(_outputs) = 1 / (1 + exp(-x))`. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Validates an optional count option (top_k, max_answer_len, ...): an integer ≥ min, or the default. */
export function integerOption(value: number | undefined, fallback: number, min: number, name: string, fail: (message: string) => Error): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) throw fail(`${name} must be an integer >= ${min}, got ${String(value)}`);
  return value;
}
