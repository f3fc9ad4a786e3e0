import type { Encoding } from '../../runtime/tokenizer/encoding';
import { PostprocessError } from '../shared/errors';

/** HF `select_starts_ends` masks non-candidates with this logit (not -inf), then takes the softmax. */
const MASKED_LOGIT = -10000;

export interface WindowProbabilities {
  start: Float64Array;
  end: Float64Array;
  /** 1 where the token is part of the context (sequence id 1): candidate answer tokens. */
  isContext: Uint8Array;
  /** p_start[0] · p_end[0] before [CLS] is zeroed: this window's null-answer score. */
  nullScore: number;
}

/**
 * HF `select_starts_ends` up to the span search: p_mask (question and special tokens masked, [CLS] kept),
 * softmax of start and of end logits over the window, null score, then [CLS] zeroed.
 */
export function windowProbabilities(
  window: { startLogits: Float32Array; endLogits: Float32Array; encoding: Encoding }, windowIndex: number, clsTokenId: number | undefined,
): WindowProbabilities {
  const { encoding } = window;
  const tokenCount = encoding.ids.length;
  const where = `question answering window ${windowIndex}`;
  if (window.startLogits.length < tokenCount || window.endLogits.length < tokenCount) {
    throw new PostprocessError(`${where}: ${window.startLogits.length} start / ${window.endLogits.length} end logits for ${tokenCount} tokens`);
  }
  if (encoding.sequenceIds.length !== tokenCount || encoding.offsets.length !== tokenCount || encoding.wordIds.length !== tokenCount) {
    throw new PostprocessError(`${where}: encoding arrays disagree in length (ids ${tokenCount}, sequenceIds ${encoding.sequenceIds.length}, offsets ${encoding.offsets.length}, wordIds ${encoding.wordIds.length})`);
  }
  const isContext = new Uint8Array(tokenCount);
  const unmasked = new Uint8Array(tokenCount);
  for (let i = 0; i < tokenCount; i++) {
    isContext[i] = encoding.sequenceIds[i] === 1 ? 1 : 0;
    const isCls = clsTokenId !== undefined ? encoding.ids[i] === clsTokenId : i === 0 && encoding.specialTokensMask[0] === true;
    unmasked[i] = isContext[i] || isCls ? 1 : 0;
  }
  const start = maskedSoftmax(window.startLogits, unmasked, tokenCount);
  const end = maskedSoftmax(window.endLogits, unmasked, tokenCount);
  const nullScore = tokenCount > 0 ? start[0]! * end[0]! : NaN;
  if (tokenCount > 0) start[0] = end[0] = 0;
  return { start, end, isContext, nullScore };
}

function maskedSoftmax(logits: Float32Array, unmasked: Uint8Array, n: number): Float64Array {
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = unmasked[i] ? logits[i]! : MASKED_LOGIT;
    out[i] = v;
    if (v > max || v !== v) max = v;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[i] = Math.exp(out[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < n; i++) out[i]! /= sum;
  return out;
}

export interface Span {
  start: number;
  end: number;
  score: number;
}

/**
 * HF `decode_spans` without materialising the [T, T] outer product: for each context start only ends
 * within max_answer_len tokens (`np.tril(np.triu(outer), max_answer_len - 1)`), both ends in the context.
 * Keeps the topK best by score; ties go to the earlier (start, end) in row-major order, which is what
 * np.argmax does for top_k = 1 (HF's argpartition leaves the order of ties unspecified for top_k > 1).
 */
export function bestSpans(probabilities: WindowProbabilities, topK: number, maxAnswerLen: number): Span[] {
  const { start, end, isContext } = probabilities;
  const n = start.length;
  const best: Span[] = [];
  for (let s = 0; s < n; s++) {
    if (!isContext[s]) continue;
    const ps = start[s]!;
    const lastEnd = Math.min(n - 1, s + maxAnswerLen - 1);
    for (let e = s; e <= lastEnd; e++) {
      if (!isContext[e]) continue;
      const score = ps * end[e]!;
      if (best.length === topK && !(score > best[topK - 1]!.score)) continue;
      let at = best.length;
      while (at > 0 && score > best[at - 1]!.score) at--;
      best.splice(at, 0, { start: s, end: e, score });
      if (best.length > topK) best.pop();
    }
  }
  return best;
}
