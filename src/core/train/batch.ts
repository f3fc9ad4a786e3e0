import type * as Ort from 'onnxruntime-node';
import type { BertConfig } from '../bert/config';
import { numLabels } from '../bert/config';
import type { Dim } from '../graph/graph';
import { tensor } from '../runtime/ort';
import type { Random } from '../util/random';
import type { TrainingGraph } from './trainingGraph';

/**
 * One micro-batch with HF names (what a data collator produces): [batch][seq] ids, or
 * [batch][num_choices][seq] for multiple choice, and the head's labels.
 */
export interface Batch {
  input_ids: number[][] | number[][][];
  attention_mask?: number[][] | number[][][];
  token_type_ids?: number[][] | number[][][];
  /** Packed rows only (collatePacked): positions restart at 0 where each example starts. */
  position_ids?: number[][];
  labels?: number[] | number[][];
  start_positions?: number[];
  end_positions?: number[];
  next_sentence_label?: number[];
}

export class BatchError extends Error {}

const IGNORE = -100;

function flatten(values: unknown): number[] {
  return Array.isArray(values) ? values.flatMap(flatten) : [values as number];
}

function dimsOf(values: unknown): number[] {
  return Array.isArray(values) ? [values.length, ...dimsOf(values[0])] : [];
}

function int64(values: number[], dims: number[]): Ort.Tensor {
  return tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
}

/** CrossEntropyLoss(ignore_index) as class indices + weights 1/count (see losses.ts). */
function crossEntropyTargets(prefix: string, targets: number[], counted: boolean[], floatType: 'float32' | 'float64'): Record<string, Ort.Tensor> {
  const count = counted.filter(Boolean).length;
  const weight = count > 0 ? 1 / count : 0;
  const index = targets.map((t, i) => (counted[i] ? t : 0));
  const weights = counted.map((c) => (c ? weight : 0));
  return {
    [`${prefix}_index`]: int64(index, [index.length, 1]),
    [`${prefix}_weight`]: tensor(floatType, floatType === 'float64' ? Float64Array.from(weights) : Float32Array.from(weights), [weights.length]),
  };
}

function checkClass(value: number, classes: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= classes) throw new BatchError(`${what} ${value} is not a class index in [0, ${classes})`);
}

export function hasInput(graph: TrainingGraph, name: string): boolean {
  return graph.graph.inputs.some((input) => input.name === name);
}

