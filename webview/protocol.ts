/*
 * The messages between the fine-tune panel (webview) and the extension host, and their validators.
 * Shared by both sides: each validates everything it receives, builds a fresh object holding only
 * the known fields (so unexpected keys, prototype tricks or oversized payloads never get through),
 * and throws MessageError naming the first thing that is wrong. Pure: no DOM, no Node.
 *
 * webview → host   ready            the page loaded (or reloaded after being hidden): send everything
 *                  fieldsChanged    the form changed (saved for the next session; the dataset summary follows the data fields)
 *                  start            start training with these fields (validated again by the host)
 *                  pause | resume | cancel
 *                  pick             open a file/folder dialog for a field
 *                  useForNer        point Recognize Entities at a listed checkpoint
 *                  export           copy a listed checkpoint to a folder the user picks
 *                  refreshDataset   read the annotations / data file again
 *                  useRunForNer     point Recognize Entities at a listed run's best model (runModelForNer)
 *                  deleteRun        delete a listed run's folder (the host asks first, and refuses while it trains)
 *                  openPanel        the sidebar status asks for the full panel in the editor area
 *                  problem          something went wrong inside the page (script error, CSP violation)
 * host → webview   state            everything the panel shows except the job
 *                  job              the training job as the host knows it (also after the panel was closed)
 *                  picked           the path chosen in a dialog
 */
import type { DatasetSummary, LabelCount } from '../src/core/finetune/types';
import { DEFAULT_FIELDS, FORM_FIELDS, type FormField, type FormFields } from './form';

export class MessageError extends Error {
  override name = 'MessageError';
}

// ---------------------------------------------------------------------------------------------
// Shapes

export type PickField = 'baseModel' | 'dataFile' | 'devPath';
export const PICK_FIELDS: readonly PickField[] = ['baseModel', 'dataFile', 'devPath'];

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'fieldsChanged'; fields: FormFields }
  | { type: 'start'; fields: FormFields }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'cancel' }
  | { type: 'pick'; field: PickField }
  | { type: 'useForNer'; path: string }
  | { type: 'export'; path: string }
  | { type: 'refreshDataset' }
  | { type: 'useRunForNer'; path: string }
  | { type: 'deleteRun'; path: string }
  | { type: 'openPanel' }
  | { type: 'problem'; text: string };

export type NoticeLevel = 'info' | 'warning' | 'error';
export interface Notice {
  level: NoticeLevel;
  text: string;
}

/** A model the base-model picker offers besides "bundled": checkpoints and final models of earlier runs. */
export interface ModelOption {
  label: string;
  path: string;
}

/** A run folder on disk (`.bert-lens/runs/<name>`), as the Runs list shows it. */
export interface RunView {
  name: string;
  /** Absolute folder path (the host only acts on paths it listed itself). */
  path: string;
  /** Bytes its files take (hard links once). */
  diskBytes: number;
  /** The best checkpoint's folder (training_log.json best_model_checkpoint), when it is still on disk. */
  bestCheckpoint: string | null;
  /** What "Use for NER" on this run points at; null when the run holds no model folder. */
  nerModel: string | null;
  /** Checkpoint folder names on disk, oldest step first. */
  checkpoints: string[];
  /** The run the training job is writing now: it cannot be deleted. */
  training: boolean;
}

export interface PanelState {
  /** null while there is nothing to summarise (no workspace, data file not chosen yet). */
  dataset: DatasetSummary | null;
  models: ModelOption[];
  /** The fields of the last session, for a fresh page (the page's own saved state wins). */
  fields: FormFields | null;
  notices: Notice[];
  /** What Recognize Entities uses now, e.g. "bundled (untrained demo)" or a checkpoint path. */
  nerModel: string;
  /** Runs on disk, newest first. */
  runs: RunView[];
}

export type JobStatus = 'idle' | 'starting' | 'running' | 'paused' | 'cancelling' | 'done' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['idle', 'starting', 'running', 'paused', 'cancelling', 'done', 'failed', 'cancelled'];

