import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AddedTokenSpec } from './addedTokens';
import type { BertNormalizerOptions } from './bertNormalizer';
import { BertTokenizer, specFromVocab } from './bertTokenizer';
import type { BertTokenizerSpec, PostProcessorSpec, SpecialTokenNames, TemplatePiece } from './tokenizerSpec';
import { bertTemplate, robertaTemplate } from './tokenizerSpec';
import { jsonErrorLocation } from '../../util/jsonSyntax';
import { ModelFolderError, modelFilePath } from '../modelFileLinks';

/** The contents (not paths) of a model folder's tokenizer files; absent files are undefined. */
export interface TokenizerFileContents {
  tokenizerJson?: string;
  vocabTxt?: string;
  tokenizerConfig?: string;
  specialTokensMap?: string;
}

/** HF's "infinite" model_max_length sentinel (VERY_LARGE_INTEGER = int(1e30)) and anything like it. */
const UNSET_MAX_LENGTH = 1e20;

/**
 * Loads the tokenizer of an HF model folder: `tokenizer.json` when present (it wins over
 * `vocab.txt`), else `vocab.txt`; `tokenizer_config.json` and `special_tokens_map.json` are read
 * when present.
 */
export async function loadBertTokenizer(dir: string): Promise<BertTokenizer> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      return await fs.readFile(await modelFilePath(dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (error instanceof ModelFolderError) throw error;
      throw new Error(`${path.join(dir, name)}: cannot read (${(error as Error).message})`);
    }
  };
  const [tokenizerJson, vocabTxt, tokenizerConfig, specialTokensMap] = await Promise.all([
    read('tokenizer.json'),
    read('vocab.txt'),
    read('tokenizer_config.json'),
    read('special_tokens_map.json'),
  ]);
  return bertTokenizerFromFiles({ tokenizerJson, vocabTxt, tokenizerConfig, specialTokensMap }, dir);
}

/** Same as loadBertTokenizer, from file contents; `dir` only names the files in error messages. */
export function bertTokenizerFromFiles(files: TokenizerFileContents, dir = '.'): BertTokenizer {
  return new BertTokenizer(specFromFiles(files, dir));
}

export function specFromFiles(files: TokenizerFileContents, dir = '.'): BertTokenizerSpec {
  const where = (name: string): string => path.join(dir, name);
  const config =
    files.tokenizerConfig === undefined ? {} : asObject(parseJson(files.tokenizerConfig, where('tokenizer_config.json')), where('tokenizer_config.json'));
  const specialMap =
    files.specialTokensMap === undefined
      ? {}
      : asObject(parseJson(files.specialTokensMap, where('special_tokens_map.json')), where('special_tokens_map.json'));
  if (files.tokenizerJson !== undefined) {
    return specFromTokenizerJson(parseJson(files.tokenizerJson, where('tokenizer.json')), config, specialMap, where('tokenizer.json'));
  }
  if (files.vocabTxt !== undefined) {
    return specFromVocabTxt(files.vocabTxt, config, specialMap, where('vocab.txt'));
  }
  throw new Error(`${dir}: no tokenizer found (expected tokenizer.json or vocab.txt)`);
}

/** vocab.txt: one token per line, id = line index (HF `load_vocab`; a later duplicate wins). */
export function parseVocabTxt(text: string, source = 'vocab.txt'): Map<string, number> {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new Error(`${source}: empty vocabulary`);
  const vocab = new Map<string, number>();
  // A CRLF file would otherwise put '\r' into every token (HF keeps it, silently breaking the model).
  lines.forEach((line, id) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, id));
  return vocab;
}

export function specFromVocabTxt(
  text: string,
  config: Record<string, unknown>,
  specialMap: Record<string, unknown>,
  source = 'vocab.txt',
): BertTokenizerSpec {
  const vocab = parseVocabTxt(text, source);
  const names = specialNames(config, specialMap, source);
  for (const [role, name] of Object.entries(names)) {
    if (name !== undefined && !vocab.has(name) && (role === 'unk' || role === 'cls' || role === 'sep')) {
      throw new Error(`${source}: the ${role} token "${name}" is not in the vocabulary`);
    }
  }
  const spec = specFromVocab(vocab, {
    lowercase: optionalBoolean(config, 'do_lower_case', source) ?? true,
    stripAccents: optionalBoolean(config, 'strip_accents', source) ?? null,
    handleChineseChars: optionalBoolean(config, 'tokenize_chinese_chars', source) ?? true,
    modelMaxLength: modelMaxLength(config, source),
    unkToken: names.unk,
    clsToken: names.cls,
    sepToken: names.sep,
    padToken: names.pad,
    maskToken: names.mask,
  });
  spec.cleanUpTokenizationSpaces = optionalBoolean(config, 'clean_up_tokenization_spaces', source) ?? true;
  return spec;
}

