/**
 * AdamW exactly as `torch.optim.AdamW` (torch 1.13 `_single_tensor_adamw`, amsgrad and maximize off),
 * in float32 with torch's operation order, so that runs agree with PyTorch step by step:
 *
 *   step += 1
 *   p  = p · (1 − lr·wd)                                  decoupled weight decay, before the moments
 *   m  = m·β1;  m = m + (1−β1)·g                          (torch's add_ is a fused multiply-add on AVX2)
 *   v  = v·β2;  v = v + ((1−β2)·g)·g                      (addcmul_, also fused)
 *   denom = sqrt(v) / sqrt(1−β2^step) + eps
 *   p  = p + (−lr/(1−β1^step) · m) / denom                (addcdiv_)
 *
 * Every scalar is rounded to float32 where torch casts it (`Scalar.to<float>()`), and every
 * intermediate is rounded to float32 with Math.fround. Plain float32 ops computed in double and rounded
 * once are exactly float32 ops; the two fused multiply-adds are emulated as fround(a + b·c), where the
 * product is exact in double and only the rare double rounding of the sum can differ from hardware FMA
 * by one float32 ulp (probability about 2⁻²⁹ per element).
 */

import { optimizerKernels, type AdamWScalars } from './kernels/optimizerKernels';
import { DEFAULT_NO_DECAY } from './noDecay';

export { DEFAULT_NO_DECAY };

export interface AdamWOptions {
  /** Decoupled weight decay of the decay group (HF Trainer `weight_decay`); default 0.01. */
  weightDecay?: number;
  /** Default [0.9, 0.999] (HF `adam_beta1`, `adam_beta2`). */
  betas?: readonly [number, number];
  /** Default 1e-8 (HF `adam_epsilon`). */
  eps?: number;
  /** A parameter whose name contains any of these substrings gets weight decay 0 (HF examples' `any(nd in n ...)`). */
  noDecay?: readonly string[];
  /** Explicit groups instead of weightDecay/noDecay; only the parameters they name are optimized. */
  groups?: readonly ParamGroup[];
}

export interface ParamGroup {
  weightDecay: number;
  /** Parameter names in the order they were given. */
  names: string[];
}

/** Everything needed to resume bit-identically; tensors are copies keyed `<param>.exp_avg` / `<param>.exp_avg_sq`. */
export interface AdamWSnapshot {
  betas: [number, number];
  eps: number;
  groups: ParamGroup[];
  /** Optimizer steps taken per parameter (torch keeps one counter per parameter); absent = never stepped. */
  steps: Record<string, number>;
  tensors: Map<string, Float32Array>;
}

export class OptimizerError extends Error {}

interface ParamState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  weightDecay: number;
}

/** Splits names into the decay group and the no-decay group, as the HF examples build optimizer groups. */
export function groupParameters(names: Iterable<string>, weightDecay = 0.01, noDecay: readonly string[] = DEFAULT_NO_DECAY): ParamGroup[] {
  const decay: string[] = [];
  const skip: string[] = [];
  for (const name of names) (noDecay.some((pattern) => name.includes(pattern)) ? skip : decay).push(name);
  return [
    { weightDecay, names: decay },
    { weightDecay: 0, names: skip },
  ];
}

function checkHyper(betas: readonly [number, number], eps: number, groups: readonly ParamGroup[]): void {
  for (const [i, beta] of betas.entries()) {
    if (!(beta >= 0 && beta < 1)) throw new OptimizerError(`beta${i + 1} must be in [0, 1), got ${beta}`);
  }
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new OptimizerError(`eps must be a finite number ≥ 0, got ${eps}`);
  for (const group of groups) {
    if (!(group.weightDecay >= 0) || !Number.isFinite(group.weightDecay)) {
      throw new OptimizerError(`weight_decay must be a finite number ≥ 0, got ${group.weightDecay}`);
    }
  }
}

export class AdamW {
  readonly betas: [number, number];
  readonly eps: number;
  readonly groups: ParamGroup[];
  private readonly state = new Map<string, ParamState>();

  /** `params` gives the names and sizes of the trainable parameters; moments start at zero. */
  constructor(params: ReadonlyMap<string, Float32Array>, options: AdamWOptions = {}) {
    this.betas = [...(options.betas ?? [0.9, 0.999])] as [number, number];
    this.eps = options.eps ?? 1e-8;
    this.groups = options.groups
      ? options.groups.map((g) => ({ weightDecay: g.weightDecay, names: [...g.names] }))
      : groupParameters(params.keys(), options.weightDecay ?? 0.01, options.noDecay ?? DEFAULT_NO_DECAY);
    checkHyper(this.betas, this.eps, this.groups);
    for (const group of this.groups) {
      for (const name of group.names) {
        const param = params.get(name);
        if (!param) throw new OptimizerError(`parameter group names ${name}, which is not a parameter`);
        if (this.state.has(name)) throw new OptimizerError(`${name} is in more than one parameter group`);
        this.state.set(name, { step: 0, expAvg: new Float32Array(param.length), expAvgSq: new Float32Array(param.length), weightDecay: group.weightDecay });
      }
    }
  }

