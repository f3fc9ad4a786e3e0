import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { learningRates, warmupStepsFor, type ScheduleType } from '../../../src/core/train/schedules';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../../src/core/train/trainingArguments';
import { DEFAULT_FIELDS, parseForm, parseNumber, scheduleParameters, type FormFields } from '../../../webview/form';
import { lrPreview, totalTrainingSteps } from '../../../webview/lrPreview';

interface ReferenceCase {
  type: ScheduleType;
  lr: number;
  steps: number;
  options: { warmup_steps?: number; warmup_ratio?: number; num_cycles?: number; power?: number; lr_end?: number; timescale?: number };
  num_warmup_steps: number;
  lrs: number[];
}

// torch.optim.lr_scheduler.LambdaLR with HF's λ functions (scripts/reference/make_schedule_refs.py).
const reference = JSON.parse(readFileSync(join(__dirname, '../../fixtures/train/schedules.json'), 'utf8')) as { cases: ReferenceCase[] };

function fieldsOf(c: ReferenceCase): FormFields {
  const o = c.options;
  return {
    ...DEFAULT_FIELDS,
    learning_rate: String(c.lr),
    lr_scheduler_type: c.type,
    warmupKind: o.warmup_ratio !== undefined ? 'ratio' : 'steps',
    warmup_ratio: String(o.warmup_ratio ?? 0),
    warmup_steps: String(o.warmup_steps ?? 0),
    num_cycles: o.num_cycles === undefined ? '' : String(o.num_cycles),
    power: o.power === undefined ? '' : String(o.power),
    lr_end: o.lr_end === undefined ? '' : String(o.lr_end),
    timescale: o.timescale === undefined ? '' : String(o.timescale),
    // One example per step: the run has exactly c.steps optimizer steps.
    per_device_train_batch_size: '1',
    num_train_epochs: '1',
  };
}

