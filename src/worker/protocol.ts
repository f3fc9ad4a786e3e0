/*
 * The messages between the extension host and the worker process. Both sides validate what they
 * receive: a message that does not have the expected shape is reported, never trusted.
 *
 * host → worker   run      start job `id` of `kind` with `payload`
 *                 cancel   abort job `id` (its AbortSignal fires; it ends with a `cancelled` error)
 *                 control  a kind-specific action for a running job (e.g. 'pause'/'resume' for training)
 * worker → host   ready    sent once at start-up
 *                 progress job `id` reports progress (shape depends on the kind)
 *                 result   job `id` finished
 *                 error    job `id` failed (or was cancelled); the error is plain data
 *                 log      a line for the host's output channel
 *
 * Payload, result and progress shapes per kind live in jobKinds.ts.
 */

export type JobId = number;

export interface RunMessage {
  type: 'run';
  id: JobId;
  kind: string;
  payload: unknown;
}

export interface CancelMessage {
  type: 'cancel';
  id: JobId;
}

export interface ControlMessage {
  type: 'control';
  id: JobId;
  action: string;
}

export type HostToWorker = RunMessage | CancelMessage | ControlMessage;

/** Machine-readable failure classes, so the host can phrase messages without parsing text. */
export type JobErrorCode =
  | 'cancelled'
  /** The model has another head than the task needs (loadModel's HeadMismatchError). */
  | 'head-mismatch'
  /** A model folder problem; `file` names the file. */
  | 'model-folder'
  /** A hub download problem; `files` names what is missing. */
  | 'hub'
  /** The task rejected its input (TaskInputError: empty question, no mask token…); the message is for the user. */
  | 'bad-input'
  /** The payload was rejected by the kind's validator, or the kind is unknown. */
  | 'bad-request'
  /** The worker process stopped (host side only). */
  | 'worker-crashed'
  | 'failed';

export interface SerializedJobError {
  code: JobErrorCode;
  message: string;
  file?: string;
  files?: string[];
  stack?: string;
  /** An expected user error (src/core/util/userError.ts): the host logs its message as one line, without a stack. */
  expected?: boolean;
}

export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

export interface ProgressMessage {
  type: 'progress';
  id: JobId;
  progress: unknown;
}

export interface ResultMessage {
  type: 'result';
  id: JobId;
  result: unknown;
}

export interface ErrorMessage {
  type: 'error';
  id: JobId;
  error: SerializedJobError;
}

export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

export type WorkerToHost = ReadyMessage | ProgressMessage | ResultMessage | ErrorMessage | LogMessage;

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isJobId(value: unknown): value is JobId {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Checks a message the worker received; throws ProtocolError naming what is wrong. */
export function parseHostMessage(message: unknown): HostToWorker {
  if (!isRecord(message)) throw new ProtocolError(`expected a message object, got ${describe(message)}`);
  if (!isJobId(message.id)) throw new ProtocolError(`message without a valid job id: ${describe(message)}`);
  switch (message.type) {
    case 'run':
      if (typeof message.kind !== 'string' || message.kind === '') throw new ProtocolError(`run message without a job kind: ${describe(message)}`);
      return { type: 'run', id: message.id, kind: message.kind, payload: message.payload };
    case 'cancel':
      return { type: 'cancel', id: message.id };
    case 'control':
      if (typeof message.action !== 'string' || message.action === '') throw new ProtocolError(`control message without an action: ${describe(message)}`);
      return { type: 'control', id: message.id, action: message.action };
    default:
      throw new ProtocolError(`unknown message type ${describe(message.type)}`);
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<JobErrorCode>([
  'cancelled', 'head-mismatch', 'model-folder', 'hub', 'bad-input', 'bad-request', 'worker-crashed', 'failed',
]);

function parseSerializedError(value: unknown): SerializedJobError {
  if (!isRecord(value) || typeof value.message !== 'string' || typeof value.code !== 'string' || !ERROR_CODES.has(value.code)) {
    throw new ProtocolError(`malformed error in message: ${describe(value)}`);
  }
  const error: SerializedJobError = { code: value.code as JobErrorCode, message: value.message };
  if (typeof value.file === 'string') error.file = value.file;
  if (Array.isArray(value.files) && value.files.every((f) => typeof f === 'string')) error.files = value.files as string[];
  if (typeof value.stack === 'string') error.stack = value.stack;
  if (value.expected === true) error.expected = true;
  return error;
}

/** Checks a message the host received from the worker; throws ProtocolError naming what is wrong. */
export function parseWorkerMessage(message: unknown): WorkerToHost {
  if (!isRecord(message)) throw new ProtocolError(`expected a message object, got ${describe(message)}`);
  switch (message.type) {
    case 'ready':
      if (typeof message.pid !== 'number') throw new ProtocolError(`ready message without a pid: ${describe(message)}`);
      return { type: 'ready', pid: message.pid };
    case 'log':
      if (typeof message.message !== 'string' || !['info', 'warn', 'error'].includes(message.level as string)) {
        throw new ProtocolError(`malformed log message: ${describe(message)}`);
      }
      return { type: 'log', level: message.level as LogMessage['level'], message: message.message };
    case 'progress':
    case 'result':
    case 'error':
      if (!isJobId(message.id)) throw new ProtocolError(`${message.type} message without a valid job id: ${describe(message)}`);
      if (message.type === 'progress') return { type: 'progress', id: message.id, progress: message.progress };
      if (message.type === 'result') return { type: 'result', id: message.id, result: message.result };
      return { type: 'error', id: message.id, error: parseSerializedError(message.error) };
    default:
      throw new ProtocolError(`unknown message type ${describe(message.type)}`);
  }
}
