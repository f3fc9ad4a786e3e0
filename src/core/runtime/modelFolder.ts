import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../bert/config';
import {
  readSafetensors, readSafetensorsHeader, type SafetensorsFile, type SafetensorsHeader, type TensorInfo, type TypedTensorData,
} from './safetensors';
import { configWeightsMismatch } from './configMatchesWeights';
import { checkModelFileLink, ModelFolderError } from './modelFileLinks';
import { canonicalizeKeys, type KeyRename } from './stateDictKeys';
import { TOKENIZER_FILES } from './tokenizer/tokenizerFileNames';
import { readTorchCheckpoint } from './weights/torchCheckpoint';
import { jsonErrorLocation } from '../util/jsonSyntax';

/**
 * A model folder in the Hugging Face layout, as written by `save_pretrained` / found on the hub:
 *
 *   config.json                     BertConfig with id2label (required)
 *   tokenizer.json and/or vocab.txt, or vocab.json + merges.txt, or a SentencePiece .model (at least one)
 *   tokenizer_config.json, special_tokens_map.json (optional)
 *   model.safetensors, or model.safetensors.index.json + shards (weights for training / conversion);
 *   else pytorch_model.bin or pytorch_model.bin.index.json + shards, read without running the pickle
 *   onnx/model.onnx, onnx/model_quantized.onnx (inference; model.onnx at the top level is accepted too)
 */

export const MODEL_FILES = {
  config: 'config.json',
  tokenizerJson: 'tokenizer.json',
  vocab: 'vocab.txt',
  tokenizerConfig: 'tokenizer_config.json',
  specialTokensMap: 'special_tokens_map.json',
  safetensors: 'model.safetensors',
  safetensorsIndex: 'model.safetensors.index.json',
  pytorch: 'pytorch_model.bin',
  pytorchIndex: 'pytorch_model.bin.index.json',
  onnx: 'onnx/model.onnx',
  onnxQuantized: 'onnx/model_quantized.onnx',
} as const;

const UNSUPPORTED_WEIGHTS: Record<string, string> = {
  'tf_model.h5': 'TensorFlow checkpoints',
  'flax_model.msgpack': 'Flax checkpoints',
};

export interface ModelFolderFiles {
  config: string;
  tokenizerJson?: string;
  vocab?: string;
  /** Byte-level BPE (RoBERTa, GPT-2): both or neither. */
  vocabJson?: string;
  merges?: string;
  /** A SentencePiece model (sentencepiece.bpe.model, spm.model, ...). */
  sentencePiece?: string;
  tokenizerConfig?: string;
  specialTokensMap?: string;
  /** model.safetensors, or every shard named by the index (in first-use order). */
  safetensors?: string[];
  safetensorsIndex?: string;
  /** pytorch_model.bin, or every shard named by its index; only when there are no safetensors (as transformers). */
  pytorch?: string[];
  pytorchIndex?: string;
  onnx?: string;
  onnxQuantized?: string;
}

export interface ModelFolder {
  /** Absolute path of the folder. */
  dir: string;
  config: BertConfig;
  /** Absolute paths of the files that exist. */
  files: ModelFolderFiles;
  tokenizerConfig?: Record<string, unknown>;
  specialTokensMap?: Record<string, unknown>;
}

export { ModelFolderError };

export interface InspectOptions {
  /** Throw when the folder has neither safetensors nor ONNX weights (default true). */
  requireWeights?: boolean;
}

/**
 * Finds and validates the files of a model folder without loading the weights: JSON files are
 * parsed, safetensors headers are read and checked against the file size (catching truncated
 * downloads), every shard named by an index must exist.
 */
