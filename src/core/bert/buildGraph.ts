import type { DType } from '../graph/dtype';
import { Graph, type Value } from '../graph/graph';
import { writeOnnx } from '../graph/onnxWriter';
import type { BertConfig } from './config';
import { buildHead, type HeadOutputs } from './definition';
import { FusedBlocks, type WeightLookup } from './fusedBlocks';
import type { HeadKind } from './heads';
import { type DropoutMaskInput, ReferenceBlocks } from './referenceBlocks';
import { canonicalName, weightSpecs } from './weightNames';

export class MissingWeightError extends Error {}

/** Checks that every weight the head needs exists with the right shape, before any graph is built. */
export function checkWeights(config: BertConfig, head: HeadKind, has: (name: string) => boolean, shapeOf: (name: string) => readonly number[]): void {
  const missing: string[] = [];
  for (const spec of weightSpecs(config, head)) {
    if (!has(spec.name)) {
      missing.push(spec.name);
      continue;
    }
    const shape = shapeOf(spec.name);
    if (shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      throw new MissingWeightError(`weight ${spec.name} has shape [${shape.join(', ')}], the config implies [${spec.shape.join(', ')}]`);
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
    throw new MissingWeightError(`the weights lack ${shown}, needed by the ${head} head`);
  }
}

export interface ReferenceGraphOptions {
  dtype?: DType;
  /** Names of parameters that become graph inputs (trainable); all others are initializers. */
  trainable?: ReadonlySet<string>;
  /** Dropout sites become mask inputs (training); off for inference and conformance runs. */
  dropout?: boolean;
  maskedPositionsOnly?: boolean;
  /** Block the lookup gradient of the word-embedding padding row, as nn.Embedding(padding_idx) does. */
  freezePaddingRow?: boolean;
  /** Packed rows: a `position_ids` input, several examples per row (see HeadOptions.packed). */
  packed?: boolean;
}

export interface ReferenceGraph {
  graph: Graph;
  outputs: HeadOutputs;
  /** Trainable parameters by HF name, in weightSpecs order. */
  parameters: Map<string, Value>;
  dropoutMasks: DropoutMaskInput[];
}

/** The differentiable graph of a head from primitive ops (training, gradient checks, reference). */
export function buildReferenceGraph(config: BertConfig, head: HeadKind, weight: WeightLookup, options: ReferenceGraphOptions = {}): ReferenceGraph {
  const dtype = options.dtype ?? 'float32';
  const graph = new Graph(`bert_${head}`);
  const parameters = new Map<string, Value>();
  const shapes = new Map(weightSpecs(config, head).map((s) => [s.name, s.shape]));
  const param = (requested: string): Value => {
    const name = canonicalName(config, requested);
    const existing = parameters.get(name);
    if (existing) return existing;
    const dims = shapes.get(name);
    if (!dims) throw new MissingWeightError(`no parameter named ${name} in the ${head} head`);
    let value: Value;
    if (options.trainable?.has(name)) value = graph.input(name, dtype, dims);
    else {
      const data = weight(name);
      value = graph.initializer(name, dtype, dims, dtype === 'float64' ? Float64Array.from(data) : data);
    }
    parameters.set(name, value);
    return value;
  };
  const blocks = new ReferenceBlocks(graph, config, param, dtype, options.dropout ?? false, options.freezePaddingRow ?? false, head);
  const { outputs } = buildHead(graph, blocks, config, head, { maskedPositionsOnly: options.maskedPositionsOnly, packed: options.packed });
  const trainable = new Map([...parameters].filter(([name]) => options.trainable?.has(name)));
  return { graph, outputs, parameters: trainable, dropoutMasks: blocks.dropoutMasks };
}

export interface InferenceExportOptions {
  /** ORT contrib-op graph (default) or the primitive reference graph. */
  fused?: boolean;
  quantize?: 'int8';
  metadata?: Record<string, string>;
  /**
   * Packed rows (see HeadOptions.packed): a `position_ids` input, restarting at 0 where an example
   * starts, and a block-diagonal attention mask, so several examples share a row and each attends
   * only to itself. Fed 0, 1, … per row, the graph computes what the unpacked one does.
   */
  packed?: boolean;
}

/** ONNX bytes of a head for inference, outputs named as HF's ONNX exports (logits, start_logits, ...). */
export function exportInferenceOnnx(config: BertConfig, head: HeadKind, weight: WeightLookup, options: InferenceExportOptions = {}): Uint8Array {
  let graph: Graph;
  let outputs: HeadOutputs;
  if (options.fused === false) {
    ({ graph, outputs } = buildReferenceGraph(config, head, weight, { packed: options.packed }));
  } else {
    graph = new Graph(`bert_${head}`);
    const blocks = new FusedBlocks(graph, config, head, weight, { quantize: options.quantize });
    ({ outputs } = buildHead(graph, blocks, config, head, { packed: options.packed }));
  }
  for (const [name, value] of Object.entries(outputs)) graph.output(value, name);
  return writeOnnx(graph, { metadata: options.metadata });
}
