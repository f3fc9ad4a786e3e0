import { type LearningRateOptions, warmupStepsFor } from './schedules';
import type { TrainingArguments } from './trainingArguments';

/**
 * The schedule of a run: HF λ functions with warmup from warmup_steps or ceil(warmup_ratio × total).
 * Kept apart from the optimizer so the webview's learning-rate preview bundles only this.
 */
export function scheduleOf(args: TrainingArguments, totalSteps: number): LearningRateOptions {
  const kwargs = args.lr_scheduler_kwargs;
  return {
    type: args.lr_scheduler_type,
    lr: args.learning_rate,
    numTrainingSteps: totalSteps,
    numWarmupSteps: warmupStepsFor(totalSteps, { warmupSteps: args.warmup_steps, warmupRatio: args.warmup_ratio }),
    numCycles: kwargs.num_cycles,
    power: kwargs.power,
    lrEnd: kwargs.lr_end,
    timescale: kwargs.timescale,
  };
}