export async function inspectModelFolder(dir: string, options: InspectOptions = {}): Promise<ModelFolder> {
  const root = path.resolve(dir);
  const stat = await fs.stat(root).catch(() => undefined);
  if (!stat) throw new ModelFolderError(root, `Model folder not found: ${root}`);
  if (!stat.isDirectory()) throw new ModelFolderError(root, `Not a model folder (a file, not a directory): ${root}`);
  const at = (name: string) => path.join(root, name);
  // Every file the folder's readers use is found here, and passes the symbolic-link rule first.
  const exists = async (name: string): Promise<boolean> => {
    if (!((await fs.stat(at(name)).catch(() => undefined))?.isFile() ?? false)) return false;
    await checkModelFileLink(root, at(name));
    return true;
  };

  if (!(await exists(MODEL_FILES.config))) {
    throw new ModelFolderError(at(MODEL_FILES.config), `${at(MODEL_FILES.config)} is missing: a model folder needs config.json (HF layout)`);
  }
  const rawConfig = await readJsonFile(at(MODEL_FILES.config));
  let config: BertConfig;
  try {
    config = parseBertConfig(rawConfig, at(MODEL_FILES.config));
  } catch (error) {
    throw new ModelFolderError(at(MODEL_FILES.config), (error as Error).message);
  }
  const files: ModelFolderFiles = { config: at(MODEL_FILES.config) };
  const folder: ModelFolder = { dir: root, config, files };

  if (await exists(MODEL_FILES.tokenizerJson)) {
    files.tokenizerJson = at(MODEL_FILES.tokenizerJson);
    const tokenizer = await readJsonFile(files.tokenizerJson);
    if (typeof tokenizer !== 'object' || tokenizer === null || !('model' in tokenizer)) {
      throw new ModelFolderError(files.tokenizerJson, `${files.tokenizerJson}: not a tokenizers JSON file (no "model" entry)`);
    }
  }
  if (await exists(MODEL_FILES.vocab)) {
    files.vocab = at(MODEL_FILES.vocab);
    if ((await fs.stat(files.vocab)).size === 0) throw new ModelFolderError(files.vocab, `${files.vocab} is empty`);
  }
  if (await exists(TOKENIZER_FILES.vocabJson)) files.vocabJson = at(TOKENIZER_FILES.vocabJson);
  if (await exists(TOKENIZER_FILES.merges)) files.merges = at(TOKENIZER_FILES.merges);
  for (const name of TOKENIZER_FILES.sentencePiece) {
    if (!files.sentencePiece && (await exists(name))) files.sentencePiece = at(name);
  }
  const byteLevel = files.vocabJson !== undefined && files.merges !== undefined;
  if (!files.tokenizerJson && !files.vocab && !byteLevel && !files.sentencePiece) {
    throw new ModelFolderError(
      at(MODEL_FILES.vocab),
      `${root} has no tokenizer: expected tokenizer.json or vocab.txt, vocab.json + merges.txt, or a SentencePiece ${TOKENIZER_FILES.sentencePiece.join(' / ')}`,
    );
  }
  if (await exists(MODEL_FILES.tokenizerConfig)) {
    files.tokenizerConfig = at(MODEL_FILES.tokenizerConfig);
    folder.tokenizerConfig = await readJsonObject(files.tokenizerConfig);
  }
  if (await exists(MODEL_FILES.specialTokensMap)) {
    files.specialTokensMap = at(MODEL_FILES.specialTokensMap);
    folder.specialTokensMap = await readJsonObject(files.specialTokensMap);
  }

  let shapes: Map<string, readonly number[]> | undefined;
  if (await exists(MODEL_FILES.safetensors)) {
    files.safetensors = [at(MODEL_FILES.safetensors)];
    shapes = await checkSafetensors(files.safetensors[0]!);
  } else if (await exists(MODEL_FILES.safetensorsIndex)) {
    files.safetensorsIndex = at(MODEL_FILES.safetensorsIndex);
    ({ shards: files.safetensors, shapes } = await checkShards(root, files.safetensorsIndex, true));
  } else if (await exists(MODEL_FILES.pytorch)) {
    files.pytorch = [await checkNonEmpty(at(MODEL_FILES.pytorch))];
  } else if (await exists(MODEL_FILES.pytorchIndex)) {
    files.pytorchIndex = at(MODEL_FILES.pytorchIndex);
    ({ shards: files.pytorch } = await checkShards(root, files.pytorchIndex, false));
  }
  if (shapes) {
    const weightsName = files.safetensorsIndex ? MODEL_FILES.safetensorsIndex : MODEL_FILES.safetensors;
    let mismatch: string | undefined;
    try {
      mismatch = configWeightsMismatch(config, shapes, weightsName);
    } catch (error) {
      throw new ModelFolderError(files.safetensorsIndex ?? files.safetensors![0]!, (error as Error).message);
    }
    if (mismatch) throw new ModelFolderError(files.config, `${files.config} does not describe the weights: ${mismatch}`);
  }
  for (const onnxName of [MODEL_FILES.onnx, 'model.onnx']) {
    if (!files.onnx && (await exists(onnxName))) files.onnx = await checkNonEmpty(at(onnxName));
  }
  if (await exists(MODEL_FILES.onnxQuantized)) files.onnxQuantized = await checkNonEmpty(at(MODEL_FILES.onnxQuantized));

  if ((options.requireWeights ?? true) && !files.safetensors && !files.pytorch && !files.onnx && !files.onnxQuantized) {
    throw await noWeightsError(root, config);
  }
  return folder;
}

