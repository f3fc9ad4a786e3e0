import type { Dim, Shape } from './graph';

/**
 * NumPy broadcasting of two static/symbolic shapes. Two different symbols are assumed equal at run
 * time (ORT checks it); a symbol against 1 gives the symbol, against a number gives the number.
 */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]!;
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]!;
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === 'number' && typeof db === 'number' && da !== db) {
      throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
    } else out.push(typeof da === 'number' ? da : db);
  }
  return out;
}

/** Axes of `outShape` along which a tensor of `inShape` was broadcast (for summing gradients back). */
export function broadcastAxes(inShape: Shape, outShape: Shape): { reduce: number[]; dropLeading: number } {
  const lead = outShape.length - inShape.length;
  const reduce: number[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (i < lead) reduce.push(i);
    else if (inShape[i - lead] === 1 && outShape[i] !== 1) reduce.push(i);
  }
  return { reduce, dropLeading: lead };
}

export function normalizeAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
