import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite';
import { checkModelFileLink } from '../modelFileLinks';
import { BertTokenizer } from './bertTokenizer';
import { byteLevelBpeTokenizerJson, tokenizerClass } from './library/byteLevelBpe';
import { LibraryTokenizer } from './library/libraryTokenizer';
import { addedTokensOfConfig, configuredToken, withConfigOverrides } from './library/tokenizerConfig';
import { readSentencePieceModel } from './sentencepiece/sentencepieceModel';
import { SPM_SPECIAL_DEFAULTS, spmFlavor, spmTokenizerJson } from './sentencepiece/spmConverter';
import type { Tokenizer } from './tokenizer';
import { TOKENIZER_FILES } from './tokenizerFileNames';
import { asObject, parseJson, specFromFiles } from './tokenizerFiles';

/** Bumped when the SentencePiece conversion changes what it writes, so cached conversions are redone. */
const SPM_CONVERTER_VERSION = 1;

export interface LoadTokenizerOptions {
  /** Where converted SentencePiece tokenizers are cached; default $BERT_LENS_CACHE or ~/.cache/bert-lens. */
  cacheDir?: string;
}

function defaultCacheDir(): string {
  return process.env.BERT_LENS_CACHE ?? path.join(os.homedir(), '.cache', 'bert-lens');
}

/** A file of the model folder `dir`, passed through the symbolic-link rule; undefined when absent. */
async function readFolderFile(dir: string, file: string): Promise<Buffer | undefined> {
  await checkModelFileLink(dir, file);
  return readOptional(file);
}

