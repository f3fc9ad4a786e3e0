import { isUserError } from '../core/util/userError';
import { JobError } from './workerClient';

/** True for an expected user error, thrown here or in the worker (see src/core/util/userError.ts). */
export function isExpectedUserError(error: unknown): boolean {
  return isUserError(error) || (error instanceof JobError && error.expected);
}

/**
 * How a failure goes into the output channel: an expected user error is one warning line (the
 * message already says what to fix); a real fault is an error with its stack, for the bug report.
 */
export function failureLogEntry(message: string, error: unknown): { level: 'warn' | 'error'; text: string } {
  if (isExpectedUserError(error)) return { level: 'warn', text: message };
  const stack = error instanceof Error ? error.stack : undefined;
  return { level: 'error', text: stack ? `${message}\n${stack}` : message };
}
