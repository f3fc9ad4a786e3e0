/**
 * Learning-rate schedules with the λ functions of HF `transformers/optimization.py`.
 *
 * As with torch's `LambdaLR`, the learning rate of optimizer step i (0-based) is `lr × λ(i)`.
 * The λ bodies below follow HF line by line (same operation order, same float arithmetic),
 * so that a preview, a trainer and a PyTorch run agree to the last bits.
 */

export const SCHEDULE_TYPES = [
  'constant',
  'constant_with_warmup',
  'linear',
  'cosine',
  'cosine_with_restarts',
  'polynomial',
  'inverse_sqrt',
] as const;

export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

export class ScheduleError extends Error {}

export interface ScheduleOptions {
  /** Steps of linear warmup from 0 to the base rate; default 0. */
  numWarmupSteps?: number;
  /** Total optimizer steps; required by linear, cosine, cosine_with_restarts and polynomial. */
  numTrainingSteps?: number;
  /** cosine: number of waves (default 0.5, a half cosine); cosine_with_restarts: integer restarts (default 1). */
  numCycles?: number;
  /** polynomial: exponent (default 1.0). */
  power?: number;
  /** polynomial: final learning rate (default 1e-7); must be below lrInit. */
  lrEnd?: number;
  /** polynomial: the optimizer's base learning rate, which HF's λ divides by. */
  lrInit?: number;
  /** inverse_sqrt: default numWarmupSteps, or 10 000 when there is no warmup (HF's `num_warmup_steps or 10_000`). */
  timescale?: number;
}

export interface LearningRateOptions extends ScheduleOptions {
  type: ScheduleType;
  /** Base learning rate (HF `learning_rate`); also lrInit for polynomial unless given. */
  lr: number;
}

export type LrLambda = (step: number) => number;

export function isScheduleType(name: string): name is ScheduleType {
  return (SCHEDULE_TYPES as readonly string[]).includes(name);
}

/** HF `TrainingArguments.get_warmup_steps`: explicit steps win when > 0, else ceil(ratio × total). */
export function warmupStepsFor(numTrainingSteps: number, options: { warmupSteps?: number; warmupRatio?: number }): number {
  const steps = options.warmupSteps ?? 0;
  const ratio = options.warmupRatio ?? 0;
  requireInteger('warmup_steps', steps, 0);
  requireInteger('num_training_steps', numTrainingSteps, 0);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new ScheduleError(`warmup_ratio must be in [0, 1], got ${ratio}`);
  return steps > 0 ? steps : Math.ceil(numTrainingSteps * ratio);
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new ScheduleError(`${name} must be an integer ≥ ${min}, got ${value}`);
}

function requirePositive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new ScheduleError(`${name} must be a positive number, got ${value}`);
}

function trainingSteps(type: ScheduleType, options: ScheduleOptions): number {
  const total = options.numTrainingSteps;
  if (total === undefined) throw new ScheduleError(`${type} schedule needs num_training_steps`);
  requireInteger('num_training_steps', total, 1);
  return total;
}

function warmupRamp(step: number, warmup: number): number {
  return step / Math.max(1, warmup);
}