async function readOptional(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read (${(error as Error).message})`);
  }
}

async function readJsonObjectOptional(dir: string, file: string): Promise<Record<string, unknown>> {
  const bytes = await readFolderFile(dir, file);
  return bytes === undefined ? {} : asObject(parseJson(bytes.toString('utf8'), file), file);
}

/** Can the hand-written WordPiece serve this tokenizer.json (BertNormalizer or none, BertPreTokenizer)? */
function handWrittenServes(root: Record<string, unknown>): boolean {
  const model = root.model as Record<string, unknown> | undefined;
  const normalizer = root.normalizer as Record<string, unknown> | null | undefined;
  const preTokenizer = root.pre_tokenizer as Record<string, unknown> | null | undefined;
  return (
    (model?.type === undefined || model.type === 'WordPiece') &&
    (normalizer === null || normalizer === undefined || normalizer.type === 'BertNormalizer') &&
    preTokenizer?.type === 'BertPreTokenizer'
  );
}

/**
 * The tokenizer of an HF model folder, of whatever type, as transformers' AutoTokenizer picks it:
 * `tokenizer.json` first; else `vocab.txt` (WordPiece); else `vocab.json` + `merges.txt` (byte-level
 * BPE); else a SentencePiece `.model`, converted to a tokenizer.json once and cached under the hash
 * of its inputs; a legacy added_tokens.json beside them adds its tokens. WordPiece runs on the hand-written implementation (measured as exact and faster,
 * see BENCHMARKS.md); every other type on HF's Rust library. tokenizer_config.json and
 * special_tokens_map.json are honoured for every type.
 */
export async function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): Promise<Tokenizer> {
  const at = (name: string): string => path.join(dir, name);
  let config = await readJsonObjectOptional(dir, at(TOKENIZER_FILES.tokenizerConfig));
  const specialMap = await readJsonObjectOptional(dir, at(TOKENIZER_FILES.specialTokensMap));

  const tokenizerJson = await readFolderFile(dir, at(TOKENIZER_FILES.tokenizerJson));
  if (tokenizerJson === undefined) {
    // A slow tokenizer's save_pretrained keeps the tokens added to it in added_tokens.json.
    const legacy = await readJsonObjectOptional(dir, at(TOKENIZER_FILES.addedTokens));
    // DeBERTa-v3 folders keep [MASK] only there, special by DebertaV2Tokenizer's default mask_token.
    const defaults = Object.keys(legacy).length > 0 ? await sentencePieceClassDefaults(dir, config) : {};
    config = withLegacyAddedTokens(config, specialMap, legacy, at(TOKENIZER_FILES.addedTokens), defaults);
  }
  if (tokenizerJson !== undefined) {
    const text = tokenizerJson.toString('utf8');
    const root = asObject(parseJson(text, at(TOKENIZER_FILES.tokenizerJson)), at(TOKENIZER_FILES.tokenizerJson));
    if (handWrittenServes(root)) return new BertTokenizer(specFromFiles({ tokenizerJson: text, tokenizerConfig: JSON.stringify(config), specialTokensMap: JSON.stringify(specialMap) }, dir));
    return libraryTokenizer(root, config, specialMap, at(TOKENIZER_FILES.tokenizerJson));
  }

  const vocabTxt = await readFolderFile(dir, at(TOKENIZER_FILES.vocabTxt));
  if (vocabTxt !== undefined) {
    const spec = specFromFiles({ vocabTxt: vocabTxt.toString('utf8'), tokenizerConfig: JSON.stringify(config), specialTokensMap: JSON.stringify(specialMap) }, dir);
    // BertTokenizerFast adds tokenizer_config.json's added_tokens_decoder (and so added_tokens.json) to the converted vocab.txt.
    const known = new Set(spec.addedTokens.map((token) => token.id));
    for (const token of addedTokensOfConfig(config, at(TOKENIZER_FILES.tokenizerConfig))) {
      if (known.has(token.id)) continue;
      spec.addedTokens.push({ id: token.id, content: token.content, singleWord: token.single_word, lstrip: token.lstrip, rstrip: token.rstrip, normalized: token.normalized, special: token.special });
    }
    spec.addedTokens.sort((a, b) => a.id - b.id);
    return new BertTokenizer(spec);
  }

  const vocabJson = await readFolderFile(dir, at(TOKENIZER_FILES.vocabJson));
  const merges = await readFolderFile(dir, at(TOKENIZER_FILES.merges));
  if (vocabJson !== undefined || merges !== undefined) {
    if (vocabJson === undefined || merges === undefined) {
      const missing = vocabJson === undefined ? TOKENIZER_FILES.vocabJson : TOKENIZER_FILES.merges;
      throw new Error(`${at(missing)} is missing: a byte-level BPE tokenizer needs both vocab.json and merges.txt`);
    }
    const root = byteLevelBpeTokenizerJson(vocabJson.toString('utf8'), merges.toString('utf8'), config, specialMap, {
      vocab: at(TOKENIZER_FILES.vocabJson),
      merges: at(TOKENIZER_FILES.merges),
    });
    return new LibraryTokenizer(JSON.stringify(root), config, specialMap, at(TOKENIZER_FILES.vocabJson));
  }

  for (const name of TOKENIZER_FILES.sentencePiece) {
    const bytes = await readFolderFile(dir, at(name));
    if (bytes === undefined) continue;
    const converted = await convertedSentencePiece(dir, name, bytes, config, specialMap, options.cacheDir ?? defaultCacheDir());
    return new LibraryTokenizer(converted, config, specialMap, at(name));
  }
  throw new Error(
    `${dir}: no tokenizer found (expected tokenizer.json, vocab.txt, vocab.json + merges.txt, or a SentencePiece ${TOKENIZER_FILES.sentencePiece.join(' / ')})`,
  );
}

/**
 * tokenizer_config.json with the entries of a legacy added_tokens.json ({"token": id}) that its
 * `added_tokens_decoder` lacks, as transformers' `_from_pretrained` reads that file: special when the
 * token is one of the special tokens (then not normalized), else a normalized plain added token.
 */
function withLegacyAddedTokens(
  config: Record<string, unknown>,
  specialMap: Record<string, unknown>,
  legacy: Record<string, unknown>,
  source: string,
  /** The slow tokenizer class's own special-token defaults (a SentencePiece folder's), for keys no file sets. */
  classDefaults: Record<string, string> = {},
): Record<string, unknown> {
  const entries = Object.entries(legacy);
  if (entries.length === 0) return config;
  const decoder = { ...(config.added_tokens_decoder === undefined || config.added_tokens_decoder === null ? {} : asObject(config.added_tokens_decoder, 'tokenizer_config.json: added_tokens_decoder')) };
  const specials = new Set<string>();
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token']) {
    const token = configuredToken(key, config, specialMap, source) ?? classDefaults[key];
    if (token !== undefined) specials.add(token);
  }
  for (const list of [specialMap.additional_special_tokens, config.additional_special_tokens]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const token = typeof item === 'string' ? item : typeof (item as { content?: unknown })?.content === 'string' ? (item as { content: string }).content : undefined;
      if (token !== undefined) specials.add(token);
    }
  }
  for (const [content, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) throw new Error(`${source}: "${content}" must map to a non-negative integer id (got ${JSON.stringify(id)})`);
    if (content === '') throw new Error(`${source}: an added token must not be empty`);
    if (String(id) in decoder) continue;
    const special = specials.has(content);
    decoder[String(id)] = { content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special };
  }
  return { ...config, added_tokens_decoder: decoder };
}

function libraryTokenizer(root: Record<string, unknown>, config: Record<string, unknown>, specialMap: Record<string, unknown>, source: string): Tokenizer {
  return new LibraryTokenizer(JSON.stringify(withConfigOverrides(root, config, source)), config, specialMap, source);
}

/**
 * The tokenizer.json of a SentencePiece model, from the cache when the same model, configuration
 * and converter version were converted before (conversion reads every piece; large models have
 * 250,000), else converted and cached atomically.
 */
/**
 * The special-token defaults of the slow tokenizer class a folder's SentencePiece model is read as
 * (spmFlavor: tokenizer_class, config.json model_type, the file name); none where a vocab.txt or
 * vocab.json is read first, or no SentencePiece model is there.
 */
async function sentencePieceClassDefaults(dir: string, config: Record<string, unknown>): Promise<Record<string, string>> {
  const exists = (name: string) => fs.access(path.join(dir, name)).then(() => true, () => false);
  if ((await exists(TOKENIZER_FILES.vocabTxt)) || (await exists(TOKENIZER_FILES.vocabJson))) return {};
  for (const name of TOKENIZER_FILES.sentencePiece) {
    if (!(await exists(name))) continue;
    const modelConfig = await readJsonObjectOptional(dir, path.join(dir, 'config.json')).catch(() => ({}) as Record<string, unknown>);
    const flavor = spmFlavor(tokenizerClass(config), typeof modelConfig.model_type === 'string' ? modelConfig.model_type : undefined, name);
    return flavor === 'plain' ? {} : SPM_SPECIAL_DEFAULTS[flavor];
  }
  return {};
}

async function convertedSentencePiece(
  dir: string,
  name: string,
  bytes: Buffer,
  config: Record<string, unknown>,
  specialMap: Record<string, unknown>,
  cacheDir: string,
): Promise<string> {
  const modelConfig = await readJsonObjectOptional(dir, path.join(dir, 'config.json')).catch(() => ({}) as Record<string, unknown>);
  const modelType = typeof modelConfig.model_type === 'string' ? modelConfig.model_type : undefined;
  const flavor = spmFlavor(tokenizerClass(config), modelType, name);
  const key = createHash('sha256')
    .update(bytes)
    .update(JSON.stringify([flavor, config, specialMap, SPM_CONVERTER_VERSION]))
    .digest('hex')
    .slice(0, 32);
  const target = path.join(cacheDir, 'tokenizers', `${key}-spm-v${SPM_CONVERTER_VERSION}.json`);
  const cached = await readOptional(target).catch(() => undefined);
  if (cached !== undefined) return cached.toString('utf8');
  const source = path.join(dir, name);
  const model = readSentencePieceModel(bytes, source);
  const root = spmTokenizerJson(model, flavor, config, specialMap, source);
  const json = JSON.stringify(withConfigOverrides(root, config, source));
  // The cache only saves time: a read-only or full cache directory must not stop the model loading.
  await writeFileAtomic(target, json).catch(() => undefined);
  return json;
}
