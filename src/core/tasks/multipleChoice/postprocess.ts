import { PostprocessError } from '../shared/errors';
import { softmaxInto } from '../shared/numeric';

export interface ChoiceScore {
  /** Position of the choice in the input (the column of `reshaped_logits`). */
  index: number;
  /** The choice text when given. */
  choice?: string;
  score: number;
}

/**
 * `BertForMultipleChoice` returns `reshaped_logits` [batch, num_choices], trained with cross-entropy over
 * the choices, so the probabilities are a softmax over one row. HF has no multiple-choice pipeline; the
 * result is sorted by score, ties keeping input order.
 */
export function postprocessMultipleChoice(logits: Float32Array, choices?: readonly string[]): ChoiceScore[] {
  if (logits.length < 2) throw new PostprocessError(`multiple choice needs at least two choices, got ${logits.length}`);
  if (choices && choices.length !== logits.length) throw new PostprocessError(`${choices.length} choices for ${logits.length} logits`);
  const probs = new Float64Array(logits.length);
  softmaxInto(logits, 0, logits.length, probs, 0);
  return Array.from(probs, (score, index) => (choices ? { index, choice: choices[index]!, score } : { index, score }))
    .sort((a, b) => b.score - a.score);
}
