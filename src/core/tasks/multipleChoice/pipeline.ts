import type { LoadedModel } from '../../runtime/loadModel';
import { tensor } from '../../runtime/ort';
import { throwIfCancelled } from '../shared/forward';
import { encodeTruncatedPair } from '../shared/pairTruncation';
import { cappedLength, modelInputLimit, requireHead, TaskInputError } from '../shared/taskModel';
import { postprocessMultipleChoice, type ChoiceScore } from './postprocess';

export interface ChooseAnswerOptions {
  /** Tokens per (prompt, choice) pair; default and cap: the model's limit. Longer pairs are cut longest-first. */
  maxLength?: number;
  signal?: AbortSignal;
}

/**
 * BertForMultipleChoice as in HF's example: the prompt is paired with each choice
 * (`tokenizer([prompt] * n, choices, padding=True, truncation=True)`), the pairs are padded to the
 * longest and fed as one [1, num_choices, seq] batch; the scores are the softmax over the choices,
 * sorted best first (`index` is the choice's position in `choices`).
 */
export async function chooseAnswer(model: LoadedModel, prompt: string, choices: readonly string[], options: ChooseAnswerOptions = {}): Promise<ChoiceScore[]> {
  requireHead(model, 'multiple choice', ['multiple-choice'], () => ['logits']);
  if (choices.length < 2) throw new TaskInputError(`multiple choice needs at least two choices, got ${choices.length}`);
  if (prompt.trim() === '') throw new TaskInputError('the prompt is empty');
  choices.forEach((choice, i) => {
    if (choice.trim() === '') throw new TaskInputError(`choice ${i + 1} is empty`);
  });
  const maxLength = cappedLength(model, options.maxLength, modelInputLimit(model), 'max_length');
  const encodings = choices.map((choice) => encodeTruncatedPair(model.tokenizer, prompt, choice, maxLength));
  const length = Math.max(...encodings.map((e) => e.ids.length));
  const count = choices.length;
  const ids = new BigInt64Array(count * length).fill(BigInt(model.tokenizer.padTokenId ?? 0));
  const mask = new BigInt64Array(count * length);
  const types = new BigInt64Array(count * length);
  encodings.forEach((encoding, c) => {
    encoding.ids.forEach((id, t) => {
      ids[c * length + t] = BigInt(id);
      mask[c * length + t] = 1n;
      types[c * length + t] = BigInt(encoding.typeIds[t]!);
    });
  });
  throwIfCancelled(options.signal);
  const dims = [1, count, length];
  const inputs = new Set(model.session.inputNames);
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  if (inputs.has('input_ids')) feeds.input_ids = tensor('int64', ids, dims);
  if (inputs.has('attention_mask')) feeds.attention_mask = tensor('int64', mask, dims);
  if (inputs.has('token_type_ids')) feeds.token_type_ids = tensor('int64', types, dims);
  const outputs = await model.session.run(feeds);
  const logits = Float32Array.from(outputs.logits!.data as Float32Array);
  for (const output of Object.values(outputs)) output.dispose?.();
  return postprocessMultipleChoice(logits, choices);
}
