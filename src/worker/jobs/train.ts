import { ensureWritableFolder } from '../../core/util/writableFolder';
import * as path from 'node:path';
import { categoryProblem, spanProblem, type AnnotatedDocument, type Span, type TextCategories } from '../../core/data/annotation';
import { CATEGORY_EXAMPLE_UNITS } from '../../core/data/categoryExamples';
import { checkBaseModel } from '../../core/finetune/baseModelCheck';
import { resolveModel } from '../../core/runtime/hub/resolveModel';
import { ModelFolderError } from '../../core/runtime/modelFolder';
import { CancelledError } from '../../core/tasks/shared/forward';
import { SEGMENTATION_MODES } from '../../core/tasks/shared/segmentation';
import { scheduleOf } from '../../core/train/runSchedule';
import { learningRates, ScheduleError } from '../../core/train/schedules';
import { train, type TrainerEvent, type TrainLayers } from '../../core/train/trainer';
import {
  DEFAULT_TRAINING_ARGUMENTS, resolveTrainingArguments, TrainingArgumentsError, type TrainingArguments,
} from '../../core/train/trainingArguments';
import { BadRequestError, type HandlerOf, type JobContext } from '../jobHandler';
import type { TrainData, TrainDev, TrainPayload, TrainProgress } from '../jobKinds';
import { throttledDownloadProgress } from './modelInfo';
import { loadTrainData } from './trainData';
import { oneOf, optionalBoolean, optionalInteger, optionalString, record } from './validate';

function requiredString(value: unknown, what: string): string {
  const text = optionalString(value, what);
  if (!text || text.trim() === '') throw new BadRequestError(`${what} is required`);
  return text;
}

function absolutePath(value: unknown, what: string): string {
  const text = requiredString(value, what);
  if (!path.isAbsolute(text)) throw new BadRequestError(`${what} must be an absolute path, got ${JSON.stringify(text)}`);
  return text;
}

function document(value: unknown, index: number): AnnotatedDocument {
  const what = `data.documents[${index}]`;
  const raw = record(value, what);
  if (typeof raw.text !== 'string') throw new BadRequestError(`${what}.text must be a string`);
  const meta = record(raw.meta, `${what}.meta`);
  if (typeof meta.path !== 'string') throw new BadRequestError(`${what}.meta.path must be a string`);
  if (!Array.isArray(raw.spans)) throw new BadRequestError(`${what}.spans must be a list`);
  const spans = raw.spans.map((s, j): Span => {
    const span = record(s, `${what}.spans[${j}]`);
    const candidate = { start: span.start as number, end: span.end as number, label: span.label as string };
    const problem = spanProblem(raw.text as string, candidate);
    if (problem) throw new BadRequestError(`${meta.path}: span ${j}: ${problem.message}`);
    return candidate;
  });
  // Text categories: what classification trains from (see categoryExamples).
  if (raw.categories !== undefined && !Array.isArray(raw.categories)) throw new BadRequestError(`${what}.categories must be a list`);
  const categories = ((raw.categories as unknown[] | undefined) ?? []).map((c, j): TextCategories => {
    const decision = record(c, `${what}.categories[${j}]`);
    const candidate = {
      start: decision.start, end: decision.end, scope: decision.scope, options: decision.options, multiLabel: decision.multiLabel, accept: decision.accept,
    } as TextCategories;
    const problem = categoryProblem(raw.text as string, candidate);
    if (problem) throw new BadRequestError(`${meta.path}: category decision ${j}: ${problem}`);
    return { ...candidate, options: [...candidate.options], accept: [...candidate.accept] };
  });
  return { text: raw.text, spans, meta: { path: meta.path }, ...(categories.length > 0 ? { categories } : {}) };
}

function trainData(value: unknown): TrainData {
  const data = record(value, 'data');
  if (data.kind === 'documents') {
    if (!Array.isArray(data.documents)) throw new BadRequestError('data.documents must be a list');
    const unit = oneOf(data.unit, CATEGORY_EXAMPLE_UNITS, 'data.unit');
    return { kind: 'documents', documents: data.documents.map(document), segmentation: oneOf(data.segmentation, SEGMENTATION_MODES, 'data.segmentation'), ...(unit ? { unit } : {}) };
  }
  if (data.kind === 'file') return { kind: 'file', path: absolutePath(data.path, 'data.path') };
  throw new BadRequestError('data.kind must be documents or file');
}