/** ORT feeds for one micro-batch of a training graph (without parameters and dropout masks). */
export function batchFeeds(graph: TrainingGraph, config: BertConfig, batch: Batch, floatType: 'float32' | 'float64' = 'float32'): Record<string, Ort.Tensor> {
  const dims = dimsOf(batch.input_ids);
  const ids = flatten(batch.input_ids);
  const mask = batch.attention_mask ? flatten(batch.attention_mask) : ids.map(() => 1);
  const types = batch.token_type_ids ? flatten(batch.token_type_ids) : ids.map(() => 0);
  if (mask.length !== ids.length || types.length !== ids.length) throw new BatchError('attention_mask and token_type_ids must have the shape of input_ids');
  const feeds: Record<string, Ort.Tensor> = {
    input_ids: int64(ids, dims),
    attention_mask: int64(mask, dims),
  };
  // Architectures without token types (DistilBERT) have no such graph input.
  if (hasInput(graph, 'token_type_ids')) feeds.token_type_ids = int64(types, dims);
  if (graph.packed !== (batch.position_ids !== undefined)) {
    throw new BatchError(graph.packed ? 'a packed training graph needs packed batches (position_ids)' : 'packed batches (position_ids) need a packed training graph');
  }
  if (batch.position_ids) {
    const positions = flatten(batch.position_ids);
    if (positions.length !== ids.length) throw new BatchError('position_ids must have the shape of input_ids');
    feeds.position_ids = int64(positions, dims);
  }
  const [rows, seq] = [dims[0]!, dims[dims.length - 1]!];
  const labels = batch.labels ? flatten(batch.labels) : [];
  const need = (key: keyof Batch) => {
    if (batch[key] === undefined) throw new BatchError(`the ${graph.head} head needs "${key}" in every batch`);
  };
  switch (graph.head) {
    case 'token-classification': {
      need('labels');
      if (labels.length !== ids.length) throw new BatchError(`labels has ${labels.length} entries, input_ids ${ids.length}`);
      // HF's active loss: padding positions never count, whatever their label.
      const counted = labels.map((l, i) => l !== IGNORE && mask[i] === 1);
      labels.forEach((l, i) => counted[i] && checkClass(l, numLabels(config), 'label'));
      Object.assign(feeds, crossEntropyTargets('labels', labels, counted, floatType));
      break;
    }
    case 'sequence-classification': {
      need('labels');
      if (graph.problemType === 'single_label_classification') {
        const counted = labels.map((l) => l !== IGNORE);
        labels.forEach((l, i) => counted[i] && checkClass(l, numLabels(config), 'label'));
        Object.assign(feeds, crossEntropyTargets('labels', labels, counted, floatType));
      } else {
        const width = numLabels(config);
        // One target row per example: per row of the batch, or per packed example.
        const examples = graph.packed ? batch.labels!.length : rows;
        if (labels.length !== examples * width) throw new BatchError(`${graph.problemType} labels need ${width} value(s) per example`);
        feeds.labels_float = tensor(floatType, floatType === 'float64' ? Float64Array.from(labels) : Float32Array.from(labels), [examples, width]);
      }
      break;
    }
    case 'multiple-choice':
    case 'next-sentence': {
      need('labels');
      const classes = graph.head === 'next-sentence' ? 2 : dims[1]!;
      labels.forEach((l) => l !== IGNORE && checkClass(l, classes, 'label'));
      Object.assign(feeds, crossEntropyTargets('labels', labels, labels.map((l) => l !== IGNORE), floatType));
      break;
    }
    case 'question-answering': {
      need('start_positions');
      need('end_positions');
      // HF clamps positions to [0, seq_len] and ignores those equal to seq_len.
      for (const key of ['start', 'end'] as const) {
        const positions = batch[`${key}_positions`]!.map((p) => Math.min(Math.max(p, 0), seq));
        Object.assign(feeds, crossEntropyTargets(key, positions, positions.map((p) => p !== seq), floatType));
      }
      break;
    }
    case 'causal-lm': {
      need('labels');
      // BertLMHeadModel: scores at t predict labels[t + 1]; the last position predicts nothing.
      const shifted = labels.map((_, i) => ((i % seq) === seq - 1 ? IGNORE : labels[i + 1]!));
      shifted.forEach((l) => l !== IGNORE && checkClass(l, config.vocab_size, 'label'));
      Object.assign(feeds, crossEntropyTargets('labels', shifted, shifted.map((l) => l !== IGNORE), floatType));
      break;
    }
    case 'masked-lm':
    case 'pretraining': {
      need('labels');
      const positions: number[] = [];
      const targets: number[] = [];
      labels.forEach((l, i) => {
        if (l === IGNORE) return;
        checkClass(l, config.vocab_size, 'label');
        positions.push(i);
        targets.push(l);
      });
      feeds.masked_positions = int64(positions, [positions.length]);
      Object.assign(feeds, crossEntropyTargets('mlm', targets, targets.map(() => true), floatType));
      if (graph.head === 'pretraining') {
        need('next_sentence_label');
        const nsp = batch.next_sentence_label!;
        nsp.forEach((l) => l !== IGNORE && checkClass(l, 2, 'next_sentence_label'));
        Object.assign(feeds, crossEntropyTargets('nsp', nsp, nsp.map((l) => l !== IGNORE), floatType));
      }
      break;
    }
    default:
      throw new BatchError(`the ${graph.head} head cannot be trained`);
  }
  return feeds;
}

/** Resolves a symbolic dim of a dropout mask ('batch', 'seq', 'batch*num_choices', ...) for one batch. */
export function resolveDim(dim: Dim, sizes: Record<string, number>): number {
  if (typeof dim === 'number') return dim;
  return dim.split('*').reduce((product, symbol) => {
    const size = sizes[symbol];
    if (size === undefined) throw new Error(`cannot resolve dimension "${dim}"`);
    return product * size;
  }, 1);
}

/**
 * Dropout keep-masks for one micro-batch (true with probability 1-p). With `random` null every mask
 * keeps everything: the graph then computes without dropout. `examples` sizes the per-example masks of
 * packed rows (the pooled [CLS] states).
 */
export function dropoutFeeds(graph: TrainingGraph, inputDims: number[], random: Random | null, examples = inputDims[0]!): Record<string, Ort.Tensor> {
  const sizes: Record<string, number> = inputDims.length === 3
    ? { batch: inputDims[0]!, num_choices: inputDims[1]!, seq: inputDims[2]! }
    : { batch: inputDims[0]!, seq: inputDims[1]!, examples };
  const feeds: Record<string, Ort.Tensor> = {};
  for (const mask of graph.dropoutMasks) {
    const dims = mask.shape.map((d) => resolveDim(d, sizes));
    const data = new Uint8Array(dims.reduce((a, b) => a * b, 1));
    if (random === null) data.fill(1);
    else random.fillBernoulli(data, 1 - mask.probability);
    feeds[mask.name] = tensor('bool', data, dims);
  }
  return feeds;
}
