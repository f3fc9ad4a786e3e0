import { fork, type ChildProcess } from 'node:child_process';
import type { JobKind, JobPayload, JobProgress, JobResult } from '../worker/jobKinds';
import {
  parseWorkerMessage, ProtocolError, type HostToWorker, type JobErrorCode, type JobId, type SerializedJobError,
} from '../worker/protocol';

/** A job that did not produce a result; `code` says why (see JobErrorCode). */
export class JobError extends Error {
  override name = 'JobError';
  readonly code: JobErrorCode;
  readonly file?: string;
  readonly files?: string[];
  /** The worker threw an expected user error (bad model, bad input): report the message alone. */
  readonly expected: boolean;
  constructor(error: SerializedJobError) {
    super(error.message);
    this.code = error.code;
    this.expected = error.expected === true;
    if (error.file !== undefined) this.file = error.file;
    if (error.files !== undefined) this.files = error.files;
    if (error.stack) this.stack = error.stack;
  }

  get cancelled(): boolean {
    return this.code === 'cancelled';
  }
}

export interface WorkerClientOptions {
  /** The worker entry: dist/worker.js in the extension; tests may run src/worker/main.ts through tsx. */
  workerPath: string;
  /** Node flags for the worker (tests: ['--import', 'tsx']). Default none: the host's own flags (--inspect) are not inherited. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface RunOptions<Progress> {
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

export interface JobHandle<Result> {
  id: JobId;
  result: Promise<Result>;
  cancel(): void;
  /** A kind-specific action for the running job (e.g. 'pause' / 'resume' for training). */
  control(action: string): void;
}

interface PendingJob {
  resolve(result: unknown): void;
  reject(error: JobError): void;
  onProgress?: (progress: unknown) => void;
}

/**
 * The line of a dead process's stderr that says why: the last error line (Node prints the stack,
 * then its version), else the last line that is neither a stack frame nor the version banner.
 */
export function crashReason(stderrLines: readonly string[]): string | undefined {
  const lines = stderrLines.map((line) => line.trim()).filter((line) => line !== '' && !/^at\s/.test(line) && !/^Node\.js v\d/.test(line) && !/^\^+$/.test(line));
  const errorLine = [...lines].reverse().find((line) => /^([\w.]*Error|error|terminate called)\b/i.test(line));
  return errorLine ?? lines.at(-1);
}

/** Lines of the worker's stderr kept to explain a crash. */
const STDERR_TAIL_LINES = 20;

/**
 * The extension host's side of the worker: starts the worker process on the first job, sends jobs
 * and routes progress/results back by job id. When the process dies, every pending job fails with
 * code 'worker-crashed' and a message quoting the worker's last stderr line; the next job starts a
 * fresh process. dispose() kills it.
 */
export class WorkerClient {
  private child: ChildProcess | undefined;
  private ready = false;
  private outbox: HostToWorker[] = [];
  private readonly pending = new Map<JobId, PendingJob>();
  private nextId = 1;
  private stderrTail: string[] = [];
  private disposed = false;
  private starts = 0;

  constructor(private readonly options: WorkerClientOptions) {}

  /** The worker's process id while it runs (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How many worker processes were started so far. */
  get startCount(): number {
    return this.starts;
  }

  get pendingJobs(): number {
    return this.pending.size;
  }

  run<K extends JobKind>(kind: K, payload: JobPayload<K>, options: RunOptions<JobProgress<K>> = {}): Promise<JobResult<K>> {
    const job = this.start(kind, payload, options.onProgress);
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) job.cancel();
      else signal.addEventListener('abort', () => job.cancel(), { once: true });
    }
    return job.result;
  }

  start<K extends JobKind>(kind: K, payload: JobPayload<K>, onProgress?: (progress: JobProgress<K>) => void): JobHandle<JobResult<K>> {
    const id = this.nextId++;
    const result = new Promise<JobResult<K>>((resolve, reject) => {
      if (this.disposed) {
        reject(new JobError({ code: 'cancelled', message: 'BERT Lens is shutting down' }));
        return;
      }
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject, onProgress: onProgress as ((p: unknown) => void) | undefined });
      this.post({ type: 'run', id, kind, payload });
    });
    return {
      id,
      result,
      cancel: () => {
        if (this.pending.has(id)) this.post({ type: 'cancel', id });
      },
      control: (action) => {
        if (this.pending.has(id)) this.post({ type: 'control', id, action });
      },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.failAll({ code: 'cancelled', message: 'BERT Lens is shutting down' });
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
  }

  private post(message: HostToWorker): void {
    if (!this.child) this.spawn();
    if (!this.ready) {
      this.outbox.push(message);
      return;
    }
    this.child!.send(message);
  }

  private spawn(): void {
    this.starts++;
    this.ready = false;
    this.stderrTail = [];
    const child = fork(this.options.workerPath, [], {
      execArgv: this.options.execArgv ?? [],
      // Inside VS Code (Electron) fork runs the Electron binary: this makes it behave as plain Node.
      env: { ...(this.options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.log('info', `worker: ${text.trimEnd()}`));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      for (const line of text.split('\n')) if (line.trim() !== '') this.stderrTail.push(line);
      this.stderrTail = this.stderrTail.slice(-STDERR_TAIL_LINES);
      this.log('warn', `worker stderr: ${text.trimEnd()}`);
    });
    child.on('message', (raw: unknown) => {
      if (this.child === child) this.receive(raw);
    });
    child.on('error', (error) => {
      if (this.child === child) this.crashed(child, `could not be started: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.crashed(child, signal ? `was killed by ${signal}` : `exited with code ${code}`);
    });
  }

  private crashed(child: ChildProcess, how: string): void {
    this.child = undefined;
    this.ready = false;
    this.outbox = [];
    if (child.exitCode === null && child.signalCode === null) child.kill();
    const reason = crashReason(this.stderrTail);
    const message = `The BERT Lens worker process ${how}${reason ? ` (${reason})` : ''}. It will be restarted on the next request.`;
    this.log('error', message + (this.stderrTail.length > 1 ? `\n${this.stderrTail.join('\n')}` : ''));
    this.failAll({ code: 'worker-crashed', message });
  }

  private failAll(error: SerializedJobError): void {
    const jobs = [...this.pending.values()];
    this.pending.clear();
    for (const job of jobs) job.reject(new JobError(error));
  }

  private receive(raw: unknown): void {
    let message;
    try {
      message = parseWorkerMessage(raw);
    } catch (error) {
      this.log('error', `ignored a malformed message from the worker: ${error instanceof ProtocolError ? error.message : String(error)}`);
      return;
    }
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        const queued = this.outbox;
        this.outbox = [];
        for (const queuedMessage of queued) this.child?.send(queuedMessage);
        return;
      }
      case 'log':
        this.log(message.level, `worker: ${message.message}`);
        return;
      case 'progress':
        this.pending.get(message.id)?.onProgress?.(message.progress);
        return;
      case 'result':
      case 'error': {
        const job = this.pending.get(message.id);
        if (!job) return;
        this.pending.delete(message.id);
        if (message.type === 'result') job.resolve(message.result);
        else job.reject(new JobError(message.error));
        return;
      }
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}
