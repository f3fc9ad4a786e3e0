/*
 * The learning-rate preview: the very functions the trainer uses (resolveTrainingArguments,
 * scheduleOf, learningRates), bundled into the webview so the chart redraws on every keystroke
 * without a round trip to the host. Pure.
 */
import { scheduleOf } from '../src/core/train/runSchedule';
import { learningRates, MAX_LISTED_STEPS } from '../src/core/train/schedules';
import { resolveTrainingArguments } from '../src/core/train/trainingArguments';
import type { TrainArguments } from './form';

/** The trainer's step count: ceil(epochs × max(1, ceil(ceil(rows / batch) / accumulation))). */
export function totalTrainingSteps(trainRows: number, batchSize: number, epochs: number, accumulation = 1): number {
  const batchesPerEpoch = Math.ceil(trainRows / batchSize);
  const stepsPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / accumulation));
  return Math.ceil(epochs * stepsPerEpoch);
}

export interface LrPreview {
  /** learning_rate × λ(step) for steps 0..totalSteps-1, exactly what the optimizer will use. */
  rates: number[];
  totalSteps: number;
  warmupSteps: number;
}

/** Steps longer than this are not previewed point by point (the chart cannot show them anyway). */
export const MAX_PREVIEW_STEPS = MAX_LISTED_STEPS;

export function lrPreview(args: TrainArguments, trainRows: number): LrPreview {
  const resolved = resolveTrainingArguments(args);
  const totalSteps = totalTrainingSteps(Math.max(1, trainRows), resolved.per_device_train_batch_size, resolved.num_train_epochs, resolved.gradient_accumulation_steps);
  if (totalSteps > MAX_PREVIEW_STEPS) throw new RangeError(`${totalSteps} steps are too many to preview (at most ${MAX_PREVIEW_STEPS})`);
  const schedule = scheduleOf(resolved, totalSteps);
  return { rates: learningRates(totalSteps, schedule), totalSteps, warmupSteps: schedule.numWarmupSteps ?? 0 };
}