export interface LogPoint {
  step: number;
  epoch: number;
  loss: number;
  learning_rate: number;
  grad_norm: number;
}

export interface LabelScore {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalPoint {
  step: number;
  epoch: number;
  /** The task's main number: entity F1 (NER), accuracy (classification). */
  score: number;
  /** Overall metrics in display order (precision, recall, f1 / accuracy, macro_f1). */
  metrics: Array<{ name: string; value: number }>;
  perLabel: LabelScore[];
  /** Gold (rows) × predicted (columns) counts; null when the task has none or it is too large to send. */
  confusion: ConfusionView | null;
}

export interface ConfusionView {
  labels: string[];
  /** counts[gold][predicted] */
  counts: number[][];
}

export interface CheckpointView {
  step: number;
  /** Absolute folder path (the host only acts on paths it listed itself). */
  path: string;
  /** "checkpoint-40", or "final model". */
  name: string;
  final: boolean;
}

export interface JobView {
  status: JobStatus;
  task: 'ner' | 'classify' | null;
  outputDir: string | null;
  step: number;
  totalSteps: number;
  epoch: number;
  elapsedSeconds: number;
  /** null until the first step (no rate to extrapolate yet) and once the job ended. */
  etaSeconds: number | null;
  /** Step logs, thinned to at most MAX_CHART_POINTS evenly spread ones (the last is always kept). */
  log: LogPoint[];
  evals: EvalPoint[];
  checkpoints: CheckpointView[];
  /** Lines from the trainer: newly initialized weights, skipped records, resume notes. */
  messages: string[];
  error: string | null;
  /** Name of the main eval number: "f1" or "accuracy". */
  scoreName: string;
  /** The best checkpoint so far (metric_for_best_model), and its value. */
  best: { path: string; metric: string; value: number | null } | null;
  /** load_best_model_at_end of the job: the final model then holds the best checkpoint's weights. */
  loadBestAtEnd: boolean;
  /** The run's disk use when it finished. */
  diskBytes: number | null;
  /** The latest warning that dev scores keep falling (overfitting, a learning rate too high). */
  overfitting: string | null;
}

export type HostMessage =
  | { type: 'state'; state: PanelState }
  | { type: 'job'; job: JobView }
  | { type: 'picked'; field: PickField; path: string };

export const IDLE_JOB: JobView = {
  status: 'idle', task: null, outputDir: null, step: 0, totalSteps: 0, epoch: 0, elapsedSeconds: 0, etaSeconds: null,
  log: [], evals: [], checkpoints: [], messages: [], error: null, scoreName: 'f1',
  best: null, loadBestAtEnd: true, diskBytes: null, overfitting: null,
};

// ---------------------------------------------------------------------------------------------
// Limits: anything larger is not something the other side would send.

export const LIMITS = {
  text: 20_000,
  path: 4_096,
  field: 4_096,
  label: 1_000,
  /** Points of a chart series in one message. */
  chartPoints: 2_000,
  evals: 10_000,
  checkpoints: 10_000,
  labels: 10_000,
  messages: 500,
  notices: 100,
  models: 1_000,
  metrics: 50,
  runs: 1_000,
  /** Labels of a confusion matrix the panel draws (NER's BIO tags of 100 entity types fit). */
  confusionLabels: 201,
} as const;

export const MAX_CHART_POINTS = 1_000;

// ---------------------------------------------------------------------------------------------
// Validators

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MessageError(`${what} must be an object, got ${describe(value)}`);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new MessageError(`${what} must be a plain object`);
  return value as Json;
}

/** An own property only: `__proto__`, `constructor` and friends from the prototype never count. */
function own(object: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

function text(value: unknown, what: string, max: number = LIMITS.text): string {
  if (typeof value !== 'string') throw new MessageError(`${what} must be a string, got ${describe(value)}`);
  if (value.length > max) throw new MessageError(`${what} is longer than ${max} characters`);
  return value;
}

function nonEmptyText(value: unknown, what: string, max: number): string {
  const result = text(value, what, max);
  if (result.trim() === '') throw new MessageError(`${what} must not be empty`);
  return result;
}

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MessageError(`${what} must be a finite number, got ${describe(value)}`);
  return value;
}

