/*
 * The fine-tune panel's form: its fields as the user typed them (strings, so that a half-typed value
 * survives hiding the panel), their defaults (HF TrainingArguments names and values), and the one
 * parser that turns them into a training request. The webview runs it to show errors next to the
 * fields; the host runs it again on what arrives, and trusts nothing else. Pure: no DOM, no Node.
 */
import type { FinetuneTask } from '../src/core/finetune/types';
import { SCHEDULE_TYPES, type ScheduleType } from '../src/core/train/schedules';
import type { TrainingArguments } from '../src/core/train/trainingArguments';

export const FORM_FIELDS = [
  'task', 'baseModelKind', 'baseModel', 'dataSource', 'dataFile', 'categoryUnit', 'devKind', 'devRatio', 'devPath',
  'learning_rate', 'weight_decay', 'no_decay', 'num_train_epochs', 'per_device_train_batch_size', 'max_seq_length',
  'warmupKind', 'warmup_steps', 'warmup_ratio', 'lr_scheduler_type', 'num_cycles', 'power', 'lr_end', 'timescale',
  'max_grad_norm', 'group_by_length', 'trainLayers', 'topLayers', 'seed', 'save_steps',
  'save_total_limit', 'load_best_model_at_end', 'metric_for_best_model', 'greater_is_better',
] as const;

export type FormField = (typeof FORM_FIELDS)[number];
export type FormFields = Record<FormField, string>;
export type FieldErrors = Partial<Record<FormField, string>>;

export const TASKS: readonly FinetuneTask[] = ['ner', 'classify'];
export const BASE_MODEL_KINDS = ['bundled', 'folder', 'hub', 'checkpoint'] as const;
export type BaseModelKind = (typeof BASE_MODEL_KINDS)[number];
export const TRAIN_LAYER_KINDS = ['head', 'top', 'all'] as const;
export const DEV_KINDS = ['ratio', 'path', 'none'] as const;

/** HF defaults (weight_decay 0.01 as in the HF examples); blank schedule parameters mean "the schedule's default". */
export const DEFAULT_FIELDS: Readonly<FormFields> = {
  task: 'ner',
  baseModelKind: 'bundled',
  baseModel: '',
  dataSource: 'store',
  dataFile: '',
  categoryUnit: 'all',
  devKind: 'ratio',
  devRatio: '0.2',
  devPath: '',
  learning_rate: '5e-5',
  weight_decay: '0.01',
  no_decay: 'bias, LayerNorm.bias, LayerNorm.weight',
  num_train_epochs: '3',
  per_device_train_batch_size: '8',
  max_seq_length: '128',
  warmupKind: 'ratio',
  warmup_steps: '0',
  warmup_ratio: '0',
  lr_scheduler_type: 'linear',
  num_cycles: '',
  power: '',
  lr_end: '',
  timescale: '',
  max_grad_norm: '1.0',
  group_by_length: 'false',
  trainLayers: 'all',
  topLayers: '2',
  seed: '42',
  save_steps: '0',
  save_total_limit: '2',
  load_best_model_at_end: 'true',
  /** The trainer's "score": entity F1 (NER), accuracy (classification). */
  metric_for_best_model: 'score',
  /** 'auto': HF's rule (true unless the metric's name ends with "loss"). */
  greater_is_better: 'auto',
};

export const SCHEDULE_PARAMETER_FIELDS: readonly FormField[] = ['num_cycles', 'power', 'lr_end', 'timescale'];

/** The schedule parameters each lr_scheduler_type reads (HF get_scheduler); the panel shows only these. */
export function scheduleParameters(type: string): FormField[] {
  switch (type) {
    case 'cosine':
    case 'cosine_with_restarts':
      return ['num_cycles'];
    case 'polynomial':
      return ['power', 'lr_end'];
    case 'inverse_sqrt':
      return ['timescale'];
    default:
      return [];
  }
}

/** The schedule parameters' defaults, shown as placeholders. */
export function scheduleParameterDefault(type: string, field: FormField): string {
  if (field === 'num_cycles') return type === 'cosine_with_restarts' ? '1' : '0.5';
  if (field === 'power') return '1.0';
  if (field === 'lr_end') return '1e-7';
  if (field === 'timescale') return 'warmup steps, or 10000';
  return '';
}

