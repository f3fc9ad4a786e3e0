import * as path from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite';
import type { TokenizerFileContents } from './tokenizerFiles';
import type { BertTokenizerSpec, TemplatePiece } from './tokenizerSpec';

/**
 * The files HF writes for a BERT tokenizer (`save_pretrained` of BertTokenizerFast), from a spec:
 * tokenizer.json in the `tokenizers` serialization, vocab.txt, tokenizer_config.json and
 * special_tokens_map.json. transformers, transformers.js and `tokenizers` all read them.
 */
export function serializeTokenizer(spec: BertTokenizerSpec): Required<TokenizerFileContents> {
  return {
    tokenizerJson: `${JSON.stringify(tokenizerJsonOf(spec), null, 2)}\n`,
    vocabTxt: vocabTxtOf(spec),
    tokenizerConfig: `${JSON.stringify(tokenizerConfigOf(spec), null, 2)}\n`,
    specialTokensMap: `${JSON.stringify(specialTokensMapOf(spec), null, 2)}\n`,
  };
}

/** Writes the four tokenizer files into `dir` (each atomically). */
export async function saveTokenizer(dir: string, spec: BertTokenizerSpec): Promise<void> {
  const files = serializeTokenizer(spec);
  await writeFileAtomic(path.join(dir, 'tokenizer.json'), files.tokenizerJson);
  await writeFileAtomic(path.join(dir, 'vocab.txt'), files.vocabTxt);
  await writeFileAtomic(path.join(dir, 'tokenizer_config.json'), files.tokenizerConfig);
  await writeFileAtomic(path.join(dir, 'special_tokens_map.json'), files.specialTokensMap);
}

export function tokenizerJsonOf(spec: BertTokenizerSpec): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (const [token, id] of [...spec.vocab].sort((a, b) => a[1] - b[1])) vocab[token] = id;
  const processor = spec.postProcessor;
  const templateJson = (pieces: TemplatePiece[]): unknown[] =>
    pieces.map((piece) =>
      piece.kind === 'special'
        ? { SpecialToken: { id: piece.name, type_id: piece.typeId } }
        : { Sequence: { id: piece.sequence === 0 ? 'A' : 'B', type_id: piece.typeId } },
    );
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...spec.addedTokens]
      .sort((a, b) => a.id - b.id)
      .map((t) => ({
        id: t.id,
        content: t.content,
        single_word: t.singleWord,
        lstrip: t.lstrip,
        rstrip: t.rstrip,
        normalized: t.normalized,
        special: t.special,
      })),
    normalizer:
      spec.normalizer === null
        ? null
        : {
            type: 'BertNormalizer',
            clean_text: spec.normalizer.cleanText,
            handle_chinese_chars: spec.normalizer.handleChineseChars,
            strip_accents: spec.normalizer.stripAccents,
            lowercase: spec.normalizer.lowercase,
          },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor:
      processor === null
        ? null
        : {
            type: 'TemplateProcessing',
            single: templateJson(processor.single),
            pair: templateJson(processor.pair),
            special_tokens: Object.fromEntries(
              [...processor.specialTokens].map(([name, value]) => [name, { id: name, ids: value.ids, tokens: value.tokens }]),
            ),
          },
    decoder: spec.decoder === null ? null : { type: 'WordPiece', prefix: spec.decoder.prefix, cleanup: spec.decoder.cleanup },
    model: {
      type: 'WordPiece',
      unk_token: spec.wordPiece.unkToken,
      continuing_subword_prefix: spec.wordPiece.continuingSubwordPrefix,
      max_input_chars_per_word: spec.wordPiece.maxInputCharsPerWord,
      vocab,
    },
  };
}

/** vocab.txt needs ids 0..n-1 without gaps (the line number is the id). */
export function vocabTxtOf(spec: BertTokenizerSpec): string {
  const tokens: string[] = new Array<string>(spec.vocab.size);
  for (const [token, id] of spec.vocab) {
    if (id >= tokens.length) throw new Error(`vocab.txt: ids must be 0..${spec.vocab.size - 1} without gaps (found ${id})`);
    tokens[id] = token;
  }
  for (const token of tokens) {
    if (token.includes('\n')) throw new Error(`vocab.txt: token ${JSON.stringify(token)} contains a line break`);
  }
  return `${tokens.join('\n')}\n`;
}

export function tokenizerConfigOf(spec: BertTokenizerSpec): Record<string, unknown> {
  const normalizer = spec.normalizer;
  const names = spec.specialTokens;
  const config: Record<string, unknown> = {
    clean_up_tokenization_spaces: spec.cleanUpTokenizationSpaces,
    cls_token: names.cls,
    do_lower_case: normalizer?.lowercase ?? false,
    mask_token: names.mask,
    pad_token: names.pad,
    sep_token: names.sep,
    strip_accents: normalizer === null ? false : normalizer.stripAccents,
    tokenize_chinese_chars: normalizer?.handleChineseChars ?? false,
    tokenizer_class: 'BertTokenizer',
    unk_token: names.unk,
  };
  if (Number.isFinite(spec.modelMaxLength)) config.model_max_length = spec.modelMaxLength;
  return config;
}

export function specialTokensMapOf(spec: BertTokenizerSpec): Record<string, string> {
  const names = spec.specialTokens;
  const map: Record<string, string> = {};
  if (names.cls !== undefined) map.cls_token = names.cls;
  if (names.mask !== undefined) map.mask_token = names.mask;
  if (names.pad !== undefined) map.pad_token = names.pad;
  if (names.sep !== undefined) map.sep_token = names.sep;
  map.unk_token = names.unk;
  return map;
}
