import { throwIfCancelled } from '../core/tasks/shared/forward';
import type { JobContext, JobHandler } from './jobHandler';
import type { ModelCache } from './modelCache';
import { parseHostMessage, ProtocolError, type JobId, type WorkerToHost } from './protocol';
import { serializeJobError } from './serializeError';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- handlers of every kind live in one table
export type AnyJobHandler = JobHandler<any, unknown, any>;

interface RunningJob {
  controller: AbortController;
  controlHandlers: Array<(action: string) => void>;
}

/**
 * The worker's dispatcher, independent of the transport (child process IPC in main.ts, direct calls
 * in tests): validates each incoming message, starts jobs from the registry, wires cancel/control to
 * the running job and sends exactly one `result` or `error` per job.
 */
export class JobRunner {
  private readonly running = new Map<JobId, RunningJob>();

  constructor(
    private readonly handlers: Readonly<Record<string, AnyJobHandler>>,
    private readonly send: (message: WorkerToHost) => void,
    private readonly models: ModelCache,
  ) {}

  get runningJobs(): number {
    return this.running.size;
  }

  handle(raw: unknown): void {
    let message;
    try {
      message = parseHostMessage(raw);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.message : String(error);
      this.send({ type: 'log', level: 'error', message: `worker ignored a malformed message: ${reason}` });
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && !this.running.has(id)) {
        this.send({ type: 'error', id, error: { code: 'bad-request', message: reason } });
      }
      return;
    }
    switch (message.type) {
      case 'run':
        this.start(message.id, message.kind, message.payload);
        return;
      case 'cancel':
        this.running.get(message.id)?.controller.abort();
        return;
      case 'control': {
        const job = this.running.get(message.id);
        if (!job) return;
        for (const handler of job.controlHandlers) handler(message.action);
        return;
      }
    }
  }

  /** Aborts every running job (worker shutdown). */
  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort();
  }

  private start(id: JobId, kind: string, payload: unknown): void {
    if (this.running.has(id)) {
      // Not answered with an error for that id: the host would take it for the running job's end.
      this.send({ type: 'log', level: 'error', message: `worker ignored a second job with id ${id} (that id is running)` });
      return;
    }
    const handler = Object.prototype.hasOwnProperty.call(this.handlers, kind) ? this.handlers[kind] : undefined;
    if (!handler) {
      this.send({ type: 'error', id, error: { code: 'bad-request', message: `unknown job kind "${kind}" (known: ${Object.keys(this.handlers).join(', ')})` } });
      return;
    }
    const job: RunningJob = { controller: new AbortController(), controlHandlers: [] };
    this.running.set(id, job);
    const signal = job.controller.signal;
    const context: JobContext<unknown> = {
      signal,
      progress: (progress) => {
        if (this.running.get(id) === job) this.send({ type: 'progress', id, progress });
      },
      onControl: (handler) => job.controlHandlers.push(handler),
      log: (level, message) => this.send({ type: 'log', level, message }),
      models: this.models,
    };
    // validate() runs inside the promise chain so that a throwing validator becomes an error reply;
    // a cancel that arrived before the job got going ends it before it starts.
    void Promise.resolve()
      .then(() => {
        const valid: unknown = handler.validate(payload);
        throwIfCancelled(signal);
        return handler.run(valid, context);
      })
      .then(
        (result) => this.send({ type: 'result', id, result }),
        (error: unknown) => this.send({ type: 'error', id, error: serializeJobError(error, signal) }),
      )
      .finally(() => this.running.delete(id));
  }
}