/**
 * tokenizer.json (HF `tokenizers` serialization) with a BertNormalizer (or none), BertPreTokenizer,
 * WordPiece model, TemplateProcessing/BertProcessing post-processor and WordPiece decoder.
 * tokenizer_config.json adds model_max_length, special-token names and clean_up_tokenization_spaces;
 * like transformers' BertTokenizerFast, an explicit do_lower_case / strip_accents /
 * tokenize_chinese_chars there overrides the normalizer. `truncation`/`padding` in the file are
 * ignored: windows and padding are the caller's choice.
 */
export function specFromTokenizerJson(
  json: unknown,
  config: Record<string, unknown> = {},
  specialMap: Record<string, unknown> = {},
  source = 'tokenizer.json',
): BertTokenizerSpec {
  const root = asObject(json, source);
  const model = asObject(root.model, `${source}: model`);
  if (model.type !== undefined && model.type !== 'WordPiece') {
    throw new Error(`${source}: model.type "${String(model.type)}" is not supported (only WordPiece)`);
  }
  const vocabObject = asObject(model.vocab, `${source}: model.vocab`);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(vocabObject)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(`${source}: model.vocab["${token}"] must be a non-negative integer id (got ${JSON.stringify(id)})`);
    }
    vocab.set(token, id);
  }
  const unkToken = optionalString(model, 'unk_token', `${source}: model`) ?? '[UNK]';
  if (!vocab.has(unkToken)) throw new Error(`${source}: model.unk_token "${unkToken}" is not in model.vocab`);

  const normalizer = parseNormalizer(root.normalizer, source);
  overrideNormalizerFromConfig(normalizer, config, source);
  parsePreTokenizer(root.pre_tokenizer, source);
  const addedTokens = parseAddedTokens(root.added_tokens, source);
  const postProcessor = parsePostProcessor(root.post_processor, source);
  const decoder = parseDecoder(root.decoder, source);

  const known = (token: string | undefined): string | undefined =>
    token !== undefined && (vocab.has(token) || addedTokens.some((t) => t.content === token)) ? token : undefined;
  const names = specialNames(config, specialMap, source);
  const resolved: SpecialTokenNames = {
    unk: unkToken,
    cls: known(names.cls),
    sep: known(names.sep),
    pad: known(names.pad),
    mask: known(names.mask),
  };

  return {
    vocab,
    normalizer,
    wordPiece: {
      unkToken,
      continuingSubwordPrefix: optionalString(model, 'continuing_subword_prefix', `${source}: model`) ?? '##',
      maxInputCharsPerWord: optionalInteger(model, 'max_input_chars_per_word', `${source}: model`) ?? 100,
    },
    addedTokens,
    postProcessor,
    decoder,
    specialTokens: resolved,
    modelMaxLength: modelMaxLength(config, source),
    cleanUpTokenizationSpaces: optionalBoolean(config, 'clean_up_tokenization_spaces', source) ?? true,
  };
}

function parseNormalizer(value: unknown, source: string): BertNormalizerOptions | null {
  if (value === null || value === undefined) return null;
  const normalizer = asObject(value, `${source}: normalizer`);
  if (normalizer.type !== 'BertNormalizer') {
    throw new Error(`${source}: normalizer.type "${String(normalizer.type)}" is not supported (only BertNormalizer)`);
  }
  const where = `${source}: normalizer`;
  const strip = normalizer.strip_accents;
  if (strip !== null && strip !== undefined && typeof strip !== 'boolean') {
    throw new Error(`${where}.strip_accents must be true, false or null`);
  }
  return {
    cleanText: optionalBoolean(normalizer, 'clean_text', where) ?? true,
    handleChineseChars: optionalBoolean(normalizer, 'handle_chinese_chars', where) ?? true,
    stripAccents: strip ?? null,
    lowercase: optionalBoolean(normalizer, 'lowercase', where) ?? true,
  };
}

