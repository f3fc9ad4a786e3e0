import { AdamW, groupParameters, type AdamWSnapshot } from './adamw';
import { allFinite, countNonFinite } from '../util/finite';
import { clipCoefficient } from './clip';
import { scheduleOf } from './runSchedule';
import { learningRateAt, type LearningRateOptions } from './schedules';
import type { TrainingArguments } from './trainingArguments';

export class NonFiniteError extends Error {}

export interface StepReport {
  /** 1-based optimizer step just taken. */
  step: number;
  /** The learning rate this update used: learning_rate × λ(step − 1). */
  learningRate: number;
  /** Global L2 norm of the accumulated gradients before clipping (what HF logs). */
  gradNorm: number;
}

/**
 * Gradient accumulation, clipping, AdamW and the learning-rate schedule, in the HF Trainer's
 * order: micro-batch gradients are scaled by 1/gradient_accumulation_steps and summed; then
 * clip_grad_norm_, optimizer.step() at lr(step), scheduler.step(), zero_grad.
 */
export class Optimization {
  /** The pending step's gradients. After one micro-batch they are the caller's arrays, never written. */
  private readonly accumulated = new Map<string, Float32Array>();
  private borrowed = false;
  private microBatches = 0;
  private stepsTaken: number;

  constructor(
    readonly params: Map<string, Float32Array>,
    private readonly args: TrainingArguments,
    readonly schedule: LearningRateOptions,
    private readonly optimizer: AdamW,
    stepsTaken = 0,
  ) {
    this.stepsTaken = stepsTaken;
  }

  static create(params: Map<string, Float32Array>, args: TrainingArguments, totalSteps: number): Optimization {
    const optimizer = new AdamW(params, {
      betas: [args.adam_beta1, args.adam_beta2],
      eps: args.adam_epsilon,
      groups: groupParameters(params.keys(), args.weight_decay, args.no_decay),
    });
    return new Optimization(params, args, scheduleOf(args, totalSteps), optimizer);
  }

  static restore(params: Map<string, Float32Array>, args: TrainingArguments, totalSteps: number, snapshot: AdamWSnapshot, stepsTaken: number): Optimization {
    return new Optimization(params, args, scheduleOf(args, totalSteps), AdamW.fromSnapshot(snapshot), stepsTaken);
  }

  get step(): number {
    return this.stepsTaken;
  }

  get pendingMicroBatches(): number {
    return this.microBatches;
  }

  /** Adds one micro-batch's gradients (of its mean loss). */
  accumulate(grads: ReadonlyMap<string, Float32Array>): void {
    const scale = 1 / this.args.gradient_accumulation_steps;
    // One micro-batch per step (the usual case): its gradients are used as they are, no copy.
    const borrow = scale === 1 && this.microBatches === 0;
    for (const [name, param] of this.params) {
      const grad = grads.get(name);
      if (!grad) throw new Error(`no gradient for ${name}`);
      if (grad.length !== param.length) throw new Error(`the gradient of ${name} has ${grad.length} values, the parameter ${param.length}`);
      if (borrow) {
        this.accumulated.set(name, grad);
        continue;
      }
      let sum = this.accumulated.get(name);
      if (!sum || this.borrowed) {
        sum = sum ? sum.slice() : new Float32Array(param.length);
        this.accumulated.set(name, sum);
      }
      for (let i = 0; i < sum.length; i++) sum[i]! += Math.fround(grad[i]! * scale);
    }
    this.borrowed = borrow;
    this.microBatches++;
  }

  /** Clips, updates the parameters and advances the schedule; throws NonFiniteError on NaN/Inf gradients. */
  apply(): StepReport {
    if (this.microBatches === 0) throw new Error('no gradients accumulated');
    const learningRate = learningRateAt(this.stepsTaken, this.schedule);
    // The norm is torch's either way; only with max_grad_norm > 0 does it scale the update.
    const clip = clipCoefficient(this.accumulated, this.args.max_grad_norm > 0 ? this.args.max_grad_norm : Infinity);
    const gradNorm = clip.totalNorm;
    if (!clip.finite) throw new NonFiniteError(`the gradient norm is ${gradNorm} at step ${this.stepsTaken + 1}`);
    this.optimizer.step(this.params, this.accumulated, learningRate, this.args.max_grad_norm > 0 ? clip.clipCoef : 1);
    this.stepsTaken++;
    // Finite gradients can still overflow the weights (a huge learning rate, clipping off): one pass
    // of additions over the updated tensors, so that no checkpoint of broken weights is ever written.
    for (const [name, param] of this.params) {
      if (!allFinite(param)) {
        throw new NonFiniteError(`the update of step ${this.stepsTaken} made ${countNonFinite(param)} of the ${param.length} values of ${name} NaN or infinite`);
      }
    }
    if (this.borrowed) this.accumulated.clear();
    else for (const sum of this.accumulated.values()) sum.fill(0);
    this.microBatches = 0;
    return { step: this.stepsTaken, learningRate, gradNorm };
  }

  snapshot(): AdamWSnapshot {
    return this.optimizer.snapshot();
  }
}