export type TrainArguments = Pick<
  TrainingArguments,
  | 'learning_rate' | 'weight_decay' | 'no_decay' | 'num_train_epochs' | 'per_device_train_batch_size' | 'max_seq_length'
  | 'warmup_steps' | 'warmup_ratio' | 'lr_scheduler_type' | 'lr_scheduler_kwargs' | 'max_grad_norm' | 'seed' | 'save_steps'
  | 'group_by_length' | 'save_total_limit' | 'load_best_model_at_end' | 'metric_for_best_model' | 'greater_is_better'
>;

export type TrainLayersChoice = 'head' | 'all' | number;

/** Which text-category decisions become classification examples (see categoryExamples). */
export const CATEGORY_UNITS = ['all', 'paragraph', 'document'] as const;
export type CategoryUnit = (typeof CATEGORY_UNITS)[number];

export interface TrainRequest {
  task: FinetuneTask;
  /** 'bundled' has an empty value (the host knows the bundled folder of each task). */
  baseModel: { kind: BaseModelKind; value: string };
  /** `unit`: which text-category decisions a classification trains from (all when absent). */
  data: { kind: 'store'; unit?: CategoryUnit } | { kind: 'file'; path: string };
  dev: { kind: 'none' } | { kind: 'ratio'; ratio: number } | { kind: 'path'; path: string };
  args: TrainArguments;
  trainLayers: TrainLayersChoice;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** `owner/name` or `owner/name@revision`, the hub's repository id characters. */
/** A metric name as the trainer reports it (score, f1, eval_loss, macro_f1...). */
const METRIC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HUB_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+(@[\w./-]+)?$/;
export const MAX_SEED = 2 ** 32 - 1;

/** A decimal number as typed ("5e-5", "0.1", "3"); undefined for anything else (hex, Infinity, blanks). */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Checks every field and builds the request. Errors are keyed by field and name the HF argument;
 * a request comes back only when there are none.
 */
export function parseForm(fields: FormFields): { request?: TrainRequest; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const number = (field: FormField, check: (v: number) => boolean, rule: string, options: { integer?: boolean } = {}): number => {
    const value = parseNumber(fields[field]);
    if (value === undefined || (options.integer && !Number.isInteger(value)) || !check(value)) {
      errors[field] = `${field} must be ${options.integer ? 'an integer' : 'a number'} ${rule}`;
      return NaN;
    }
    return value;
  };
  const optional = (field: FormField, check: (v: number) => boolean, rule: string, options: { integer?: boolean } = {}): number | undefined =>
    fields[field].trim() === '' ? undefined : number(field, check, rule, options);
  const choice = <T extends string>(field: FormField, allowed: readonly T[]): T => {
    if (!(allowed as readonly string[]).includes(fields[field])) {
      errors[field] = `${field} must be one of ${allowed.join(', ')}`;
      return allowed[0]!;
    }
    return fields[field] as T;
  };
  const path = (field: FormField, what: string): string => {
    const value = fields[field].trim();
    if (value === '') errors[field] = `choose ${what}`;
    return value;
  };

  const task = choice('task', TASKS);
  const baseKind = choice('baseModelKind', BASE_MODEL_KINDS);
  let baseValue = '';
  if (baseKind === 'folder') baseValue = path('baseModel', 'a model folder');
  if (baseKind === 'checkpoint') baseValue = path('baseModel', 'a checkpoint');
  if (baseKind === 'hub') {
    baseValue = fields.baseModel.trim();
    if (!HUB_ID.test(baseValue)) errors.baseModel = 'a hub id reads owner/name or owner/name@revision, e.g. dslim/bert-base-NER';
  }

  const dataSource = choice('dataSource', ['store', 'file'] as const);
  let data: TrainRequest['data'] = dataSource === 'store' ? { kind: 'store' } : { kind: 'file', path: path('dataFile', 'a data file') };
  if (task === 'classify' && dataSource === 'store') {
    const unit = choice('categoryUnit', CATEGORY_UNITS);
    if (unit !== 'all') data = { kind: 'store', unit };
  }
  // Workspace annotations: NER trains from the spans, classification from the text categories (the
  // host's dataset summary says when there are none).

  const devKind = choice('devKind', DEV_KINDS);
  let dev: TrainRequest['dev'] = { kind: 'none' };
  if (devKind === 'ratio') {
    const ratio = number('devRatio', (v) => v >= 0 && v <= 0.9, 'from 0 to 0.9 (the share of examples held out for evaluation)');
    dev = ratio === 0 ? { kind: 'none' } : { kind: 'ratio', ratio };
  } else if (devKind === 'path') {
    dev = { kind: 'path', path: path('devPath', 'a dev file or folder') };
  }

  const learningRate = number('learning_rate', (v) => v > 0 && v <= 1, 'in (0, 1], e.g. 5e-5');
  const type = choice('lr_scheduler_type', SCHEDULE_TYPES) as ScheduleType;
  const kwargs: TrainArguments['lr_scheduler_kwargs'] = {};
  const relevant = scheduleParameters(type);
  if (relevant.includes('num_cycles')) {
    const cycles = type === 'cosine_with_restarts'
      ? optional('num_cycles', (v) => v >= 1, '≥ 1 for cosine_with_restarts', { integer: true })
      : optional('num_cycles', (v) => v >= 0, '≥ 0 (0.5: half a cosine wave)');
    if (cycles !== undefined) kwargs.num_cycles = cycles;
  }
  if (relevant.includes('power')) {
    const power = optional('power', (v) => v > 0, '> 0');
    if (power !== undefined) kwargs.power = power;
    const lrEnd = optional('lr_end', (v) => v >= 0, '≥ 0');
    if (lrEnd !== undefined) kwargs.lr_end = lrEnd;
    // HF raises when lr_end is not below the initial rate; say so next to the field instead.
    const end = lrEnd ?? 1e-7;
    if (!errors.learning_rate && !errors.lr_end && !(learningRate > end)) errors.lr_end = `lr_end (${end}) must be smaller than learning_rate (${learningRate})`;
  }
  if (relevant.includes('timescale')) {
    const timescale = optional('timescale', (v) => v > 0, '> 0');
    if (timescale !== undefined) kwargs.timescale = timescale;
  }

  const warmupKind = choice('warmupKind', ['ratio', 'steps'] as const);
  const warmupSteps = warmupKind === 'steps' ? number('warmup_steps', (v) => v >= 0, '≥ 0', { integer: true }) : 0;
  const warmupRatio = warmupKind === 'ratio' ? number('warmup_ratio', (v) => v >= 0 && v <= 1, 'from 0 to 1') : 0;

  const noDecay = fields.no_decay.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const layersKind = choice('trainLayers', TRAIN_LAYER_KINDS);
  const trainLayers: TrainLayersChoice = layersKind === 'top'
    ? number('topLayers', (v) => v >= 1 && v <= 1000, 'from 1 to the number of encoder layers', { integer: true })
    : layersKind;

  const greaterIsBetter = choice('greater_is_better', ['auto', 'true', 'false'] as const);
  const args: TrainArguments = {
    learning_rate: learningRate,
    weight_decay: number('weight_decay', (v) => v >= 0 && v <= 1, 'from 0 to 1'),
    no_decay: noDecay,
    num_train_epochs: number('num_train_epochs', (v) => v > 0 && v <= 10_000, '> 0 (fractions allowed)'),
    per_device_train_batch_size: number('per_device_train_batch_size', (v) => v >= 1 && v <= 4096, 'from 1 to 4096', { integer: true }),
    max_seq_length: number('max_seq_length', (v) => v >= 3 && v <= 8192, 'from 3 to 8192 ([CLS], [SEP] and a token)', { integer: true }),
    warmup_steps: warmupSteps,
    warmup_ratio: warmupRatio,
    lr_scheduler_type: type,
    lr_scheduler_kwargs: kwargs,
    max_grad_norm: number('max_grad_norm', (v) => v >= 0, '≥ 0 (0: no clipping)'),
    seed: number('seed', (v) => v >= 0 && v <= MAX_SEED, `from 0 to ${MAX_SEED}`, { integer: true }),
    save_steps: number('save_steps', (v) => v >= 0, '≥ 0 (0: a checkpoint at the end of each epoch)', { integer: true }),
    group_by_length: choice('group_by_length', ['false', 'true'] as const) === 'true',
    save_total_limit: number('save_total_limit', (v) => v >= 0 && v <= 10_000, '≥ 0 (0: keep every checkpoint)', { integer: true }),
    load_best_model_at_end: choice('load_best_model_at_end', ['true', 'false'] as const) === 'true',
    metric_for_best_model: fields.metric_for_best_model.trim(),
    greater_is_better: greaterIsBetter === 'auto' ? undefined : greaterIsBetter === 'true',
  };
  if (!METRIC_NAME.test(args.metric_for_best_model)) {
    errors.metric_for_best_model = 'metric_for_best_model must name an evaluation metric: score (F1 / accuracy), f1, precision, recall, accuracy, macro_f1, eval_loss';
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { request: { task, baseModel: { kind: baseKind, value: baseValue }, data, dev, args, trainLayers }, errors };
}