function overrideNormalizerFromConfig(normalizer: BertNormalizerOptions | null, config: Record<string, unknown>, source: string): void {
  if (normalizer === null) return;
  const lowercase = optionalBoolean(config, 'do_lower_case', `${source} (tokenizer_config.json)`);
  const chinese = optionalBoolean(config, 'tokenize_chinese_chars', `${source} (tokenizer_config.json)`);
  if (lowercase !== undefined) normalizer.lowercase = lowercase;
  if (chinese !== undefined) normalizer.handleChineseChars = chinese;
  if ('strip_accents' in config) {
    const strip = config.strip_accents;
    if (strip !== null && typeof strip !== 'boolean') throw new Error(`tokenizer_config.json: strip_accents must be true, false or null`);
    normalizer.stripAccents = strip;
  }
}

function parsePreTokenizer(value: unknown, source: string): void {
  const preTokenizer = value === null || value === undefined ? null : asObject(value, `${source}: pre_tokenizer`);
  if (preTokenizer === null || preTokenizer.type !== 'BertPreTokenizer') {
    const type = preTokenizer === null ? 'null' : `"${String(preTokenizer.type)}"`;
    throw new Error(`${source}: pre_tokenizer ${type} is not supported (only BertPreTokenizer)`);
  }
}

export function parseAddedTokens(value: unknown, source: string): AddedTokenSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${source}: added_tokens must be an array`);
  return value.map((item, index) => {
    const where = `${source}: added_tokens[${index}]`;
    const entry = asObject(item, where);
    const id = entry.id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`${where}.id must be a non-negative integer`);
    const content = entry.content;
    if (typeof content !== 'string' || content.length === 0) throw new Error(`${where}.content must be a non-empty string`);
    const special = optionalBoolean(entry, 'special', where) ?? false;
    return {
      id,
      content,
      singleWord: optionalBoolean(entry, 'single_word', where) ?? false,
      lstrip: optionalBoolean(entry, 'lstrip', where) ?? false,
      rstrip: optionalBoolean(entry, 'rstrip', where) ?? false,
      normalized: optionalBoolean(entry, 'normalized', where) ?? !special,
      special,
    };
  });
}

/**
 * The special-token template of a tokenizer.json post_processor: TemplateProcessing, BertProcessing,
 * RobertaProcessing (`<s> $A </s>` / `<s> $A </s> </s> $B </s>`, every type id 0, as Rust's
 * roberta.rs), ByteLevel (no special tokens: null) or a Sequence of those (its one template).
 */
export function parsePostProcessor(value: unknown, source: string): PostProcessorSpec | null {
  if (value === null || value === undefined) return null;
  const where = `${source}: post_processor`;
  const processor = asObject(value, where);
  if (processor.type === 'ByteLevel') return null;
  if (processor.type === 'Sequence') {
    const steps = processor.processors;
    if (!Array.isArray(steps)) throw new Error(`${where}.processors must be an array`);
    const templates = steps.map((step, index) => parsePostProcessor(step, `${source}: post_processor.processors[${index}]`)).filter((t) => t !== null);
    if (templates.length > 1) throw new Error(`${where}: more than one step adds special tokens`);
    return templates[0] ?? null;
  }
  if (processor.type === 'RobertaProcessing') {
    const pair = (name: 'cls' | 'sep'): { token: string; id: number } => {
      const item = processor[name];
      if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'number') {
        throw new Error(`${where}.${name} must be ["token", id]`);
      }
      return { token: item[0], id: item[1] };
    };
    return robertaTemplate(pair('cls'), pair('sep'));
  }
  if (processor.type === 'BertProcessing') {
    const pair = (name: 'cls' | 'sep'): { token: string; id: number } => {
      const item = processor[name];
      if (!Array.isArray(item) || typeof item[0] !== 'string' || typeof item[1] !== 'number') {
        throw new Error(`${where}.${name} must be ["token", id]`);
      }
      return { token: item[0], id: item[1] };
    };
    return bertTemplate(pair('cls'), pair('sep'));
  }
  if (processor.type !== 'TemplateProcessing') {
    throw new Error(`${where}.type "${String(processor.type)}" is not supported (TemplateProcessing or BertProcessing)`);
  }
  const specialTokens = new Map<string, { ids: number[]; tokens: string[] }>();
  const specials = asObject(processor.special_tokens ?? {}, `${where}.special_tokens`);
  for (const [name, item] of Object.entries(specials)) {
    const entry = asObject(item, `${where}.special_tokens["${name}"]`);
    const ids = entry.ids;
    const tokens = entry.tokens;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'number' && Number.isInteger(id))) {
      throw new Error(`${where}.special_tokens["${name}"].ids must be an array of integer ids`);
    }
    if (!Array.isArray(tokens) || tokens.length !== ids.length || !tokens.every((t) => typeof t === 'string')) {
      throw new Error(`${where}.special_tokens["${name}"].tokens must be strings, one per id`);
    }
    specialTokens.set(name, { ids: ids as number[], tokens: tokens as string[] });
  }
  const template = (key: 'single' | 'pair'): TemplatePiece[] => {
    const items = processor[key];
    if (!Array.isArray(items)) throw new Error(`${where}.${key} must be an array`);
    return items.map((item, index) => {
      const at = `${where}.${key}[${index}]`;
      const piece = asObject(item, at);
      if (piece.SpecialToken !== undefined) {
        const special = asObject(piece.SpecialToken, at);
        const name = special.id;
        if (typeof name !== 'string' || !specialTokens.has(name)) {
          throw new Error(`${at}: special token ${JSON.stringify(name)} is not listed in special_tokens`);
        }
        return { kind: 'special', name, typeId: typeIdOf(special, at) };
      }
      if (piece.Sequence !== undefined) {
        const sequence = asObject(piece.Sequence, at);
        if (sequence.id !== 'A' && sequence.id !== 'B') throw new Error(`${at}: Sequence.id must be "A" or "B"`);
        return { kind: 'sequence', sequence: sequence.id === 'A' ? 0 : 1, typeId: typeIdOf(sequence, at) };
      }
      throw new Error(`${at} must be {"SpecialToken": ...} or {"Sequence": ...}`);
    });
  };
  return { single: template('single'), pair: template('pair'), specialTokens };
}

function typeIdOf(item: Record<string, unknown>, where: string): number {
  const typeId = item.type_id ?? 0;
  if (typeof typeId !== 'number' || !Number.isInteger(typeId) || typeId < 0) throw new Error(`${where}: type_id must be a non-negative integer`);
  return typeId;
}

function parseDecoder(value: unknown, source: string): BertTokenizerSpec['decoder'] {
  if (value === null || value === undefined) return null;
  const decoder = asObject(value, `${source}: decoder`);
  if (decoder.type !== 'WordPiece') throw new Error(`${source}: decoder.type "${String(decoder.type)}" is not supported (only WordPiece)`);
  return {
    prefix: optionalString(decoder, 'prefix', `${source}: decoder`) ?? '##',
    cleanup: optionalBoolean(decoder, 'cleanup', `${source}: decoder`) ?? true,
  };
}

/** Special-token names: special_tokens_map.json over tokenizer_config.json over BERT's defaults. */
function specialNames(config: Record<string, unknown>, specialMap: Record<string, unknown>, source: string): Required<SpecialTokenNames> {
  const name = (key: string, fallback: string): string => {
    for (const object of [specialMap, config]) {
      const value = object[key];
      if (value === undefined || value === null) continue;
      if (typeof value === 'string') return value;
      if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
        return (value as { content: string }).content;
      }
      throw new Error(`${source}: ${key} must be a string or {"content": ...}`);
    }
    return fallback;
  };
  return {
    unk: name('unk_token', '[UNK]'),
    cls: name('cls_token', '[CLS]'),
    sep: name('sep_token', '[SEP]'),
    pad: name('pad_token', '[PAD]'),
    mask: name('mask_token', '[MASK]'),
  };
}

export function modelMaxLength(config: Record<string, unknown>, source: string): number {
  const value = config.model_max_length;
  if (value === undefined || value === null) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || value <= 0) throw new Error(`${source}: tokenizer_config.json model_max_length must be a positive number`);
  return value >= UNSET_MAX_LENGTH ? Number.POSITIVE_INFINITY : value;
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text, which may not be the user's (a symlink out of the folder).
    const { line, column, problem } = jsonErrorLocation(text);
    throw new Error(`${file}:${line}:${column}: invalid JSON (${problem})`);
  }
}

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

export function optionalBoolean(object: Record<string, unknown>, key: string, where: string): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Error(`${where}: ${key} must be true or false (got ${JSON.stringify(value)})`);
  return value;
}

function optionalString(object: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: ${key} must be a string (got ${JSON.stringify(value)})`);
  return value;
}

function optionalInteger(object: Record<string, unknown>, key: string, where: string): number | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${key} must be a positive integer (got ${JSON.stringify(value)})`);
  }
  return value;
}
