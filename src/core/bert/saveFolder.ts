import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { writeSafetensors, type TensorToWrite } from '../runtime/safetensors';
import { exportInferenceOnnx } from './buildGraph';
import type { BertConfig } from './config';
import { ARCHITECTURE_OF, type HeadKind } from './heads';
import { weightSpecs, WORD_EMBEDDINGS } from './weightNames';

export interface SaveFolderOptions {
  config: BertConfig;
  head: HeadKind;
  weights: ReadonlyMap<string, Float32Array>;
  /** Tokenizer files to write as they are: file name → content (vocab.txt, tokenizer.json, ...). */
  tokenizerFiles: Record<string, string>;
  /** Also write onnx/model.onnx (fused fp32) and, if asked, onnx/model_quantized.onnx (int8). */
  onnx?: boolean;
  quantized?: boolean;
  metadata?: Record<string, string>;
}

/** config.json as HF's save_pretrained writes it: architectures, labels both ways, our extras kept. */
export function configJson(config: BertConfig, head: HeadKind): string {
  const out: Record<string, unknown> = { ...config, architectures: [ARCHITECTURE_OF[head]], model_type: 'bert' };
  out.label2id = Object.fromEntries(Object.entries(config.id2label).map(([id, label]) => [label, Number(id)]));
  return JSON.stringify(out, null, 2) + '\n';
}

/**
 * Writes an HF model folder: config.json, model.safetensors with HF state_dict names (the tied
 * decoder stored once, as save_pretrained does), tokenizer files, and the ONNX graphs for inference.
 * Every file is written atomically, weights before config so a crash never leaves a config that
 * points at missing weights of a new shape.
 */
export async function saveModelFolder(dir: string, options: SaveFolderOptions): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of weightSpecs(options.config, options.head)) {
    const data = options.weights.get(spec.name);
    if (!data) throw new Error(`cannot save ${dir}: weight ${spec.name} is missing`);
    tensors.set(spec.name, { dtype: 'F32', shape: spec.shape, data });
  }
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors, { format: 'pt', ...(options.metadata ?? {}) });
  for (const [name, content] of Object.entries(options.tokenizerFiles)) await writeFileAtomic(path.join(dir, name), content);
  if (options.onnx !== false) {
    const lookup = (name: string): Float32Array => {
      const data = options.weights.get(name) ?? (name === 'cls.predictions.decoder.weight' ? options.weights.get(WORD_EMBEDDINGS) : undefined);
      if (!data) throw new Error(`weight ${name} is missing`);
      return data;
    };
    await writeFileAtomic(path.join(dir, 'onnx', 'model.onnx'), exportInferenceOnnx(options.config, options.head, lookup, { metadata: options.metadata }));
    if (options.quantized) {
      await writeFileAtomic(path.join(dir, 'onnx', 'model_quantized.onnx'), exportInferenceOnnx(options.config, options.head, lookup, { quantize: 'int8', metadata: options.metadata }));
    }
  }
  await writeFileAtomic(path.join(dir, 'config.json'), configJson(options.config, options.head));
}
