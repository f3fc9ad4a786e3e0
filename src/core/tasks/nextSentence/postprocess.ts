import { PostprocessError } from '../shared/errors';
import { softmaxInto } from '../shared/numeric';

/**
 * `BertForNextSentencePrediction` labels: index 0 = "sentence B is a continuation of sentence A",
 * index 1 = "sentence B is random" (HF docstring of `next_sentence_label`).
 */
export const NSP_LABELS = ['IsNext', 'NotNext'] as const;

export interface NextSentenceResult {
  /** P(B follows A) = softmax(logits)[0]. */
  isNextProbability: number;
  /** Both labels with their probabilities, best first ({label, score} as HF pipelines name them). */
  scores: Array<{ label: (typeof NSP_LABELS)[number]; score: number }>;
}

/** Softmax over the two NSP logits of one (A, B) pair. HF has no NSP pipeline; this follows the model's labels. */
export function postprocessNextSentencePrediction(logits: Float32Array): NextSentenceResult {
  if (logits.length !== 2) throw new PostprocessError(`next sentence prediction expects 2 logits, got ${logits.length}`);
  const probs = new Float64Array(2);
  softmaxInto(logits, 0, 2, probs, 0);
  const scores = NSP_LABELS.map((label, i) => ({ label, score: probs[i]! })).sort((a, b) => b.score - a.score);
  return { isNextProbability: probs[0]!, scores };
}
