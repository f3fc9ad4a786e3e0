import { JobError } from '../workerClient';
import { ModelSettingError, type ModelChoice } from './modelChoice';

export interface FailureMessage {
  message: string;
  /** The model setting is the likely fix: offer to open it. */
  offerSettings: boolean;
}

/**
 * One line for the user about a failed recognition. Worker messages already name the file (model
 * folder errors), the head that is needed (head mismatch) or the missing downloads (hub); this adds
 * which model was meant.
 */
export function failureMessage(error: unknown, model: ModelChoice | undefined): FailureMessage {
  const which = model ? `the NER model (${model.description})` : 'the NER model';
  if (error instanceof ModelSettingError) return { message: `BERT Lens: ${error.message}.`, offerSettings: true };
  if (!(error instanceof JobError)) return { message: `BERT Lens: entity recognition failed: ${error instanceof Error ? error.message : String(error)}`, offerSettings: false };
  switch (error.code) {
    case 'head-mismatch':
      return { message: `BERT Lens: ${error.message}`, offerSettings: true };
    case 'model-folder':
    case 'hub':
      return { message: `BERT Lens: ${which} cannot be loaded: ${error.message}`, offerSettings: true };
    case 'worker-crashed':
      return { message: error.message, offerSettings: false };
    case 'bad-input':
      return { message: `BERT Lens: ${error.message}`, offerSettings: false };
    case 'bad-request':
      return { message: `BERT Lens: the worker rejected the request (a bug or an invalid setting): ${error.message}`, offerSettings: false };
    case 'cancelled':
      return { message: 'BERT Lens: entity recognition cancelled.', offerSettings: false };
    case 'failed':
      return { message: `BERT Lens: entity recognition with ${which} failed: ${error.message}`, offerSettings: false };
  }
}
