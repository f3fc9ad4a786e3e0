import * as path from 'node:path';
import { checkpointsToDelete } from '../../core/train/checkpointRotation';
import { isFallingScoreWarning } from '../../core/train/overfitting';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../core/train/trainingArguments';
import type { TrainJob, TrainPayload, TrainProgress } from '../../worker/jobKinds';
import type { JobHandle, WorkerClient } from '../workerClient';
import { JobError } from '../workerClient';
import {
  IDLE_JOB, LIMITS, thinPoints, type CheckpointView, type ConfusionView, type EvalPoint, type JobView, type LabelScore, type LogPoint,
} from '../../../webview/protocol';

export type LogLevel = 'info' | 'warn' | 'error';

export interface TrainingControllerOptions {
  /** The worker that runs training (created on first use). */
  client: () => Pick<WorkerClient, 'start'>;
  log?: (level: LogLevel, message: string) => void;
}

const MAX_MESSAGES = 200;
const ACTIVE = new Set<JobView['status']>(['starting', 'running', 'paused', 'cancelling']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const finiteOr = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);

/** The trainer's confusion matrix (core/train/confusionMatrix) when it is well-formed and small enough to draw. */
export function confusionOf(value: unknown): ConfusionView | null {
  if (!isRecord(value) || !Array.isArray(value.labels) || !Array.isArray(value.counts)) return null;
  const labels = value.labels;
  const counts = value.counts;
  if (labels.length === 0 || labels.length > LIMITS.confusionLabels || !labels.every((l) => typeof l === 'string' && l.length <= LIMITS.label)) return null;
  if (counts.length !== labels.length) return null;
  const rows: number[][] = [];
  for (const row of counts) {
    if (!Array.isArray(row) || row.length !== labels.length || !row.every((c) => Number.isSafeInteger(c) && (c as number) >= 0)) return null;
    rows.push([...(row as number[])]);
  }
  return { labels: [...(labels as string[])], counts: rows };
}

/** The trainer's eval metrics (unknown-typed per task) as the panel's table rows. */
export function evalPointOf(step: number, epoch: number, metrics: Record<string, unknown>): EvalPoint {
  const names = ['precision', 'recall', 'f1', 'accuracy', 'macro_f1', 'eval_loss', 'perplexity', 'exact_match', 'mse'];
  const overall = names.filter((n) => typeof metrics[n] === 'number' && Number.isFinite(metrics[n])).map((name) => ({ name, value: metrics[name] as number }));
  const perLabel: LabelScore[] = [];
  if (isRecord(metrics.per_label)) {
    for (const [label, scores] of Object.entries(metrics.per_label)) {
      if (!isRecord(scores)) continue;
      perLabel.push({
        label,
        precision: finiteOr(scores.precision, 0),
        recall: finiteOr(scores.recall, 0),
        f1: finiteOr(scores.f1, 0),
        support: Math.max(0, Math.round(finiteOr(scores.support, 0))),
      });
    }
  }
  return { step, epoch, score: finiteOr(metrics.score, 0), metrics: overall, perLabel, confusion: confusionOf(metrics.confusion) };
}

/**
 * The host's side of one training job at a time: starts it in the training worker, turns its
 * progress into the JobView the panel draws, and forwards Pause / Resume / Cancel. It lives as long
 * as the extension, not the panel: closing or hiding the panel changes nothing for the job, and a
 * panel that opens again gets the whole state from `view`.
 */
export class TrainingController {
  private job: JobView = { ...IDLE_JOB };
  private log: LogPoint[] = [];
  private handle: JobHandle<TrainJob['result']> | undefined;
  private readonly listeners = new Set<(job: JobView) => void>();
  /** Model folders this controller has listed (checkpoints, final models): the only paths the panel may act on. */
  private readonly known = new Set<string>();
  /** save_total_limit of the running job: the controller drops the checkpoints the trainer's rotation deletes. */
  private saveTotalLimit = DEFAULT_TRAINING_ARGUMENTS.save_total_limit;

  constructor(private readonly options: TrainingControllerOptions) {}

  get view(): JobView {
    return { ...this.job, log: thinPoints(this.log), evals: [...this.job.evals], checkpoints: [...this.job.checkpoints], messages: [...this.job.messages] };
  }

  get active(): boolean {
    return ACTIVE.has(this.job.status);
  }

  isKnownModel(dir: string): boolean {
    return this.known.has(path.resolve(dir));
  }

