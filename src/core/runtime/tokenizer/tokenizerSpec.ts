import type { AddedTokenSpec } from './addedTokens';
import type { BertNormalizerOptions } from './bertNormalizer';
import type { WordPieceOptions } from './wordpiece';

/** One element of a TemplateProcessing template: a special token, or sequence A (0) / B (1). */
export type TemplatePiece =
  | { kind: 'special'; name: string; typeId: number }
  | { kind: 'sequence'; sequence: 0 | 1; typeId: number };

/** HF TemplateProcessing (BertProcessing is the template `[CLS] $A [SEP] ($B [SEP])`). */
export interface PostProcessorSpec {
  single: TemplatePiece[];
  pair: TemplatePiece[];
  /** name → ids/tokens it expands to (usually one each). */
  specialTokens: ReadonlyMap<string, { ids: number[]; tokens: string[] }>;
}

export interface DecoderSpec {
  prefix: string;
  /** Per-token clean-up of tokenization spaces (HF WordPiece decoder `cleanup`). */
  cleanup: boolean;
}

/** The special-token names of tokenizer_config.json / special_tokens_map.json. */
export interface SpecialTokenNames {
  unk: string;
  cls?: string;
  sep?: string;
  pad?: string;
  mask?: string;
}

/** Everything a BertTokenizer needs, independent of where it was read from. */
export interface BertTokenizerSpec {
  /** WordPiece vocabulary: token → id. */
  vocab: ReadonlyMap<string, number>;
  /** null: no normalizer at all (tokenizer.json `"normalizer": null`). */
  normalizer: BertNormalizerOptions | null;
  wordPiece: WordPieceOptions;
  addedTokens: AddedTokenSpec[];
  /** null: no special tokens are ever added. */
  postProcessor: PostProcessorSpec | null;
  /** null: decode joins tokens with spaces. */
  decoder: DecoderSpec | null;
  specialTokens: SpecialTokenNames;
  /** tokenizer_config.json model_max_length; Infinity when absent (HF's VERY_LARGE_INTEGER). */
  modelMaxLength: number;
  /** tokenizer_config.json clean_up_tokenization_spaces (HF default true). */
  cleanUpTokenizationSpaces: boolean;
}

/** The BERT template: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`. */
export function bertTemplate(cls: { token: string; id: number }, sep: { token: string; id: number }): PostProcessorSpec {
  return {
    single: [
      { kind: 'special', name: cls.token, typeId: 0 },
      { kind: 'sequence', sequence: 0, typeId: 0 },
      { kind: 'special', name: sep.token, typeId: 0 },
    ],
    pair: [
      { kind: 'special', name: cls.token, typeId: 0 },
      { kind: 'sequence', sequence: 0, typeId: 0 },
      { kind: 'special', name: sep.token, typeId: 0 },
      { kind: 'sequence', sequence: 1, typeId: 1 },
      { kind: 'special', name: sep.token, typeId: 1 },
    ],
    specialTokens: new Map([
      [cls.token, { ids: [cls.id], tokens: [cls.token] }],
      [sep.token, { ids: [sep.id], tokens: [sep.token] }],
    ]),
  };
}

/** RoBERTa's template (Rust RobertaProcessing): `<s> $A </s>` and `<s> $A </s> </s> $B </s>`, all type 0. */
export function robertaTemplate(cls: { token: string; id: number }, sep: { token: string; id: number }): PostProcessorSpec {
  const special = (name: string): TemplatePiece => ({ kind: 'special', name, typeId: 0 });
  return {
    single: [special(cls.token), { kind: 'sequence', sequence: 0, typeId: 0 }, special(sep.token)],
    pair: [
      special(cls.token),
      { kind: 'sequence', sequence: 0, typeId: 0 },
      special(sep.token),
      special(sep.token),
      { kind: 'sequence', sequence: 1, typeId: 0 },
      special(sep.token),
    ],
    specialTokens: new Map([
      [cls.token, { ids: [cls.id], tokens: [cls.token] }],
      [sep.token, { ids: [sep.id], tokens: [sep.token] }],
    ]),
  };
}