  /** Restores an optimizer from `snapshot()` (copies the tensors, so the snapshot stays usable). */
  static fromSnapshot(snapshot: AdamWSnapshot): AdamW {
    const moments = new Map<string, Float32Array>();
    for (const group of snapshot.groups) {
      for (const name of group.names) {
        const expAvg = snapshot.tensors.get(`${name}.exp_avg`);
        const expAvgSq = snapshot.tensors.get(`${name}.exp_avg_sq`);
        if (!expAvg || !expAvgSq) throw new OptimizerError(`optimizer state lacks the moments of ${name}`);
        if (expAvg.length !== expAvgSq.length) throw new OptimizerError(`optimizer state of ${name}: moments differ in size`);
        moments.set(name, expAvg);
      }
    }
    const optimizer = new AdamW(moments, { betas: snapshot.betas, eps: snapshot.eps, groups: snapshot.groups });
    for (const [name, state] of optimizer.state) {
      const step = snapshot.steps[name] ?? 0;
      if (!Number.isInteger(step) || step < 0) throw new OptimizerError(`optimizer state of ${name}: bad step ${step}`);
      state.step = step;
      state.expAvg.set(snapshot.tensors.get(`${name}.exp_avg`)!);
      state.expAvgSq.set(snapshot.tensors.get(`${name}.exp_avg_sq`)!);
    }
    return optimizer;
  }

  /** Copies of the full state, for checkpoints. */
  snapshot(): AdamWSnapshot {
    const steps: Record<string, number> = {};
    const tensors = new Map<string, Float32Array>();
    for (const [name, state] of this.state) {
      if (state.step > 0) steps[name] = state.step;
      tensors.set(`${name}.exp_avg`, state.expAvg.slice());
      tensors.set(`${name}.exp_avg_sq`, state.expAvgSq.slice());
    }
    return { betas: [...this.betas], eps: this.eps, groups: this.groups.map((g) => ({ weightDecay: g.weightDecay, names: [...g.names] })), steps, tensors };
  }

  /** Steps taken by one parameter (0 before its first update). */
  stepOf(name: string): number {
    return this.state.get(name)?.step ?? 0;
  }

  /**
   * One optimizer step at learning rate `lr`, updating `params` in place. As torch skips parameters
   * whose `.grad` is None, a parameter absent from `grads` is left untouched (its step count too).
   * `gradScale` (clip_grad_norm_'s coefficient) multiplies each gradient value, in float32, as it is
   * read: the same as scaling the gradients first, without writing them.
   */
  step(params: ReadonlyMap<string, Float32Array>, grads: ReadonlyMap<string, Float32Array>, lr: number, gradScale = 1): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new OptimizerError(`learning rate must be a finite number ≥ 0, got ${lr}`);
    for (const name of grads.keys()) {
      if (!this.state.has(name)) throw new OptimizerError(`gradient for ${name}, which is not a parameter of this optimizer`);
    }
    for (const [name, state] of this.state) {
      const grad = grads.get(name);
      if (!grad) continue;
      const param = params.get(name);
      if (!param) throw new OptimizerError(`parameter ${name} is missing`);
      if (param.length !== state.expAvg.length || grad.length !== param.length) {
        throw new OptimizerError(`${name}: parameter has ${param.length} values, gradient ${grad.length}, optimizer state ${state.expAvg.length}`);
      }
      state.step += 1;
      this.update(param, grad, state, lr, gradScale);
    }
  }

  private update(param: Float32Array, grad: Float32Array, state: ParamState, lr: number, gradScale: number): void {
    const scalars = adamwScalars({ lr, weightDecay: state.weightDecay, betas: this.betas, eps: this.eps, step: state.step, gradScale });
    const kernels = optimizerKernels();
    if (kernels) kernels.adamw(param, grad, state.expAvg, state.expAvgSq, scalars);
    else adamwUpdateScalar(param, grad, state.expAvg, state.expAvgSq, scalars);
  }
}

/** The float32 scalars of update number `step` (1-based) of a tensor, rounded where torch rounds them. */
export function adamwScalars(o: { lr: number; weightDecay: number; betas: readonly [number, number]; eps: number; step: number; gradScale: number }): AdamWScalars {
  const fround = Math.fround;
  const [beta1, beta2] = o.betas;
  return {
    decay: fround(1 - o.lr * o.weightDecay),
    beta1: fround(beta1),
    beta2: fround(beta2),
    oneMinusBeta1: fround(1 - beta1),
    oneMinusBeta2: fround(1 - beta2),
    biasCorrection2Sqrt: fround(Math.sqrt(1 - beta2 ** o.step)),
    negStepSize: fround(-(o.lr / (1 - beta1 ** o.step))),
    eps: fround(o.eps),
    gradScale: fround(o.gradScale),
  };
}

/** The update of one tensor in plain JavaScript: the reference the WebAssembly kernel must equal bit for bit. */
export function adamwUpdateScalar(param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, s: AdamWScalars): void {
  const fround = Math.fround;
  const { decay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2Sqrt, negStepSize, eps, gradScale } = s;
  const n = param.length;
  for (let i = 0; i < n; i++) {
    const g = fround(grad[i]! * gradScale);
    const p = fround(param[i]! * decay);
    const m = fround(fround(expAvg[i]! * beta1) + oneMinusBeta1 * g);
    const v = fround(fround(expAvgSq[i]! * beta2) + fround(oneMinusBeta2 * g) * g);
    const denom = fround(fround(fround(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    expAvg[i] = m;
    expAvgSq[i] = v;
    param[i] = p + fround(fround(negStepSize * m) / denom);
  }
}