/** The architecture-aware hint for converting TensorFlow / Flax weights: `save_pretrained` writes safetensors by default. */
async function noWeightsError(root: string, config: BertConfig): Promise<ModelFolderError> {
  for (const [name, what] of Object.entries(UNSUPPORTED_WEIGHTS)) {
    const file = path.join(root, name);
    if (await fs.stat(file).catch(() => undefined)) {
      const cls = config.architectures?.[0] ?? 'AutoModel';
      const fromTf = name === 'tf_model.h5' ? ', from_tf=True' : name === 'flax_model.msgpack' ? ', from_flax=True' : '';
      return new ModelFolderError(file,
        `${file}: ${what} are not supported. ` +
        `Convert the folder to safetensors once, e.g. in Python: ` +
        `from transformers import ${cls}; ${cls}.from_pretrained(${JSON.stringify(root)}${fromTf}).save_pretrained(${JSON.stringify(root)})`);
    }
  }
  return new ModelFolderError(path.join(root, MODEL_FILES.safetensors),
    `${root} has no weights: expected model.safetensors, model.safetensors.index.json, pytorch_model.bin, pytorch_model.bin.index.json or onnx/model.onnx`);
}

/** Validates a safetensors header; returns the shape of every tensor in it. */
async function checkSafetensors(file: string): Promise<Map<string, readonly number[]>> {
  try {
    return shapesOf(await readSafetensorsHeader(file));
  } catch (error) {
    throw new ModelFolderError(file, (error as Error).message);
  }
}

function shapesOf(header: SafetensorsHeader): Map<string, readonly number[]> {
  return new Map([...header.tensors].map(([name, info]) => [name, info.shape]));
}

async function checkNonEmpty(file: string): Promise<string> {
  if ((await fs.stat(file)).size === 0) throw new ModelFolderError(file, `${file} is empty`);
  return file;
}

export interface ShardIndex {
  /** tensor name → shard file name (relative to the folder) */
  weight_map: Record<string, string>;
}

/** Reads model.safetensors.index.json; shard names must stay inside the folder. */
export async function readShardIndex(indexFile: string): Promise<ShardIndex> {
  const index = await readJsonObject(indexFile);
  const map = index.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map) || !Object.values(map).every(isPlainRelativeFile)) {
    throw new ModelFolderError(indexFile, `${indexFile}: "weight_map" must map tensor names to shard file names inside the folder`);
  }
  return { weight_map: map as Record<string, string> };
}

/** A relative path without `..`, `.` or empty segments, absolute roots or backslashes. */
export function isPlainRelativeFile(name: unknown): name is string {
  return typeof name === 'string' && /^[\w.-]+(\/[\w.-]+)*$/.test(name) && !name.split('/').some((part) => part === '..' || part === '.');
}

/**
 * Each shard must exist; safetensors shards (whose headers are cheap to read) must also be valid and
 * hold the tensors the index puts in them, and their shapes are returned — pickled shards are checked
 * when they are loaded.
 */
async function checkShards(
  root: string, indexFile: string, readHeaders: boolean,
): Promise<{ shards: string[]; shapes: Map<string, readonly number[]> }> {
  const index = await readShardIndex(indexFile);
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of Object.entries(index.weight_map)) {
    byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
  }
  const shards: string[] = [];
  const shapes = new Map<string, readonly number[]>();
  for (const [shard, tensors] of byShard) {
    const file = path.join(root, shard);
    if (!(await fs.stat(file).catch(() => undefined))) {
      throw new ModelFolderError(file, `${file} is missing (listed in ${indexFile})`);
    }
    await checkModelFileLink(root, file);
    if (!readHeaders) {
      shards.push(await checkNonEmpty(file));
      continue;
    }
    let header;
    try {
      header = await readSafetensorsHeader(file);
    } catch (error) {
      throw new ModelFolderError(file, (error as Error).message);
    }
    const absent = tensors.find((tensor) => !header.tensors.has(tensor));
    if (absent) throw new ModelFolderError(file, `${file} has no tensor "${absent}" although ${indexFile} puts it there`);
    for (const [name, shape] of shapesOf(header)) shapes.set(name, shape);
    shards.push(file);
  }
  return { shards, shapes };
}

