import { HeadMismatchError } from '../core/runtime/loadModel';
import { ModelFolderError } from '../core/runtime/modelFolder';
import { HubError } from '../core/runtime/hub/hubError';
import { CancelledError } from '../core/tasks/shared/forward';
import { TaskInputError } from '../core/tasks/shared/taskModel';
import { isUserError } from '../core/util/userError';
import { BadRequestError } from './jobHandler';
import type { SerializedJobError } from './protocol';

/**
 * Turns what a job threw into plain data for the host. Classes are told apart with instanceof, not
 * by name: the production bundle is minified and class names do not survive it.
 */
export function serializeJobError(error: unknown, signal?: AbortSignal): SerializedJobError {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  // Once the job is cancelled, whatever it throws (an AbortError from fetch, a wrapped download
  // error) is the cancellation showing up.
  if (error instanceof CancelledError || signal?.aborted) return { code: 'cancelled', message: 'cancelled' };
  if (error instanceof HeadMismatchError) return { code: 'head-mismatch', message, expected: true };
  if (error instanceof ModelFolderError) return { code: 'model-folder', message, file: error.file, expected: true };
  if (error instanceof HubError) return { code: 'hub', message, files: [...error.files], expected: true };
  if (error instanceof TaskInputError) return { code: 'bad-input', message, expected: true };
  if (error instanceof BadRequestError) return { code: 'bad-request', message };
  // Any other expected user error (a config.json of another model_type…): its message, no stack.
  if (isUserError(error)) return { code: 'failed', message, expected: true };
  return stack ? { code: 'failed', message, stack } : { code: 'failed', message };
}

