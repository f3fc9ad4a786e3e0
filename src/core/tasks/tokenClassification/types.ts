import type { Encoding } from '../../runtime/tokenizer/encoding';
import type { Id2Label } from '../shared/labels';

/** HF `AggregationStrategy` values. */
export type AggregationStrategy = 'none' | 'simple' | 'first' | 'average' | 'max';

export const AGGREGATION_STRATEGIES: readonly AggregationStrategy[] = ['none', 'simple', 'first', 'average', 'max'];

/**
 * One model input window (HF: one chunk of `return_overflowing_tokens`). Its encoding's offsets are
 * absolute UTF-16 offsets into the whole text given in the options, so that windows cut from a long
 * document need no re-basing here.
 */
export interface TokenClassificationWindow {
  /** Row-major [T, numLabels] logits; T = encoding.ids.length. Extra rows (padding) are ignored. */
  logits: Float32Array;
  encoding: Encoding;
}

/** What HF takes from the tokenizer in `gather_pre_entities` and `group_sub_entities`. */
export interface TokenStringDecoder {
  /** HF `tokenizer.convert_tokens_to_string` (for WordPiece: joins, drops "##" glue, cleans up spaces). */
  convertTokensToString(tokens: readonly string[]): string;
  /** `tokenizer.unk_token_id`: such tokens are reported with the original text and never count as subwords. */
  unkTokenId?: number;
  /**
   * `tokenizer._tokenizer.model.continuing_subword_prefix` ("##" for BERT WordPiece). When set, a token is
   * a subword when its string length differs from the length of the text it covers (HF's rule); when
   * null/undefined, HF's fallback heuristic is used (no space just before or at the token start).
   */
  continuingSubwordPrefix?: string | null;
}

export interface TokenClassificationOptions {
  /** The exact text the offsets point into (the whole document for windowed inputs). */
  text: string;
  id2label: Id2Label;
  tokenizer: TokenStringDecoder;
  /** HF default: "none". */
  aggregationStrategy?: AggregationStrategy;
  /** HF default: ["O"]. Compared with `entity` (none) or `entity_group` (other strategies), as HF does. */
  ignoreLabels?: readonly string[];
}

/** HF result for `aggregation_strategy="none"`. `index` is the token's position in its window. */
export interface TokenEntity {
  entity: string;
  score: number;
  index: number;
  word: string;
  start: number;
  end: number;
}

/** HF result for the grouping strategies. */
export interface EntityGroup {
  entity_group: string;
  score: number;
  word: string;
  start: number;
  end: number;
}

export type TokenClassificationResult = TokenEntity | EntityGroup;
