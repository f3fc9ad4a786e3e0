import type { JobKind, JobPayload, JobProgress, JobResult } from './jobKinds';
import type { ModelCache } from './modelCache';

/** What a running job can use: its cancellation signal, progress, control actions and shared services. */
export interface JobContext<Progress> {
  /** Fires when the host cancels the job (or shuts the worker down); throw CancelledError then. */
  signal: AbortSignal;
  progress(progress: Progress): void;
  /** Kind-specific actions sent by the host while the job runs (e.g. 'pause', 'resume'). */
  onControl(handler: (action: string) => void): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  models: ModelCache;
}

/** One job kind on the worker side. `validate` throws BadRequestError for a payload it cannot accept. */
export interface JobHandler<Payload, Result, Progress> {
  validate(payload: unknown): Payload;
  run(payload: Payload, context: JobContext<Progress>): Promise<Result>;
}

export type HandlerOf<K extends JobKind> = JobHandler<JobPayload<K>, JobResult<K>, JobProgress<K>>;

/** Every kind of jobKinds.ts must have its handler: the compiler checks the registry is complete. */
export type JobRegistry = { [K in JobKind]: HandlerOf<K> };

/** Thrown by validators; reaches the host with code 'bad-request'. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
}