/**
 * The weights of a folder under canonical HF names, backed by one or more safetensors files.
 * Tensors are views into the files' buffers (see SafetensorsFile); `renamed` lists the checkpoint
 * keys that were mapped (legacy LayerNorm names, missing base-model prefix), for the caller to report.
 */
export class CheckpointWeights {
  constructor(
    private readonly entries: Map<string, { file: SafetensorsFile; key: string }>,
    readonly renamed: KeyRename[],
    readonly sources: string[],
  ) {}

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  info(name: string): TensorInfo {
    const { file, key } = this.entry(name);
    return file.info(key);
  }

  float32(name: string): Float32Array {
    const { file, key } = this.entry(name);
    return file.float32(key);
  }

  typed(name: string): TypedTensorData {
    const { file, key } = this.entry(name);
    return file.typed(key);
  }

  private entry(name: string): { file: SafetensorsFile; key: string } {
    const entry = this.entries.get(name);
    if (!entry) throw new ModelFolderError(this.sources[0] ?? '', `${this.sources.join(', ')}: no tensor named "${name}"`);
    return entry;
  }
}

/** The files holding a folder's weights as tensors: safetensors when present, else PyTorch pickles. */
export function checkpointFiles(folder: ModelFolder): string[] | undefined {
  return folder.files.safetensors ?? folder.files.pytorch;
}

/**
 * Loads model.safetensors (or all shards) of an inspected folder, or pytorch_model.bin (or its
 * shards) when the folder has no safetensors; float16/bfloat16 convert on access.
 */
export async function loadSafetensorsWeights(folder: ModelFolder): Promise<CheckpointWeights> {
  const sources = checkpointFiles(folder);
  if (!sources || sources.length === 0) {
    throw new ModelFolderError(path.join(folder.dir, MODEL_FILES.safetensors),
      `${folder.dir} has no model.safetensors or pytorch_model.bin (needed for training and for building the ONNX graph)`);
  }
  const read = folder.files.safetensors ? readSafetensors : readTorchCheckpoint;
  const files: SafetensorsFile[] = [];
  for (const source of sources) {
    try {
      files.push(await read(source));
    } catch (error) {
      throw new ModelFolderError(source, (error as Error).message);
    }
  }
  const owner = new Map<string, SafetensorsFile>();
  for (const file of files) {
    for (const key of file.names()) {
      const previous = owner.get(key);
      if (previous) throw new ModelFolderError(file.source, `tensor "${key}" is in both ${previous.source} and ${file.source}`);
      owner.set(key, file);
    }
  }
  let canonical;
  const weightsName = sources.map((s) => path.basename(s)).join(', ');
  let mismatch: string | undefined;
  try {
    canonical = canonicalizeKeys(owner.keys(), sources.join(', '), folder.config.model_type);
    // Pickled checkpoints are only read now: the check inspectModelFolder makes on safetensors headers.
    if (!folder.files.safetensors) mismatch = configWeightsMismatch(folder.config, new Map([...owner].map(([key, file]) => [key, file.info(key).shape])), weightsName);
  } catch (error) {
    throw new ModelFolderError(sources[0]!, (error as Error).message);
  }
  if (mismatch) throw new ModelFolderError(folder.files.config, `${folder.files.config} does not describe the weights: ${mismatch}`);
  const entries = new Map<string, { file: SafetensorsFile; key: string }>();
  for (const [name, key] of canonical.toOriginal) entries.set(name, { file: owner.get(key)!, key });
  return new CheckpointWeights(entries, canonical.renamed, sources);
}

/** Parses a JSON file; a syntax error names the file with line and column. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new ModelFolderError(file, `${file}: cannot read (${(error as Error).message})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch {
    // Not V8's message: it quotes the text, which may not be the user's (a symlink to /etc/passwd).
    const { line, column, problem } = jsonErrorLocation(text);
    throw new ModelFolderError(file, `${file}:${line}:${column}: invalid JSON (${problem})`);
  }
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFolderError(file, `${file}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
