import { DEFAULT_NO_DECAY } from './noDecay';
import { isScheduleType, SCHEDULE_TYPES, type ScheduleType } from './schedules';

/** The HF TrainingArguments that BERT Lens honours, with HF's names and defaults (except weight_decay 0.01). */
export interface TrainingArguments {
  learning_rate: number;
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  lr_scheduler_type: ScheduleType;
  lr_scheduler_kwargs: { num_cycles?: number; power?: number; lr_end?: number; timescale?: number };
  warmup_steps: number;
  warmup_ratio: number;
  /** 0 disables clipping (the norm is still logged). */
  max_grad_norm: number;
  gradient_accumulation_steps: number;
  num_train_epochs: number;
  per_device_train_batch_size: number;
  per_device_eval_batch_size: number;
  seed: number;
  /** Parameter-name substrings that get no weight decay. */
  no_decay: string[];
  /** Save a checkpoint every N optimizer steps (0: only at the end of each epoch). */
  save_steps: number;
  /**
   * Keep at most N checkpoints (0: all), HF's rotation: the best checkpoint is never deleted, and a
   * limit of 1 keeps 2 while the best is not the last. BERT Lens default 2 (HF: None, all).
   */
  save_total_limit: number;
  /**
   * At the end, the final model gets the weights of the best checkpoint by metric_for_best_model
   * (needs evaluation data; checkpoints are then saved only at evaluations). BERT Lens default true.
   */
  load_best_model_at_end: boolean;
  /** An evaluation metric, with or without "eval_" (score: the task's main number, entity F1 / accuracy / QA F1). */
  metric_for_best_model: string;
  /** Unset: true unless metric_for_best_model ends with "loss" (as HF). */
  greater_is_better?: boolean;
  /** Evaluate every N steps (0: at the end of each epoch). */
  eval_steps: number;
  max_seq_length: number;
  /** Batches of rows of similar length (HF LengthGroupedSampler): less padding, faster epochs. */
  group_by_length: boolean;
}

export const DEFAULT_TRAINING_ARGUMENTS: TrainingArguments = {
  learning_rate: 5e-5,
  weight_decay: 0.01,
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  lr_scheduler_type: 'linear',
  lr_scheduler_kwargs: {},
  warmup_steps: 0,
  warmup_ratio: 0,
  max_grad_norm: 1.0,
  gradient_accumulation_steps: 1,
  num_train_epochs: 3,
  per_device_train_batch_size: 8,
  per_device_eval_batch_size: 32,
  seed: 42,
  no_decay: [...DEFAULT_NO_DECAY],
  save_steps: 0,
  save_total_limit: 2,
  load_best_model_at_end: true,
  metric_for_best_model: 'score',
  greater_is_better: undefined,
  eval_steps: 0,
  max_seq_length: 128,
  group_by_length: false,
};

export class TrainingArgumentsError extends Error {}

function positive(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new TrainingArgumentsError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

function nonNegative(name: string, value: number, integer = false): void {
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new TrainingArgumentsError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

/** Defaults filled in and every value checked, with messages that name the HF argument. */
export function resolveTrainingArguments(partial: Partial<TrainingArguments>): TrainingArguments {
  const args: TrainingArguments = { ...DEFAULT_TRAINING_ARGUMENTS, ...partial, lr_scheduler_kwargs: { ...(partial.lr_scheduler_kwargs ?? {}) } };
  positive('learning_rate', args.learning_rate);
  nonNegative('weight_decay', args.weight_decay);
  for (const [name, beta] of [['adam_beta1', args.adam_beta1], ['adam_beta2', args.adam_beta2]] as const) {
    if (!(beta >= 0 && beta < 1)) throw new TrainingArgumentsError(`${name} must be in [0, 1), got ${beta}`);
  }
  nonNegative('adam_epsilon', args.adam_epsilon);
  if (!isScheduleType(args.lr_scheduler_type)) {
    throw new TrainingArgumentsError(`lr_scheduler_type must be one of ${SCHEDULE_TYPES.join(', ')}, got "${String(args.lr_scheduler_type)}"`);
  }
  nonNegative('warmup_steps', args.warmup_steps, true);
  if (!(args.warmup_ratio >= 0 && args.warmup_ratio <= 1)) throw new TrainingArgumentsError(`warmup_ratio must be in [0, 1], got ${args.warmup_ratio}`);
  nonNegative('max_grad_norm', args.max_grad_norm);
  positive('gradient_accumulation_steps', args.gradient_accumulation_steps, true);
  positive('num_train_epochs', args.num_train_epochs);
  positive('per_device_train_batch_size', args.per_device_train_batch_size, true);
  positive('per_device_eval_batch_size', args.per_device_eval_batch_size, true);
  nonNegative('seed', args.seed, true);
  nonNegative('save_steps', args.save_steps, true);
  nonNegative('save_total_limit', args.save_total_limit, true);
  nonNegative('eval_steps', args.eval_steps, true);
  if (typeof args.load_best_model_at_end !== 'boolean') throw new TrainingArgumentsError(`load_best_model_at_end must be true or false, got ${String(args.load_best_model_at_end)}`);
  if (typeof args.metric_for_best_model !== 'string' || !args.metric_for_best_model.trim()) throw new TrainingArgumentsError(`metric_for_best_model must name an evaluation metric, got "${String(args.metric_for_best_model)}"`);
  if (args.greater_is_better !== undefined && typeof args.greater_is_better !== 'boolean') throw new TrainingArgumentsError(`greater_is_better must be true or false, got ${String(args.greater_is_better)}`);
  positive('max_seq_length', args.max_seq_length, true);
  if (args.max_seq_length < 3) throw new TrainingArgumentsError(`max_seq_length must leave room for [CLS], [SEP] and one token, got ${args.max_seq_length}`);
  if (typeof args.group_by_length !== 'boolean') throw new TrainingArgumentsError(`group_by_length must be true or false, got ${String(args.group_by_length)}`);
  return args;
}
