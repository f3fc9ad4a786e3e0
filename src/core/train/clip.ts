/**
 * Global L2 gradient clipping with the semantics of torch 1.13 `clip_grad_norm_`:
 *
 *   total_norm = ‖[‖g₁‖, ‖g₂‖, …]‖          each norm a float32 tensor
 *   clip_coef  = max_norm / (total_norm + 1e-6)   (torch evaluates this as reciprocal() * max_norm)
 *   g *= min(clip_coef, 1)
 *
 * The norms reproduce torch's AVX2 CPU kernel: eight float32 lanes accumulating x·x with fused
 * multiply-adds, lanes summed left to right, the tail added one by one, sqrt rounded to float32.
 * That makes the logged `grad_norm` equal PyTorch's to the bit on such machines, where a double
 * accumulation would differ by up to ~1e-6 relative on large tensors.
 */

export interface ClipResult {
  /** The norm before clipping (what HF logs as `grad_norm`); NaN or ±Infinity when a gradient is not finite. */
  totalNorm: number;
  /** The factor the gradients were multiplied by (1 when no clipping was needed). */
  clipCoef: number;
  /** False when the norm is NaN/Inf: the gradients are then left untouched and the step must not be taken. */
  finite: boolean;
}

import { optimizerKernels } from './kernels/optimizerKernels';

const LANES = 8;

/** The float32 L2 norm of `values` as torch's CPU kernel computes it. */
export function torchNorm2(values: Float32Array): number {
  const kernels = optimizerKernels();
  if (!kernels) return torchNorm2Scalar(values);
  const vectorEnd = values.length - (values.length % LANES);
  return finishNorm(kernels.squareLanes(values, vectorEnd), values, vectorEnd);
}

/** torchNorm2 in plain JavaScript: the reference the WebAssembly lanes must equal bit for bit. */
export function torchNorm2Scalar(values: ArrayLike<number>): number {
  const fround = Math.fround;
  const n = values.length;
  const vectorEnd = n - (n % LANES);
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  for (let d = 0; d < vectorEnd; d += LANES) {
    const x0 = values[d]!, x1 = values[d + 1]!, x2 = values[d + 2]!, x3 = values[d + 3]!;
    const x4 = values[d + 4]!, x5 = values[d + 5]!, x6 = values[d + 6]!, x7 = values[d + 7]!;
    l0 = fround(l0 + x0 * x0);
    l1 = fround(l1 + x1 * x1);
    l2 = fround(l2 + x2 * x2);
    l3 = fround(l3 + x3 * x3);
    l4 = fround(l4 + x4 * x4);
    l5 = fround(l5 + x5 * x5);
    l6 = fround(l6 + x6 * x6);
    l7 = fround(l7 + x7 * x7);
  }
  return finishNorm([l0, l1, l2, l3, l4, l5, l6, l7], values, vectorEnd);
}

/** Lanes summed left to right, then the tail one by one, sqrt rounded to float32. */
function finishNorm(lanes: ArrayLike<number>, values: ArrayLike<number>, vectorEnd: number): number {
  const fround = Math.fround;
  let sum = lanes[0]!;
  for (let k = 1; k < LANES; k++) sum = fround(sum + lanes[k]!);
  for (let d = vectorEnd; d < values.length; d++) sum = fround(sum + values[d]! * values[d]!);
  return fround(Math.sqrt(sum));
}

/**
 * The global norm and torch's clip coefficient, without touching the gradients: the optimizer
 * applies the coefficient as it reads them (AdamW.step's gradScale), saving a pass over every value.
 */
export function clipCoefficient(grads: Iterable<Float32Array> | ReadonlyMap<string, Float32Array>, maxNorm: number): ClipResult {
  // Infinity: the norm alone (no clipping), e.g. for max_grad_norm 0.
  if (!(maxNorm > 0) || Number.isNaN(maxNorm)) throw new RangeError(`max_grad_norm must be a positive number, got ${maxNorm}`);
  const tensors = grads instanceof Map ? [...grads.values()] : [...(grads as Iterable<Float32Array>)];
  if (tensors.length === 0) return { totalNorm: 0, clipCoef: 1, finite: true };
  const totalNorm = torchNorm2Scalar(tensors.map(torchNorm2));
  if (!Number.isFinite(totalNorm)) return { totalNorm, clipCoef: Number.NaN, finite: false };
  const fround = Math.fround;
  const clipCoef = Math.min(fround(fround(1 / fround(totalNorm + fround(1e-6))) * fround(maxNorm)), 1.0);
  return { totalNorm, clipCoef, finite: true };
}

/**
 * Scales all gradients in place so that their global L2 norm is at most `maxNorm`; returns the norm
 * before clipping. Unlike torch, non-finite gradients are not multiplied by NaN: they are left as
 * they are and reported, so that the trainer can stop with a clear message.
 */
export function clipGradNorm(grads: Iterable<Float32Array> | ReadonlyMap<string, Float32Array>, maxNorm: number): ClipResult {
  const tensors = grads instanceof Map ? [...grads.values()] : [...(grads as Iterable<Float32Array>)];
  const result = clipCoefficient(tensors, maxNorm);
  // Multiplying by exactly 1 changes nothing, so the common no-clip case skips the pass.
  if (result.finite && result.clipCoef < 1) for (const g of tensors) for (let i = 0; i < g.length; i++) g[i] = g[i]! * result.clipCoef;
  return result;
}
