import type { Encoding } from './encoding';

export interface EncodeOptions {
  /** Add the post-processor's special tokens ([CLS]/[SEP], <s>/</s>). Default true. */
  addSpecialTokens?: boolean;
}

export interface WindowOptions {
  /** Tokens per window, special tokens included (HF max_length). */
  maxLength: number;
  /** Tokens shared by consecutive windows (HF stride / doc_stride). Default 0. */
  stride?: number;
}

export interface PairWindowOptions extends WindowOptions {
  /** Only HF's `only_second` (the question stays whole, the context is split) is supported. */
  truncation?: 'only_second';
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** Default: tokenizer_config.json clean_up_tokenization_spaces. */
  cleanUpTokenizationSpaces?: boolean;
}

export interface IdsWithOffsets {
  ids: Int32Array;
  /** [start0, end0, start1, end1, ...] in UTF-16 units of the text; [0, 0] for special tokens. */
  offsets: Int32Array;
}

/** The model of a tokenizer.json (HF tokenizers' `model.type`). */
export type TokenizerModelType = 'WordPiece' | 'BPE' | 'Unigram';

/**
 * What every task, the trainer and the annotation formats ask of a tokenizer, whatever its type
 * (WordPiece, byte-level BPE, SentencePiece Unigram/BPE). Offsets are UTF-16 offsets into the exact
 * input; words are the encoding's word ids, never re-derived from token spellings.
 */
export interface Tokenizer {
  readonly modelType: TokenizerModelType;
  readonly vocabSize: number;
  readonly unkTokenId: number | undefined;
  /** The token before sequence A: [CLS] for BERT, <s> for RoBERTa / XLM-R. */
  readonly clsTokenId: number | undefined;
  /** The separator / end token: [SEP], </s>. */
  readonly sepTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  /** The mask token's string ([MASK], <mask>), when the tokenizer has one. */
  readonly maskToken: string | undefined;
  /** tokenizer_config.json model_max_length; Infinity when absent. */
  readonly modelMaxLength: number;
  /**
   * HF `tokenizer._tokenizer.model.continuing_subword_prefix`: "##" for WordPiece, null for byte-level
   * BPE and SentencePiece (the token-classification pipeline then uses HF's space heuristic).
   */
  readonly continuingSubwordPrefix: string | null;
  /** tokenizer_config.json clean_up_tokenization_spaces (default true), applied by decode. */
  readonly cleanUpTokenizationSpaces: boolean;

  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  isSpecialId(id: number): boolean;
  /**
   * Whether the vocabulary piece of `id` begins a new word rather than continuing the one before it,
   * read from the raw piece by the tokenizer type's marker (see wordBoundary.ts): no "##" for
   * WordPiece, a "Ġ" / "▁" for byte-level BPE / SentencePiece. Special and added tokens begin a word.
   */
  startsWord(id: number): boolean;
  /** How many tokens the template adds: 2 / 3 for BERT, 2 / 4 for RoBERTa. */
  numSpecialTokensToAdd(pair: boolean): number;
  /** HF `tokenize`: the token strings, without special tokens. */
  tokenize(text: string): string[];
  encode(text: string, options?: EncodeOptions): Encoding;
  encodePair(text: string, pair: string, options?: EncodeOptions): Encoding;
  encodeIdsWithOffsets(text: string, options?: EncodeOptions): IdsWithOffsets;
  /** HF `return_overflowing_tokens` windows over one text (see windowing.ts). */
  windows(text: string, options: WindowOptions): Encoding[];
  /** HF `only_second` windows over a (question, context) pair. */
  pairWindows(question: string, context: string, options: PairWindowOptions): Encoding[];
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** HF `convert_tokens_to_string` (the decoder over token strings, then clean-up). */
  convertTokensToString(tokens: readonly string[]): string;
}