  onDidChange(listener: (job: JobView) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts a job; resolves when it ends (never rejects: failures end up in the view). */
  async start(payload: TrainPayload): Promise<JobView> {
    if (this.active) throw new Error('a training job is already running: cancel it first');
    this.log = [];
    this.saveTotalLimit = payload.args.save_total_limit ?? DEFAULT_TRAINING_ARGUMENTS.save_total_limit;
    this.job = {
      ...IDLE_JOB, status: 'starting', task: payload.task, outputDir: payload.outputDir, scoreName: payload.task === 'ner' ? 'f1' : 'accuracy',
      evals: [], checkpoints: [], messages: [], loadBestAtEnd: payload.args.load_best_model_at_end ?? DEFAULT_TRAINING_ARGUMENTS.load_best_model_at_end,
    };
    this.changed();
    const handle = this.options.client().start('train', payload, (progress) => this.onProgress(progress));
    this.handle = handle;
    try {
      const result = await handle.result;
      if (this.handle !== handle) return this.view;
      const step = result.steps;
      this.addCheckpoint({ step, path: result.outputDir, name: 'final model', final: true });
      // The result names the best checkpoint also when no 'best' event came in this session (a resumed run).
      const best = typeof result.bestModelCheckpoint === 'string' && this.job.best?.path !== result.bestModelCheckpoint
        ? { path: result.bestModelCheckpoint, metric: this.job.best?.metric ?? 'metric_for_best_model', value: null }
        : this.job.best;
      this.job = {
        ...this.job, status: 'done', step, etaSeconds: null, best,
        diskBytes: typeof result.diskBytes === 'number' && Number.isFinite(result.diskBytes) ? result.diskBytes : null,
      };
      this.options.log?.('info', `fine-tuning finished after ${step} steps: ${result.outputDir}`);
    } catch (error) {
      if (this.handle !== handle) return this.view;
      const cancelled = error instanceof JobError && error.cancelled;
      this.job = { ...this.job, status: cancelled ? 'cancelled' : 'failed', etaSeconds: null, error: cancelled ? null : (error as Error).message };
      this.options.log?.(cancelled ? 'info' : 'error', cancelled ? 'fine-tuning cancelled' : `fine-tuning failed: ${(error as Error).message}`);
    } finally {
      if (this.handle === handle) this.handle = undefined;
    }
    this.changed();
    return this.view;
  }

  pause(): void {
    if (this.job.status === 'running' || this.job.status === 'starting') this.handle?.control('pause');
  }

  resume(): void {
    if (this.job.status === 'paused' || this.job.status === 'running' || this.job.status === 'starting') this.handle?.control('resume');
  }

  cancel(): void {
    if (!this.handle || !this.active) return;
    this.handle.cancel();
    this.job = { ...this.job, status: 'cancelling' };
    this.changed();
  }

  dispose(): void {
    this.handle?.cancel();
    this.listeners.clear();
  }

  private addCheckpoint(checkpoint: CheckpointView): void {
    this.known.add(path.resolve(checkpoint.path));
    this.job = { ...this.job, checkpoints: [...this.job.checkpoints.filter((c) => c.path !== checkpoint.path), checkpoint] };
  }

  /** The trainer's save_total_limit rotation (same rule, same order of events), so the list shows what is on disk. */
  private rotate(): void {
    const saved = this.job.checkpoints.filter((c) => !c.final).map((c) => c.path);
    const deleted = new Set(checkpointsToDelete(saved, this.saveTotalLimit, this.job.best?.path));
    if (deleted.size > 0) this.job = { ...this.job, checkpoints: this.job.checkpoints.filter((c) => !deleted.has(c.path)) };
  }

  private message(text: string): void {
    this.job = { ...this.job, messages: [...this.job.messages, text].slice(-MAX_MESSAGES) };
  }

  /** Progress is plain data from another process: anything malformed is logged and skipped. */
  private onProgress(raw: unknown): void {
    if (!isRecord(raw) || typeof raw.phase !== 'string') {
      this.options.log?.('warn', `training worker sent malformed progress: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const progress = raw as TrainProgress;
    const cancelling = this.job.status === 'cancelling';
    switch (progress.phase) {
      case 'download':
      case 'loading':
        return;
      case 'info':
        if (typeof progress.message !== 'string') return;
        this.message(progress.message);
        if (isFallingScoreWarning(progress.message)) this.job = { ...this.job, overfitting: progress.message };
        break;
      case 'start':
        this.job = { ...this.job, status: cancelling ? 'cancelling' : 'running', totalSteps: finiteOr(progress.totalSteps, 0) };
        this.message(`${progress.trainExamples} training examples (${progress.trainRows} rows after windowing), ${progress.devExamples} dev examples; ${progress.totalSteps} steps, ${progress.trainable.toLocaleString('en-US')} trainable parameters; labels ${progress.labels.join(', ')}`);
        break;
      case 'log': {
        const point: LogPoint = {
          step: finiteOr(progress.step, 0), epoch: finiteOr(progress.epoch, 0), loss: finiteOr(progress.loss, NaN),
          learning_rate: finiteOr(progress.learning_rate, 0), grad_norm: finiteOr(progress.grad_norm, 0),
        };
        if (!Number.isFinite(point.loss)) return;
        this.log.push(point);
        this.job = {
          ...this.job, step: point.step, epoch: point.epoch, elapsedSeconds: finiteOr(progress.elapsed_s, 0),
          etaSeconds: finiteOr(progress.eta_s, NaN) >= 0 ? progress.eta_s : null,
          status: cancelling || this.job.status === 'paused' ? this.job.status : 'running',
        };
        break;
      }
      case 'eval':
        if (!isRecord(progress.metrics)) return;
        this.job = { ...this.job, evals: [...this.job.evals, evalPointOf(finiteOr(progress.step, 0), finiteOr(progress.epoch, 0), progress.metrics)] };
        break;
      case 'checkpoint':
        if (typeof progress.path !== 'string') return;
        this.addCheckpoint({ step: finiteOr(progress.step, 0), path: progress.path, name: path.basename(progress.path), final: false });
        this.rotate();
        break;
      case 'best':
        if (typeof progress.path !== 'string' || typeof progress.metric !== 'string' || !Number.isFinite(progress.value)) return;
        this.job = { ...this.job, best: { path: progress.path, metric: progress.metric, value: progress.value } };
        this.rotate();
        break;
      case 'paused':
        if (!cancelling) this.job = { ...this.job, status: 'paused' };
        break;
      case 'resumed':
        if (!cancelling) this.job = { ...this.job, status: 'running' };
        break;
      default:
        this.options.log?.('warn', `training worker sent unknown progress phase ${JSON.stringify((progress as { phase: unknown }).phase)}`);
        return;
    }
    this.changed();
  }

  private changed(): void {
    const view = this.view;
    for (const listener of [...this.listeners]) listener(view);
  }
}
