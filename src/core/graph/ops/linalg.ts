import type { Value } from '../graph';
import { defineGrad } from '../gradRegistry';
import { broadcastShapes } from '../shapes';
import { emit } from './emit';
import { sumToShape } from './reduce';
import { concat, reshape, reshapeTo, shapeSlice, transpose } from './shape';

/** Batched matrix product with NumPy broadcasting of the leading dims (rank ≥ 2 on both sides). */
export function matmul(a: Value, b: Value): Value {
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error('matmul: both operands need rank ≥ 2');
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, a.shape[a.shape.length - 2]!, b.shape[b.shape.length - 1]!];
  return emit('MatMul', [a, b], {}, { shape });
}

/** 2-d general matrix product Y = alpha·op(A)·op(B) + beta·C, the shape MLAS runs fastest. */
export function gemm(a: Value, b: Value, c: Value | null, options: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number } = {}): Value {
  const m = options.transA ? a.shape[1]! : a.shape[0]!;
  const n = options.transB ? b.shape[0]! : b.shape[1]!;
  const attrs: Record<string, number | { float: number }> = { transA: options.transA ? 1 : 0, transB: options.transB ? 1 : 0 };
  if (options.alpha !== undefined) attrs.alpha = { float: options.alpha };
  if (options.beta !== undefined) attrs.beta = { float: options.beta };
  return emit('Gemm', c ? [a, b, c] : [a, b], attrs, { shape: [m, n] });
}

function swapLast2(x: Value): Value {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose(x, perm);
}

/**
 * HF nn.Linear: y = x·Wᵀ + b with W stored [out, in]. Leading dims are flattened so the product
 * runs as one Gemm, then restored from the run-time shape of x.
 */
export function linear(x: Value, weight: Value, bias: Value | null): Value {
  const outFeatures = weight.shape[0];
  if (typeof outFeatures !== 'number') throw new Error('linear: weight shape must be static');
  if (x.shape.length === 2) return gemm(x, weight, bias, { transB: true });
  const flat = reshape(x, [-1, x.shape[x.shape.length - 1] as number]);
  const y = gemm(flat, weight, bias, { transB: true });
  const outShape = concat([shapeSlice(x, 0, -1), x.graph.ints([outFeatures], 'features')], 0);
  return reshapeTo(y, outShape, [...x.shape.slice(0, -1), outFeatures]);
}

defineGrad('MatMul', (node, [g], needed) => {
  const [a, b] = node.inputs as Value[];
  let ga: Value | null = null;
  let gb: Value | null = null;
  if (needed[0]) ga = sumToShape(matmul(g!, swapLast2(b!)), a!);
  if (needed[1]) {
    if (b!.shape.length === 2 && a!.shape.length > 2) {
      // A weight shared across the batch: one [K, rows]·[rows, N] product instead of a batched one and a sum.
      const k = a!.shape[a!.shape.length - 1] as number;
      const n = g!.shape[g!.shape.length - 1] as number;
      gb = gemm(reshape(a!, [-1, k]), reshape(g!, [-1, n]), null, { transA: true });
    } else {
      gb = sumToShape(matmul(swapLast2(a!), g!), b!);
    }
  }
  return [ga, gb];
});

defineGrad('Gemm', (node, [g], needed) => {
  const [a, b, c] = node.inputs as Array<Value | null>;
  const transA = node.attrs.transA === 1;
  const transB = node.attrs.transB === 1;
  const alpha = (node.attrs.alpha as { float: number } | undefined)?.float ?? 1;
  const beta = (node.attrs.beta as { float: number } | undefined)?.float ?? 1;
  let ga: Value | null = null;
  let gb: Value | null = null;
  let gc: Value | null = null;
  // Y = alpha·op(A)·op(B): dop(A) = alpha·G·op(B)ᵀ, dop(B) = alpha·op(A)ᵀ·G.
  if (needed[0]) ga = transA ? gemm(b!, g!, null, { transA: transB, transB: true, alpha }) : gemm(g!, b!, null, { transB: !transB, alpha });
  if (needed[1]) gb = transB ? gemm(g!, a!, null, { transA: true, transB: transA, alpha }) : gemm(a!, g!, null, { transA: !transA, alpha });
  if (needed[2] && c) {
    const summed = sumToShape(g!, c);
    gc = beta === 1 ? summed : emit('Mul', [summed, g!.graph.scalar(beta, g!.dtype)]);
  }
  return [ga, gb, gc];
});