describe('the form parser', () => {
  it('defaults are HF TrainingArguments defaults (weight_decay 0.01)', () => {
    const { request, errors } = parseForm(DEFAULT_FIELDS);
    expect(errors).toEqual({});
    const args = request!.args;
    for (const key of ['learning_rate', 'weight_decay', 'num_train_epochs', 'per_device_train_batch_size', 'max_seq_length', 'warmup_steps', 'warmup_ratio', 'lr_scheduler_type', 'max_grad_norm', 'seed', 'no_decay', 'group_by_length'] as const) {
      expect(args[key], key).toEqual(DEFAULT_TRAINING_ARGUMENTS[key]);
    }
    expect(request!.trainLayers).toBe('all');
    expect(request!.dev).toEqual({ kind: 'ratio', ratio: 0.2 });
    expect(request!.data).toEqual({ kind: 'store' });
  });

  it('reads numbers as typed and nothing else', () => {
    expect(parseNumber('5e-5')).toBe(5e-5);
    expect(parseNumber(' .5 ')).toBe(0.5);
    for (const bad of ['', '0x10', 'Infinity', 'NaN', '1e999', '5e', '1,5', '--1', '1 2']) expect(parseNumber(bad), bad).toBeUndefined();
  });

  it('names the HF argument of each bad field', () => {
    const { request, errors } = parseForm({
      ...DEFAULT_FIELDS, learning_rate: '0', weight_decay: '-1', num_train_epochs: 'three', per_device_train_batch_size: '2.5',
      max_seq_length: '2', warmup_ratio: '1.5', seed: '-3', max_grad_norm: 'x', save_steps: '1.5', lr_scheduler_type: 'exponential',
      group_by_length: 'yes',
    });
    expect(request).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['group_by_length', 'learning_rate', 'lr_scheduler_type', 'max_grad_norm', 'max_seq_length', 'num_train_epochs', 'per_device_train_batch_size', 'save_steps', 'seed', 'warmup_ratio', 'weight_decay']);
    expect(errors.learning_rate).toMatch(/^learning_rate must be a number/);
    expect(errors.per_device_train_batch_size).toMatch(/integer/);
  });

  it('checkpointing: save_total_limit 2, load_best_model_at_end, metric_for_best_model, greater_is_better (auto = unset, HF\'s rule)', () => {
    const defaults = parseForm(DEFAULT_FIELDS).request!.args;
    expect(defaults).toMatchObject({ save_total_limit: 2, load_best_model_at_end: true, metric_for_best_model: 'score' });
    expect(defaults.greater_is_better).toBeUndefined();
    for (const key of ['save_total_limit', 'load_best_model_at_end', 'metric_for_best_model', 'greater_is_better'] as const) expect(defaults[key], key).toEqual(DEFAULT_TRAINING_ARGUMENTS[key]);
    const typed = parseForm({ ...DEFAULT_FIELDS, save_total_limit: '1', load_best_model_at_end: 'false', metric_for_best_model: ' eval_loss ', greater_is_better: 'false' }).request!.args;
    expect(typed).toMatchObject({ save_total_limit: 1, load_best_model_at_end: false, metric_for_best_model: 'eval_loss', greater_is_better: false });
    expect(parseForm({ ...DEFAULT_FIELDS, greater_is_better: 'true' }).request!.args.greater_is_better).toBe(true);
    const { request, errors } = parseForm({ ...DEFAULT_FIELDS, save_total_limit: '-1', load_best_model_at_end: 'maybe', metric_for_best_model: 'f1 score', greater_is_better: 'yes' });
    expect(request).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['greater_is_better', 'load_best_model_at_end', 'metric_for_best_model', 'save_total_limit']);
    expect(errors.save_total_limit).toMatch(/^save_total_limit must be an integer ≥ 0/);
    expect(parseForm({ ...DEFAULT_FIELDS, metric_for_best_model: '' }).errors.metric_for_best_model).toMatch(/must name an evaluation metric/);
  });

  it('passes group_by_length through as a boolean', () => {
    expect(parseForm({ ...DEFAULT_FIELDS, group_by_length: 'true' }).request!.args.group_by_length).toBe(true);
    expect(parseForm({ ...DEFAULT_FIELDS, group_by_length: 'false' }).request!.args.group_by_length).toBe(false);
  });

  it('checks schedule parameters only for the schedule that reads them', () => {
    expect(scheduleParameters('linear')).toEqual([]);
    expect(scheduleParameters('polynomial')).toEqual(['power', 'lr_end']);
    // Garbage in an irrelevant field is ignored (it is hidden in the panel).
    expect(parseForm({ ...DEFAULT_FIELDS, lr_scheduler_type: 'linear', power: 'x' }).errors).toEqual({});
    expect(parseForm({ ...DEFAULT_FIELDS, lr_scheduler_type: 'cosine_with_restarts', num_cycles: '1.5' }).errors.num_cycles).toMatch(/integer/);
    expect(parseForm({ ...DEFAULT_FIELDS, lr_scheduler_type: 'cosine', num_cycles: '1.5' }).request!.args.lr_scheduler_kwargs).toEqual({ num_cycles: 1.5 });
    // HF raises when lr_end is not below the initial learning rate; the form says it first.
    expect(parseForm({ ...DEFAULT_FIELDS, lr_scheduler_type: 'polynomial', lr_end: '1e-4' }).errors.lr_end).toMatch(/smaller than learning_rate/);
    expect(parseForm({ ...DEFAULT_FIELDS, lr_scheduler_type: 'polynomial', learning_rate: '1e-8' }).errors.lr_end).toMatch(/1e-7/);
  });

  it('data, dev split, base model and train layers', () => {
    expect(parseForm({ ...DEFAULT_FIELDS, dataSource: 'file', dataFile: ' ' }).errors.dataFile).toMatch(/choose a data file/);
    // Classification trains from the workspace's text categories as NER from its spans.
    const classifyStore = parseForm({ ...DEFAULT_FIELDS, task: 'classify', dataSource: 'store' });
    expect(classifyStore.errors).toEqual({});
    expect(classifyStore.request!.task).toBe('classify');
    expect(classifyStore.request!.data).toEqual({ kind: 'store' });
    expect(parseForm({ ...DEFAULT_FIELDS, task: 'classify', dataSource: 'nowhere' }).errors.dataSource).toMatch(/one of store, file/);
    // Which decisions become examples: all (the default, not sent), paragraphs and selections, or whole documents.
    expect(DEFAULT_FIELDS.categoryUnit).toBe('all');
    expect(parseForm({ ...DEFAULT_FIELDS, task: 'classify', categoryUnit: 'paragraph' }).request!.data).toEqual({ kind: 'store', unit: 'paragraph' });
    expect(parseForm({ ...DEFAULT_FIELDS, task: 'classify', categoryUnit: 'document' }).request!.data).toEqual({ kind: 'store', unit: 'document' });
    expect(parseForm({ ...DEFAULT_FIELDS, task: 'classify', categoryUnit: 'sentence' }).errors.categoryUnit).toBe('categoryUnit must be one of all, paragraph, document');
    // Only classification from the store reads it.
    expect(parseForm({ ...DEFAULT_FIELDS, categoryUnit: 'sentence' }).errors).toEqual({});
    expect(parseForm({ ...DEFAULT_FIELDS, task: 'classify', dataSource: 'file', dataFile: 'a.tsv', categoryUnit: 'sentence' }).request!.data).toEqual({ kind: 'file', path: 'a.tsv' });
    expect(parseForm({ ...DEFAULT_FIELDS, devRatio: '0' }).request!.dev).toEqual({ kind: 'none' });
    expect(parseForm({ ...DEFAULT_FIELDS, devRatio: '0.95' }).errors.devRatio).toBeDefined();
    expect(parseForm({ ...DEFAULT_FIELDS, devKind: 'path', devPath: 'dev.conll' }).request!.dev).toEqual({ kind: 'path', path: 'dev.conll' });
    expect(parseForm({ ...DEFAULT_FIELDS, baseModelKind: 'hub', baseModel: 'dslim/bert-base-NER' }).request!.baseModel).toEqual({ kind: 'hub', value: 'dslim/bert-base-NER' });
    expect(parseForm({ ...DEFAULT_FIELDS, baseModelKind: 'hub', baseModel: '../../etc' }).errors.baseModel).toMatch(/owner\/name/);
    expect(parseForm({ ...DEFAULT_FIELDS, baseModelKind: 'folder', baseModel: '' }).errors.baseModel).toMatch(/model folder/);
    expect(parseForm({ ...DEFAULT_FIELDS, trainLayers: 'top', topLayers: '2' }).request!.trainLayers).toBe(2);
    expect(parseForm({ ...DEFAULT_FIELDS, trainLayers: 'top', topLayers: '0' }).errors.topLayers).toBeDefined();
    expect(parseForm({ ...DEFAULT_FIELDS, no_decay: ' bias ,, LayerNorm.weight ' }).request!.args.no_decay).toEqual(['bias', 'LayerNorm.weight']);
  });
});

