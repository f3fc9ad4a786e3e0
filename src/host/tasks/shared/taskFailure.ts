import { JobError } from '../../workerClient';
import { ModelSettingError, type ModelChoice } from '../../ner/modelChoice';

export interface TaskFailure {
  /** One line for the user. */
  message: string;
  /** The model setting is the likely fix: offer to open it. */
  offerSettings: boolean;
  /** Bad input (empty question, no mask token…): a warning, not an error. */
  isInputProblem: boolean;
}

/**
 * One line about a failed task command. Worker messages already name the file (model folder
 * errors), the head that is needed and the model (head mismatch), or what a bad input lacks
 * (TaskInputError); this adds which task and model were meant.
 */
export function taskFailure(error: unknown, taskTitle: string, model: ModelChoice | undefined): TaskFailure {
  const which = model ? `the ${taskTitle} model (${model.description})` : `the ${taskTitle} model`;
  const fail = (message: string, offerSettings = false, isInputProblem = false): TaskFailure => ({ message, offerSettings, isInputProblem });
  if (error instanceof ModelSettingError) return fail(`BERT Lens: ${error.message}.`, true);
  if (!(error instanceof JobError)) return fail(`BERT Lens: ${taskTitle} failed: ${error instanceof Error ? error.message : String(error)}`);
  switch (error.code) {
    case 'bad-input':
      return fail(`BERT Lens: ${error.message}`, false, true);
    case 'head-mismatch':
      return fail(`BERT Lens: ${error.message}`, true);
    case 'model-folder':
    case 'hub':
      return fail(`BERT Lens: ${which} cannot be loaded: ${error.message}`, true);
    case 'worker-crashed':
      return fail(error.message);
    case 'bad-request':
      return fail(`BERT Lens: the worker rejected the ${taskTitle} request (a bug or an invalid setting): ${error.message}`);
    case 'cancelled':
      return fail(`BERT Lens: ${taskTitle} cancelled.`);
    case 'failed':
      return fail(`BERT Lens: ${taskTitle} with ${which} failed: ${error.message}`);
  }
}
