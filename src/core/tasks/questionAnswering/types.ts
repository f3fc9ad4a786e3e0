import type { Encoding } from '../../runtime/tokenizer/encoding';

/**
 * One window of a (question, context) pair (HF: one overflowing feature with `doc_stride`). The
 * encoding is the pair encoding: sequence 0 = question, sequence 1 = context, and the offsets of
 * context tokens are UTF-16 offsets into the options' `context` (the whole context, not the window).
 * `wordIds` of context tokens are word indices within the context, as HF fast tokenizers give them.
 */
export interface QuestionAnsweringWindow {
  /** [T] start logits, T = encoding.ids.length; trailing entries (padding) are ignored. */
  startLogits: Float32Array;
  /** [T] end logits. */
  endLogits: Float32Array;
  encoding: Encoding;
}

export interface QuestionAnsweringOptions {
  /** The exact context text the context offsets point into. */
  context: string;
  /** HF default 1. Answers returned at most. */
  topK?: number;
  /** HF default 15: an answer spans at most this many tokens. */
  maxAnswerLen?: number;
  /** HF default false: when true, the empty answer competes with score min over windows of p_start[0]·p_end[0]. */
  handleImpossibleAnswer?: boolean;
  /** HF default true: widen answers to whole words (`word_to_chars` of the first and last token's words). */
  alignToWords?: boolean;
  /**
   * `tokenizer.cls_token_id`. Every token with this id stays in the softmax (HF keeps [CLS] unmasked for
   * the null answer). When undefined, position 0 stays unmasked if it is a special token.
   */
  clsTokenId?: number;
}

/** HF answer (same key order). `answer === context.slice(start, end)`. */
export interface QuestionAnswer {
  score: number;
  start: number;
  end: number;
  answer: string;
}
