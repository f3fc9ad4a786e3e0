import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { syncDirectory, writeFileAtomic } from '../util/atomicWrite';
import { describeWriteFailure } from '../util/diskFull';
import { firstNonFinite } from '../util/finite';
import { serializeSafetensorsChunks, type TensorToWrite } from '../runtime/safetensors';
import { exportInferenceOnnx } from './buildGraph';
import { type BertConfig, MODERNBERT_FIELDS } from './config';
import type { HeadKind } from './heads';
import { architectureOf } from './architecture';
import { canonicalName, weightSpecs } from './weightNames';
import { TOKENIZER_FOLDER_FILES } from '../runtime/tokenizer/tokenizerFileNames';

export interface SaveFolderOptions {
  config: BertConfig;
  head: HeadKind;
  weights: ReadonlyMap<string, Float32Array>;
  /** Tokenizer files to write as they are: file name → content (vocab.txt, vocab.json, merges.txt, a SentencePiece .model, ...). */
  tokenizerFiles: Record<string, string | Uint8Array>;
  /** Also write onnx/model.onnx (fused fp32) and, if asked, onnx/model_quantized.onnx (int8). */
  onnx?: boolean;
  quantized?: boolean;
  metadata?: Record<string, string>;
}

/** BERT-named fields of a DistilBERT config and the DistilBertConfig field each comes from (config.ts fromDistilBertConfig). */
const DISTILBERT_FIELDS: Record<string, string> = {
  hidden_size: 'dim', num_hidden_layers: 'n_layers', num_attention_heads: 'n_heads', intermediate_size: 'hidden_dim',
  hidden_act: 'activation', hidden_dropout_prob: 'dropout', attention_probs_dropout_prob: 'attention_dropout',
};
/** BERT-only fields that DistilBertConfig does not have (no token types, LayerNorm eps fixed at 1e-12). */
const NOT_DISTILBERT = ['type_vocab_size', 'layer_norm_eps', 'position_embedding_type', 'is_decoder', 'classifier_dropout'];

/** BERT-only fields that ModernBertConfig does not have (no token types, no position table). */
const NOT_MODERNBERT = ['type_vocab_size', 'position_embedding_type', 'is_decoder'];

/**
 * config.json as HF's save_pretrained writes it: the architecture's model_type, the head's class of
 * that architecture in `architectures`, labels both ways, our extras kept. DistilBERT's fields are
 * written under DistilBertConfig's names (dim, n_layers, ...), so that its from_pretrained reads them.
 */
export function configJson(config: BertConfig, head: HeadKind): string {
  const architecture = architectureOf(config);
  const className = architecture.classes[head];
  if (!className) throw new SaveFolderError(`a ${config.model_type} model has no ${head} head to save`);
  const out: Record<string, unknown> = { ...config, architectures: [className], model_type: architecture.modelType };
  if (architecture.modelType === 'distilbert') {
    for (const [ours, theirs] of Object.entries(DISTILBERT_FIELDS)) {
      out[theirs] = out[ours];
      delete out[ours];
    }
    for (const field of NOT_DISTILBERT) delete out[field];
  }
  if (architecture.modelType === 'modernbert') {
    // ModernBertConfig's own names (hidden_activation, norm_eps, embedding_dropout, attention_dropout), none of BERT's.
    for (const [ours, theirs] of Object.entries(MODERNBERT_FIELDS)) {
      out[theirs] = out[ours];
      delete out[ours];
    }
    for (const field of NOT_MODERNBERT) delete out[field];
  }
  out.label2id = Object.fromEntries(Object.entries(config.id2label).map(([id, label]) => [label, Number(id)]));
  return JSON.stringify(out, null, 2) + '\n';
}

/** Files a model folder may have; those the new save does not write are removed from an existing folder. */
const MODEL_FOLDER_FILES = [
  'config.json', 'model.safetensors', 'model.safetensors.index.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'model.onnx',
  ...TOKENIZER_FOLDER_FILES,
];

/** A folder that cannot be saved; the message names the file and, for a full disk, the space needed and free. */
export class SaveFolderError extends Error {
  override name = 'SaveFolderError';
}

/**
 * Writes an HF model folder: config.json, model.safetensors with HF state_dict names (the tied
 * decoder stored once, as save_pretrained does), tokenizer files, and the ONNX graphs for inference.
 *
 * The folder is whole or absent: every file is first written into a staging folder (a hidden sibling
 * when `dir` does not exist yet, which is then renamed to `dir`; inside `dir` when it exists and holds
 * other things, such as checkpoints). Only when every file is complete are they moved into place,
 * config.json removed first and put back last, so that at no moment does `dir` look like a model
 * whose files do not belong together. A full disk, a kill or a bad weight leaves `dir` as it was.
 */