describe('the learning-rate preview uses the training schedule', () => {
  it('step counts follow the trainer (ceil per epoch, fractional epochs)', () => {
    expect(totalTrainingSteps(100, 8, 3)).toBe(39);
    expect(totalTrainingSteps(100, 8, 0.5)).toBe(7);
    expect(totalTrainingSteps(1, 8, 2)).toBe(2);
    expect(totalTrainingSteps(100, 8, 1, 4)).toBe(4);
  });

  for (const c of reference.cases) {
    it(`matches PyTorch LambdaLR: ${c.type} ${c.steps} steps ${JSON.stringify(c.options)}`, () => {
      const { request, errors } = parseForm(fieldsOf(c));
      expect(errors).toEqual({});
      const preview = lrPreview(request!.args, c.steps);
      expect(preview.totalSteps).toBe(c.steps);
      expect(preview.warmupSteps).toBe(c.num_warmup_steps);
      expect(preview.rates).toHaveLength(c.lrs.length);
      preview.rates.forEach((rate, i) => expect(Math.abs(rate - c.lrs[i]!)).toBeLessThanOrEqual(1e-15 * Math.abs(c.lrs[i]!) + 1e-300));
      // And it is literally schedules.learningRates with the trainer's warmup rule.
      const o = c.options;
      expect(preview.rates).toEqual(learningRates(c.steps, {
        type: c.type, lr: c.lr, numTrainingSteps: c.steps,
        numWarmupSteps: warmupStepsFor(c.steps, { warmupSteps: o.warmup_steps, warmupRatio: o.warmup_ratio }),
        numCycles: o.num_cycles, power: o.power, lrEnd: o.lr_end, timescale: o.timescale,
      }));
    });
  }
});
