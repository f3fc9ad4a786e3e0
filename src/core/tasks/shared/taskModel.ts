import { headClassName, type HeadKind } from '../../bert/heads';
import { maxSequenceLength } from '../../bert/sequenceLength';
import { UserError } from '../../util/userError';
import { HeadMismatchError, loadModel, type LoadedModel, type LoadModelOptions } from '../../runtime/loadModel';

/** Bad input to a task (empty question, no mask token, one choice): one clear line, nothing lost. */
export class TaskInputError extends UserError {
  override readonly name = 'TaskInputError';
}

/**
 * loadModel for a task. A folder whose weights lack the head (no `architectures` entry, so the
 * mismatch shows only while converting) gets a message naming the model and the head from loadModel.
 */
export async function loadTaskModel(reference: string, options: LoadModelOptions): Promise<LoadedModel> {
  return loadModel(reference, options);
}

/**
 * Checks that a loaded model can serve a task and that its graph has the outputs the task reads;
 * returns the model's head. `heads` lists every head that can serve (a pretraining model serves
 * fill-mask and next-sentence prediction).
 */
export function requireHead(model: LoadedModel, task: string, heads: readonly HeadKind[], outputs: (head: HeadKind) => readonly string[]): HeadKind {
  if (!heads.includes(model.head)) {
    const wanted = heads.map((h) => `${h} (${headClassName(model.config, h)})`).join(' or ');
    throw new HeadMismatchError(`${task} needs a model with a ${wanted} head; ${model.reference} has a ${model.head} head`);
  }
  const missing = outputs(model.head).filter((name) => !model.session.outputNames.includes(name));
  if (missing.length > 0) {
    throw new HeadMismatchError(
      `${model.reference}: its ONNX graph lacks ${missing.join(', ')} (has ${model.session.outputNames.join(', ')}), needed by ${task} with a ${model.head} head`,
    );
  }
  return model.head;
}

/** Tokens the model accepts in one sequence: its position table (maxSequenceLength) and the tokenizer's model_max_length. */
export function modelInputLimit(model: LoadedModel): number {
  const limit = maxSequenceLength(model.config);
  return Number.isFinite(model.tokenizer.modelMaxLength) ? Math.min(limit, model.tokenizer.modelMaxLength) : limit;
}

/** A requested sequence length (or the task default), capped by the model; must leave room for content. */
export function cappedLength(model: LoadedModel, requested: number | undefined, fallback: number, name: string): number {
  if (requested !== undefined && (!Number.isInteger(requested) || requested < 1)) {
    throw new TaskInputError(`${name} must be a positive integer, got ${String(requested)}`);
  }
  return Math.min(requested ?? fallback, modelInputLimit(model));
}