export async function saveModelFolder(dir: string, options: SaveFolderOptions): Promise<void> {
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of weightSpecs(options.config, options.head)) {
    const data = options.weights.get(spec.name);
    if (!data) throw new SaveFolderError(`cannot save ${dir}: weight ${spec.name} is missing`);
    tensors.set(spec.name, { dtype: 'F32', shape: spec.shape, data });
  }
  const bad = firstNonFinite([...tensors].map(([name, t]) => [name, t.data as Float32Array]));
  if (bad) throw new SaveFolderError(`cannot save ${dir}: ${bad.count} of the ${bad.size} values of ${bad.name} are NaN or infinite`);
  const lookup = (name: string): Float32Array => {
    // Tied aliases (the MLM decoder is the word-embedding matrix) are stored once.
    const data = options.weights.get(name) ?? options.weights.get(canonicalName(options.config, name));
    if (!data) throw new Error(`weight ${name} is missing`);
    return data;
  };
  const safetensors = serializeSafetensorsChunks(tensors, { format: 'pt', ...(options.metadata ?? {}) });
  const weightBytes = safetensors.reduce((n, chunk) => n + chunk.byteLength, 0);
  const files: Array<[string, () => string | Uint8Array | Uint8Array[]]> = [['model.safetensors', () => safetensors]];
  for (const [name, content] of Object.entries(options.tokenizerFiles)) files.push([name, () => content]);
  if (options.onnx !== false) {
    files.push([path.join('onnx', 'model.onnx'), () => exportInferenceOnnx(options.config, options.head, lookup, { metadata: options.metadata })]);
    if (options.quantized) {
      files.push([path.join('onnx', 'model_quantized.onnx'), () => exportInferenceOnnx(options.config, options.head, lookup, { quantize: 'int8', metadata: options.metadata })]);
    }
  }
  files.push(['config.json', () => configJson(options.config, options.head)]);
  // The ONNX graphs hold the same float32 weights again (int8: a quarter of them).
  const needed = weightBytes * (1 + (options.onnx !== false ? 1 : 0) + (options.onnx !== false && options.quantized ? 0.25 : 0)) +
    Object.values(options.tokenizerFiles).reduce((n, content) => n + (typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength), 0);

  const target = path.resolve(dir);
  const existing = await fs.stat(target).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new SaveFolderError(`cannot save the model to ${target}: it is a file, not a folder`);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = existing ? path.join(target, `.model.saving-${tag}`) : path.join(path.dirname(target), `.${path.basename(target)}.saving-${tag}`);
  let writing = '';
  try {
    await fs.mkdir(staging, { recursive: true });
    for (const [name, content] of files) {
      writing = name;
      await writeFileAtomic(path.join(staging, name), content());
    }
    writing = '';
    if (existing) await moveInto(staging, target, files.map(([name]) => name));
    else {
      await fs.rename(staging, target);
      await syncDirectory(path.dirname(target));
    }
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (!writing) {
      // The rare failure of a rename: config.json was taken out first, so the folder is not taken for a model.
      throw new SaveFolderError(`cannot save the model to ${target}: moving the saved files into place failed (${(error as Error).message}); ` +
        `${existing ? `${target} has no config.json now, save again` : 'nothing was saved'}`, { cause: error });
    }
    const what = await describeWriteFailure(error, path.join(target, writing), needed);
    throw new SaveFolderError(`cannot save the model to ${target}: ${what}; ${existing ? `${target} is as it was` : 'nothing was saved'}`, { cause: error });
  }
}

/** Replaces the model files of `target` by those staged, config.json out first and in last. */
async function moveInto(staging: string, target: string, names: string[]): Promise<void> {
  await fs.rm(path.join(target, 'config.json'), { force: true });
  for (const stale of MODEL_FOLDER_FILES) {
    if (!names.includes(path.normalize(stale))) await fs.rm(path.join(target, stale), { force: true });
  }
  for (const name of [...names.filter((n) => n !== 'config.json'), 'config.json']) {
    await fs.mkdir(path.dirname(path.join(target, name)), { recursive: true });
    await fs.rename(path.join(staging, name), path.join(target, name));
  }
  await syncDirectory(target);
  await fs.rm(staging, { recursive: true, force: true });
}