function trainDev(value: unknown): TrainDev {
  const dev = record(value ?? { kind: 'none' }, 'dev');
  if (dev.kind === 'none') return { kind: 'none' };
  if (dev.kind === 'ratio') {
    if (typeof dev.ratio !== 'number' || !(dev.ratio >= 0 && dev.ratio < 1)) throw new BadRequestError(`dev.ratio must be a number in [0, 1), got ${JSON.stringify(dev.ratio)}`);
    return { kind: 'ratio', ratio: dev.ratio };
  }
  if (dev.kind === 'path') return { kind: 'path', path: absolutePath(dev.path, 'dev.path') };
  throw new BadRequestError('dev.kind must be none, ratio or path');
}

/** Only the TrainingArguments the trainer knows, checked with its own rules (messages name the HF argument). */
function trainingArgs(value: unknown): Partial<TrainingArguments> {
  const raw = record(value ?? {}, 'args');
  const args: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_TRAINING_ARGUMENTS)) if (Object.prototype.hasOwnProperty.call(raw, key) && raw[key] !== undefined) args[key] = raw[key];
  const unknown = Object.keys(raw).filter((key) => !(key in DEFAULT_TRAINING_ARGUMENTS));
  if (unknown.length > 0) throw new BadRequestError(`unknown training argument(s): ${unknown.join(', ')}`);
  try {
    const resolved = resolveTrainingArguments(args as Partial<TrainingArguments>);
    // The schedule's own parameters (num_cycles, lr_end...) are checked when its λ is built.
    learningRates(1, scheduleOf(resolved, Math.max(1, resolved.warmup_steps + 1)));
  } catch (error) {
    if (error instanceof TrainingArgumentsError || error instanceof ScheduleError) throw new BadRequestError(error.message);
    throw error;
  }
  return args as Partial<TrainingArguments>;
}

function trainLayers(value: unknown): TrainLayers {
  if (value === undefined || value === 'all') return 'all';
  if (value === 'head') return 'head';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw new BadRequestError(`trainLayers must be head, all or a number of top encoder layers, got ${JSON.stringify(value)}`);
}

/**
 * Pause/resume between optimizer steps: 'pause' makes the next waitIfPaused hold (and report
 * 'paused'), 'resume' lets it go on; a cancel while paused ends the job.
 */
class PauseGate {
  private paused = false;
  private wake: (() => void) | undefined;
  private pausedSince = 0;
  /** Milliseconds spent held, so the ETA leaves them out. */
  heldMs = 0;
  step = 0;

  constructor(private readonly context: JobContext<TrainProgress>) {
    context.onControl((action) => {
      if (action === 'pause') this.paused = true;
      else if (action === 'resume') {
        this.paused = false;
        this.wake?.();
      } else context.log('warn', `train job: unknown control action "${action}" ignored (pause, resume)`);
    });
  }

  readonly wait = async (): Promise<void> => {
    if (!this.paused) return;
    const { signal } = this.context;
    this.pausedSince = Date.now();
    this.context.progress({ phase: 'paused', step: this.step });
    try {
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(new CancelledError());
          return;
        }
        const onAbort = (): void => reject(new CancelledError());
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        if (!this.paused) this.wake();
      });
    } finally {
      this.wake = undefined;
      this.heldMs += Date.now() - this.pausedSince;
    }
    this.context.progress({ phase: 'resumed', step: this.step });
  };
}

async function resolveBaseModel(payload: TrainPayload, context: JobContext<TrainProgress>): Promise<string> {
  const resolved = await resolveModel(payload.model.reference, {
    weights: ['safetensors'],
    cacheDir: payload.model.hubCacheDir,
    endpoint: payload.model.endpoint,
    offline: payload.model.offline,
    signal: context.signal,
    onProgress: throttledDownloadProgress((progress) => context.progress(progress)),
  }).catch((error: unknown) => {
    // A local folder with only ONNX weights: say why training needs more than inference.
    if (error instanceof ModelFolderError && /none of the requested weights/.test(error.message)) {
      throw new ModelFolderError(error.file, `${payload.model.reference} has no model.safetensors: fine-tuning needs the weights as safetensors (an ONNX graph cannot be trained)`);
    }
    throw error;
  });
  return resolved.dir;
}