function count(value: unknown, what: string): number {
  const result = finite(value, what);
  if (!Number.isSafeInteger(result) || result < 0) throw new MessageError(`${what} must be an integer ≥ 0, got ${describe(value)}`);
  return result;
}

function nullable<T>(value: unknown, read: (v: unknown) => T): T | null {
  return value === null ? null : read(value);
}

function list<T>(value: unknown, what: string, max: number, item: (v: unknown, what: string) => T): T[] {
  if (!Array.isArray(value)) throw new MessageError(`${what} must be a list, got ${describe(value)}`);
  if (value.length > max) throw new MessageError(`${what} has more than ${max} entries`);
  return value.map((v, i) => item(v, `${what}[${i}]`));
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new MessageError(`${what} must be one of ${allowed.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

export function parseFields(value: unknown, what = 'fields'): FormFields {
  const object = record(value, what);
  const fields = {} as FormFields;
  for (const key of FORM_FIELDS) fields[key as FormField] = text(own(object, key), `${what}.${key}`, LIMITS.field);
  return fields;
}

/**
 * Form fields saved by an earlier session (webview state, workspace state): a field that version did not
 * have yet takes its default, so an upgrade keeps what the person typed instead of discarding it all.
 */
export function parseSavedFields(value: unknown): FormFields {
  const object = record(value, 'saved fields');
  const completed: Record<string, unknown> = { ...DEFAULT_FIELDS };
  for (const key of FORM_FIELDS) if (own(object, key) !== undefined) completed[key] = own(object, key);
  return parseFields(completed, 'saved fields');
}

/** Checks a message the host received from the panel. */
export function parseWebviewMessage(raw: unknown): WebviewMessage {
  const message = record(raw, 'message');
  const type = own(message, 'type');
  switch (type) {
    case 'ready':
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'refreshDataset':
      return { type };
    case 'fieldsChanged':
    case 'start':
      return { type, fields: parseFields(own(message, 'fields')) };
    case 'pick':
      return { type, field: oneOf(own(message, 'field'), PICK_FIELDS, 'field') };
    case 'useForNer':
    case 'export':
    case 'useRunForNer':
    case 'deleteRun':
      return { type, path: nonEmptyText(own(message, 'path'), 'path', LIMITS.path) };
    case 'openPanel':
      return { type };
    case 'problem':
      return { type, text: text(own(message, 'text'), 'text') };
    default:
      throw new MessageError(`unknown message type ${describe(type)}`);
  }
}

function labelCount(value: unknown, what: string): LabelCount {
  const object = record(value, what);
  return { label: text(own(object, 'label'), `${what}.label`, LIMITS.label), count: count(own(object, 'count'), `${what}.count`) };
}

function datasetSummary(value: unknown, what: string): DatasetSummary {
  const object = record(value, what);
  return {
    task: oneOf(own(object, 'task'), ['ner', 'classify'] as const, `${what}.task`),
    source: text(own(object, 'source'), `${what}.source`, LIMITS.path),
    documents: count(own(object, 'documents'), `${what}.documents`),
    examples: count(own(object, 'examples'), `${what}.examples`),
    labelCounts: list(own(object, 'labelCounts'), `${what}.labelCounts`, LIMITS.labels, labelCount),
    train: count(own(object, 'train'), `${what}.train`),
    dev: count(own(object, 'dev'), `${what}.dev`),
    warnings: list(own(object, 'warnings'), `${what}.warnings`, LIMITS.messages, (v, w) => text(v, w)),
    errors: list(own(object, 'errors'), `${what}.errors`, LIMITS.messages, (v, w) => text(v, w)),
  };
}

function notice(value: unknown, what: string): Notice {
  const object = record(value, what);
  return { level: oneOf(own(object, 'level'), ['info', 'warning', 'error'] as const, `${what}.level`), text: text(own(object, 'text'), `${what}.text`) };
}

function modelOption(value: unknown, what: string): ModelOption {
  const object = record(value, what);
  return { label: text(own(object, 'label'), `${what}.label`, LIMITS.path), path: nonEmptyText(own(object, 'path'), `${what}.path`, LIMITS.path) };
}

function panelState(value: unknown): PanelState {
  const object = record(value, 'state');
  return {
    dataset: nullable(own(object, 'dataset'), (v) => datasetSummary(v, 'state.dataset')),
    models: list(own(object, 'models'), 'state.models', LIMITS.models, modelOption),
    fields: nullable(own(object, 'fields'), (v) => parseFields(v, 'state.fields')),
    notices: list(own(object, 'notices'), 'state.notices', LIMITS.notices, notice),
    nerModel: text(own(object, 'nerModel'), 'state.nerModel', LIMITS.path),
    runs: list(own(object, 'runs'), 'state.runs', LIMITS.runs, runView),
  };
}

function runView(value: unknown, what: string): RunView {
  const object = record(value, what);
  const training = own(object, 'training');
  if (typeof training !== 'boolean') throw new MessageError(`${what}.training must be true or false`);
  return {
    name: text(own(object, 'name'), `${what}.name`, LIMITS.path),
    path: nonEmptyText(own(object, 'path'), `${what}.path`, LIMITS.path),
    diskBytes: count(own(object, 'diskBytes'), `${what}.diskBytes`),
    bestCheckpoint: nullable(own(object, 'bestCheckpoint'), (v) => nonEmptyText(v, `${what}.bestCheckpoint`, LIMITS.path)),
    nerModel: nullable(own(object, 'nerModel'), (v) => nonEmptyText(v, `${what}.nerModel`, LIMITS.path)),
    checkpoints: list(own(object, 'checkpoints'), `${what}.checkpoints`, LIMITS.checkpoints, (v, w) => text(v, w, LIMITS.path)),
    training,
  };
}

/** A square matrix of counts over at most LIMITS.confusionLabels labels. */
export function parseConfusion(value: unknown, what: string): ConfusionView {
  const object = record(value, what);
  const labels = list(own(object, 'labels'), `${what}.labels`, LIMITS.confusionLabels, (v, w) => text(v, w, LIMITS.label));
  const counts = list(own(object, 'counts'), `${what}.counts`, LIMITS.confusionLabels, (row, w) => list(row, w, LIMITS.confusionLabels, count));
  if (counts.length !== labels.length || counts.some((row) => row.length !== labels.length)) {
    throw new MessageError(`${what}.counts must be ${labels.length} × ${labels.length} (one row and one column per label)`);
  }
  return { labels, counts };
}

function logPoint(value: unknown, what: string): LogPoint {
  const object = record(value, what);
  return {
    step: count(own(object, 'step'), `${what}.step`),
    epoch: finite(own(object, 'epoch'), `${what}.epoch`),
    loss: finite(own(object, 'loss'), `${what}.loss`),
    learning_rate: finite(own(object, 'learning_rate'), `${what}.learning_rate`),
    grad_norm: finite(own(object, 'grad_norm'), `${what}.grad_norm`),
  };
}

function labelScore(value: unknown, what: string): LabelScore {
  const object = record(value, what);
  return {
    label: text(own(object, 'label'), `${what}.label`, LIMITS.label),
    precision: finite(own(object, 'precision'), `${what}.precision`),
    recall: finite(own(object, 'recall'), `${what}.recall`),
    f1: finite(own(object, 'f1'), `${what}.f1`),
    support: count(own(object, 'support'), `${what}.support`),
  };
}

function evalPoint(value: unknown, what: string): EvalPoint {
  const object = record(value, what);
  return {
    step: count(own(object, 'step'), `${what}.step`),
    epoch: finite(own(object, 'epoch'), `${what}.epoch`),
    score: finite(own(object, 'score'), `${what}.score`),
    metrics: list(own(object, 'metrics'), `${what}.metrics`, LIMITS.metrics, (v, w) => {
      const metric = record(v, w);
      return { name: text(own(metric, 'name'), `${w}.name`, LIMITS.label), value: finite(own(metric, 'value'), `${w}.value`) };
    }),
    perLabel: list(own(object, 'perLabel'), `${what}.perLabel`, LIMITS.labels, labelScore),
    confusion: nullable(own(object, 'confusion') ?? null, (v) => parseConfusion(v, `${what}.confusion`)),
  };
}

function checkpointView(value: unknown, what: string): CheckpointView {
  const object = record(value, what);
  const final = own(object, 'final');
  if (typeof final !== 'boolean') throw new MessageError(`${what}.final must be true or false`);
  return {
    step: count(own(object, 'step'), `${what}.step`),
    path: nonEmptyText(own(object, 'path'), `${what}.path`, LIMITS.path),
    name: text(own(object, 'name'), `${what}.name`, LIMITS.path),
    final,
  };
}

export function parseJobView(value: unknown): JobView {
  const object = record(value, 'job');
  return {
    status: oneOf(own(object, 'status'), JOB_STATUSES, 'job.status'),
    task: nullable(own(object, 'task'), (v) => oneOf(v, ['ner', 'classify'] as const, 'job.task')),
    outputDir: nullable(own(object, 'outputDir'), (v) => text(v, 'job.outputDir', LIMITS.path)),
    step: count(own(object, 'step'), 'job.step'),
    totalSteps: count(own(object, 'totalSteps'), 'job.totalSteps'),
    epoch: finite(own(object, 'epoch'), 'job.epoch'),
    elapsedSeconds: finite(own(object, 'elapsedSeconds'), 'job.elapsedSeconds'),
    etaSeconds: nullable(own(object, 'etaSeconds'), (v) => finite(v, 'job.etaSeconds')),
    log: list(own(object, 'log'), 'job.log', LIMITS.chartPoints, logPoint),
    evals: list(own(object, 'evals'), 'job.evals', LIMITS.evals, evalPoint),
    checkpoints: list(own(object, 'checkpoints'), 'job.checkpoints', LIMITS.checkpoints, checkpointView),
    messages: list(own(object, 'messages'), 'job.messages', LIMITS.messages, (v, w) => text(v, w)),
    error: nullable(own(object, 'error'), (v) => text(v, 'job.error')),
    scoreName: text(own(object, 'scoreName'), 'job.scoreName', LIMITS.label),
    best: nullable(own(object, 'best'), (v) => {
      const best = record(v, 'job.best');
      return {
        path: nonEmptyText(own(best, 'path'), 'job.best.path', LIMITS.path),
        metric: text(own(best, 'metric'), 'job.best.metric', LIMITS.label),
        value: nullable(own(best, 'value'), (n) => finite(n, 'job.best.value')),
      };
    }),
    loadBestAtEnd: own(object, 'loadBestAtEnd') === true,
    diskBytes: nullable(own(object, 'diskBytes'), (v) => count(v, 'job.diskBytes')),
    overfitting: nullable(own(object, 'overfitting'), (v) => text(v, 'job.overfitting')),
  };
}

/** Checks a message the panel received from the host. */
export function parseHostMessage(raw: unknown): HostMessage {
  const message = record(raw, 'message');
  const type = own(message, 'type');
  switch (type) {
    case 'state':
      return { type, state: panelState(own(message, 'state')) };
    case 'job':
      return { type, job: parseJobView(own(message, 'job')) };
    case 'picked':
      return { type, field: oneOf(own(message, 'field'), PICK_FIELDS, 'field'), path: nonEmptyText(own(message, 'path'), 'path', LIMITS.path) };
    default:
      throw new MessageError(`unknown message type ${describe(type)}`);
  }
}

/** At most `max` points, evenly spread over the run, the first and the last always among them. */
export function thinPoints<T>(points: readonly T[], max: number = MAX_CHART_POINTS): T[] {
  if (points.length <= max) return [...points];
  const result: T[] = [];
  for (let i = 0; i < max; i++) result.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return result;
}
