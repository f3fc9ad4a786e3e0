/**
 * The output of tokenization that every task consumes. Offsets are UTF-16 code-unit offsets into
 * the exact input string (VS Code's convention), so `document.positionAt(start)` is always right.
 */
export interface Encoding {
  ids: number[];
  /** token_type_ids: 0 for the first sequence (and its [CLS]/[SEP]), 1 for the pair. */
  typeIds: number[];
  /** [start, end) per token; [0, 0] for special tokens. */
  offsets: Array<[number, number]>;
  /** Index of the pre-tokenized word each token came from; null for special tokens. */
  wordIds: Array<number | null>;
  /** 0 = first text, 1 = text pair, null = special token. */
  sequenceIds: Array<number | null>;
  /** The token strings (WordPiece pieces, e.g. "##ing"). */
  tokens: string[];
  /** true for tokens added by the tokenizer ([CLS], [SEP], [PAD]). */
  specialTokensMask: boolean[];
}