/** Fine-tuning (HF Trainer semantics, src/core/train/trainer.ts) with progress, pause/resume and cancel. */
export const trainJob: HandlerOf<'train'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const task = oneOf(body.task, ['ner', 'classify'] as const, 'task');
    if (!task) throw new BadRequestError('task is required (ner or classify)');
    const model = record(body.model, 'model');
    return {
      task,
      model: {
        reference: requiredString(model.reference, 'model.reference'),
        hubCacheDir: optionalString(model.hubCacheDir, 'model.hubCacheDir'),
        endpoint: optionalString(model.endpoint, 'model.endpoint'),
        offline: optionalBoolean(model.offline, 'model.offline'),
      },
      data: trainData(body.data),
      dev: trainDev(body.dev),
      args: trainingArgs(body.args),
      trainLayers: trainLayers(body.trainLayers),
      outputDir: absolutePath(body.outputDir, 'outputDir'),
      resumeFrom: body.resumeFrom === undefined ? undefined : absolutePath(body.resumeFrom, 'resumeFrom'),
      maxSteps: optionalInteger(body.maxSteps, 'maxSteps', 1),
      threads: optionalInteger(body.threads, 'threads', 0),
    };
  },

  async run(payload, context) {
    const gate = new PauseGate(context);
    context.progress({ phase: 'loading' });
    const modelDir = await resolveBaseModel(payload, context);
    const seed = payload.args.seed ?? DEFAULT_TRAINING_ARGUMENTS.seed;
    const data = await loadTrainData(payload.task, payload.data, payload.dev, seed);
    for (const note of data.notes) context.progress({ phase: 'info', message: note });
    const entityLabels = data.train.task === 'ner'
      ? [...new Set(data.train.sentences.flatMap((s) => s.tags.filter((t) => t !== 'O').map((t) => t.replace(/^[BI]-/, ''))))]
      : data.train.task === 'classify' ? [...new Set(data.train.examples.flatMap((e) => e.labels ?? [e.label]))] : [];
    const check = await checkBaseModel(modelDir, payload.task, entityLabels, payload.args.max_seq_length);
    if (check.errors.length > 0) throw new ModelFolderError(modelDir, check.errors.join(' '));
    await ensureWritableFolder(payload.outputDir);
    const trainExamples = data.train.task === 'ner' ? data.train.sentences.length : data.train.task === 'classify' ? data.train.examples.length : 0;
    const devExamples = !data.eval ? 0 : data.eval.task === 'ner' ? data.eval.sentences.length : data.eval.task === 'classify' ? data.eval.examples.length : 0;

    const onEvent = (event: TrainerEvent): void => {
      switch (event.type) {
        case 'info':
          context.progress({ phase: 'info', message: event.message });
          return;
        case 'start':
          context.progress({ phase: 'start', ...withoutType(event), trainExamples, devExamples });
          return;
        case 'log': {
          gate.step = event.step;
          const active = Math.max(1e-9, event.elapsed_s - gate.heldMs / 1000);
          const eta = event.elapsed_s > 0 ? (event.eta_s * active) / event.elapsed_s : event.eta_s;
          context.progress({ ...withoutType(event), phase: 'log', elapsed_s: active, eta_s: eta });
          return;
        }
        case 'eval':
          context.progress({ phase: 'eval', step: event.step, epoch: event.epoch, metrics: event.metrics });
          return;
        case 'checkpoint':
          context.progress({ phase: 'checkpoint', step: event.step, path: event.path });
          return;
        case 'best':
          context.progress({ phase: 'best', step: event.step, path: event.path, metric: event.metric, value: event.value });
          context.progress({ phase: 'info', message: `best checkpoint so far: ${event.path} (${event.metric} ${event.value.toPrecision(4)})` });
          return;
        case 'done':
          if (event.diskBytes !== undefined) {
            context.progress({ phase: 'info', message: `the run takes ${(event.diskBytes / 2 ** 20).toFixed(1)} MiB on disk${event.bestModelCheckpoint ? `; the final model is the best checkpoint, ${event.bestModelCheckpoint}` : ''}` });
          }
          return;
      }
    };
    const result = await train({
      task: payload.task,
      modelDir,
      train: data.train,
      eval: data.eval,
      outputDir: payload.outputDir,
      ...(data.problemType ? { problemType: data.problemType } : {}),
      args: payload.args,
      trainLayers: payload.trainLayers,
      resumeFrom: payload.resumeFrom,
      maxSteps: payload.maxSteps,
      threads: payload.threads,
      signal: context.signal,
      waitIfPaused: gate.wait,
      onEvent,
    });
    return {
      outputDir: result.outputDir,
      steps: result.steps,
      ...(result.metrics ? { metrics: result.metrics } : {}),
      ...(result.bestModelCheckpoint ? { bestModelCheckpoint: result.bestModelCheckpoint } : {}),
      diskBytes: result.diskBytes,
    };
  },
};

function withoutType<T extends { type: string }>(event: T): Omit<T, 'type'> {
  const { type: _type, ...rest } = event;
  return rest;
}