/** The λ of HF's `get_scheduler(type, ...)`; validates the options once, up front. */
export function lambdaFor(type: ScheduleType, options: ScheduleOptions = {}): LrLambda {
  const warmup = options.numWarmupSteps ?? 0;
  requireInteger('num_warmup_steps', warmup, 0);
  switch (type) {
    case 'constant':
      return () => 1;
    case 'constant_with_warmup':
      return (step) => (step < warmup ? warmupRamp(step, warmup) : 1.0);
    case 'linear': {
      const total = trainingSteps(type, options);
      return (step) => (step < warmup ? warmupRamp(step, warmup) : Math.max(0.0, (total - step) / Math.max(1, total - warmup)));
    }
    case 'cosine': {
      const total = trainingSteps(type, options);
      const cycles = options.numCycles ?? 0.5;
      if (!Number.isFinite(cycles) || cycles < 0) throw new ScheduleError(`num_cycles must be a number ≥ 0, got ${cycles}`);
      return (step) => {
        if (step < warmup) return warmupRamp(step, warmup);
        const progress = (step - warmup) / Math.max(1, total - warmup);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress)));
      };
    }
    case 'cosine_with_restarts': {
      const total = trainingSteps(type, options);
      const cycles = options.numCycles ?? 1;
      if (!Number.isInteger(cycles) || cycles < 1) throw new ScheduleError(`num_cycles must be an integer ≥ 1 for cosine_with_restarts, got ${cycles}`);
      return (step) => {
        if (step < warmup) return warmupRamp(step, warmup);
        const progress = (step - warmup) / Math.max(1, total - warmup);
        if (progress >= 1.0) return 0.0;
        // progress ≥ 0 here, so JS % equals Python's float modulo.
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((cycles * progress) % 1.0))));
      };
    }
    case 'polynomial':
      return polynomialLambda(trainingSteps(type, options), warmup, options);
    case 'inverse_sqrt': {
      const timescale = options.timescale ?? (warmup || 10_000);
      requirePositive('timescale', timescale);
      const shift = timescale - warmup;
      return (step) => (step < warmup ? warmupRamp(step, warmup) : 1.0 / Math.sqrt((step + shift) / timescale));
    }
    default:
      throw new ScheduleError(`unknown schedule type "${String(type)}" (${SCHEDULE_TYPES.join(', ')})`);
  }
}

function polynomialLambda(total: number, warmup: number, options: ScheduleOptions): LrLambda {
  const lrEnd = options.lrEnd ?? 1e-7;
  const power = options.power ?? 1.0;
  const lrInit = options.lrInit;
  if (lrInit === undefined) throw new ScheduleError('polynomial schedule needs the initial learning rate (lr_init)');
  requirePositive('learning rate', lrInit);
  if (!Number.isFinite(lrEnd) || lrEnd < 0) throw new ScheduleError(`lr_end must be a number ≥ 0, got ${lrEnd}`);
  // HF: `if not (lr_init > lr_end): raise ValueError(...)`.
  if (!(lrInit > lrEnd)) throw new ScheduleError(`lr_end (${lrEnd}) must be smaller than initial lr (${lrInit})`);
  requirePositive('power', power);
  return (step) => {
    if (step < warmup) return warmupRamp(step, warmup);
    if (step > total) return lrEnd / lrInit;
    const lrRange = lrInit - lrEnd;
    const decaySteps = total - warmup;
    // Python raises ZeroDivisionError here; say why instead of returning NaN.
    if (decaySteps === 0) throw new ScheduleError(`polynomial schedule is undefined at step ${step} when num_warmup_steps equals num_training_steps`);
    const pctRemaining = 1 - (step - warmup) / decaySteps;
    const decay = lrRange * pctRemaining ** power + lrEnd;
    return decay / lrInit;
  };
}

function lambdaOf(options: LearningRateOptions): LrLambda {
  requirePositive('learning rate', options.lr);
  return lambdaFor(options.type, { ...options, lrInit: options.lrInit ?? options.lr });
}

/** Learning rate of optimizer step `step` (0-based): `lr × λ(step)`, as torch's LambdaLR. */
export function learningRateAt(step: number, options: LearningRateOptions): number {
  requireInteger('step', step, 0);
  return options.lr * lambdaOf(options)(step);
}

/** Learning rates of steps 0..n-1 (the CLI and the panel preview plot these). */
/** Listing a schedule point by point past this many steps exhausts memory and shows nothing more (CLI and panel preview). */
export const MAX_LISTED_STEPS = 1_000_000;

export function learningRates(n: number, options: LearningRateOptions): number[] {
  requireInteger('number of steps', n, 0);
  const lambda = lambdaOf(options);
  const rates = new Array<number>(n);
  for (let step = 0; step < n; step++) rates[step] = options.lr * lambda(step);
  return rates;
}
