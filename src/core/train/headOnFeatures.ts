import type * as Ort from 'onnxruntime-node';
import { MissingWeightError, type ReferenceGraph } from '../bert/buildGraph';
import type { BertConfig } from '../bert/config';
import { headLayers, summarize, summaryInBase } from '../bert/definition';
import { usesSummary } from '../bert/architecture';
import type { WeightLookup } from '../bert/fusedBlocks';
import type { HeadKind } from '../bert/heads';
import { ReferenceBlocks } from '../bert/referenceBlocks';
import { canonicalName, weightSpecs } from '../bert/weightNames';
import type { DType } from '../graph/dtype';
import { Graph, type Value } from '../graph/graph';
import { writeOnnx } from '../graph/onnxWriter';
import { createSession, tensor } from '../runtime/ort';
import { batchFeeds, type Batch } from './batch';
import { splitRows } from './evaluation';
import type { Feature } from './features';
import { FEATURES_INPUT, frozenOutputOf, type FrozenFeatureCache } from './frozenFeatures';
import { withObjective, type TrainingGraph, type TrainingGraphOptions } from './trainingGraph';

/**
 * A head's task layers alone, reading the frozen encoder's output from the input `frozen_features`
 * ([batch, seq, hidden] sequence output, or [batch, hidden] pooled output) instead of input ids.
 * The layers are those of the full model (definition.ts headLayers), classifier dropout included.
 */
export function buildHeadOnFeatures(
  config: BertConfig,
  head: HeadKind,
  weight: WeightLookup,
  options: { dtype?: DType; trainable?: ReadonlySet<string>; dropout?: boolean } = {},
): ReferenceGraph {
  const output = frozenOutputOf(head);
  if (output === null) throw new Error(`the ${head} head cannot be trained on cached encoder features`);
  const dtype = options.dtype ?? 'float32';
  const graph = new Graph(`bert_${head}_on_features`);
  const shapes = new Map(weightSpecs(config, head).map((s) => [s.name, s.shape]));
  const parameters = new Map<string, Value>();
  const param = (requested: string): Value => {
    const name = canonicalName(config, requested);
    const existing = parameters.get(name);
    if (existing) return existing;
    const dims = shapes.get(name);
    if (!dims) throw new MissingWeightError(`no parameter named ${name} in the ${head} head`);
    const value = options.trainable?.has(name)
      ? graph.input(name, dtype, dims)
      : graph.initializer(name, dtype, dims, dtype === 'float64' ? Float64Array.from(weight(name)) : weight(name));
    parameters.set(name, value);
    return value;
  };
  const blocks = new ReferenceBlocks(graph, config, param, dtype, options.dropout ?? false, false, head);
  const features = graph.input(FEATURES_INPUT, dtype, output === 'pooler_output' ? ['batch', config.hidden_size] : ['batch', 'seq', config.hidden_size]);
  // Cached [CLS] states of a head that owns its summary layer (DistilBERT's pre_classifier) go through it here.
  const pooled = usesSummary(config, head) && !summaryInBase(config, head) ? summarize(blocks, config, features) : features;
  const outputs = headLayers(graph, blocks, config, head, output === 'pooler_output' ? { hidden: null, pooled } : { hidden: features, pooled: null });
  const trainable = new Map([...parameters].filter(([name]) => options.trainable?.has(name)));
  return { graph, outputs, parameters: trainable, dropoutMasks: blocks.dropoutMasks };
}

/** The head-only training graph: task layers on cached features, the HF loss, gradients of the head. */
export function buildHeadTrainingGraph(options: TrainingGraphOptions): TrainingGraph {
  const dtype = options.dtype ?? 'float32';
  const forward = buildHeadOnFeatures(options.config, options.head, options.weights, { dtype, trainable: options.trainable, dropout: options.dropout });
  return { ...withObjective(forward, options.config, options.head, dtype, false), packed: false };
}

const ENCODER_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'];

/** Feeds of one micro-batch for a head-only graph: the rows' cached features and the loss targets. */
export function headBatchFeeds(
  graph: TrainingGraph,
  config: BertConfig,
  batch: Batch,
  rows: readonly Feature[],
  cache: FrozenFeatureCache,
  floatType: 'float32' | 'float64' = 'float32',
): Record<string, Ort.Tensor> {
  const feeds = batchFeeds(graph, config, batch, floatType);
  for (const name of ENCODER_INPUTS) delete feeds[name];
  feeds[FEATURES_INPUT] = cache.batchTensor(rows, floatType);
  return feeds;
}

/**
 * Evaluation of a head-only run: the same task layers on the cached features of the evaluation rows
 * (no dropout, no gradients); the answer has the shape of EvaluationSession.predict's.
 */
export class HeadEvaluationSession {
  private constructor(
    private readonly session: Ort.InferenceSession,
    private readonly parameterShapes: Map<string, number[]>,
    private readonly outputNames: string[],
    private readonly cache: FrozenFeatureCache,
  ) {}

  static async create(config: BertConfig, head: HeadKind, weights: ReadonlyMap<string, Float32Array>, trainable: ReadonlySet<string>, cache: FrozenFeatureCache, threads?: number): Promise<HeadEvaluationSession> {
    const built = buildHeadOnFeatures(config, head, (n) => weights.get(n)!, { trainable });
    const outputNames = Object.keys(built.outputs);
    for (const [name, value] of Object.entries(built.outputs)) built.graph.output(value, name);
    const shapes = new Map([...built.parameters].map(([name, value]) => [name, value.shape as number[]]));
    const session = await createSession(writeOnnx(built.graph), { intraOpNumThreads: threads ?? 0 });
    return new HeadEvaluationSession(session, shapes, outputNames, cache);
  }

  async predict(head: HeadKind, features: readonly Feature[], params: ReadonlyMap<string, Float32Array>, batchSize: number): Promise<Array<Record<string, Float32Array>>> {
    const results: Array<Record<string, Float32Array>> = [];
    for (let at = 0; at < features.length; at += batchSize) {
      const rows = features.slice(at, at + batchSize);
      const feeds: Record<string, Ort.Tensor> = { [FEATURES_INPUT]: this.cache.batchTensor(rows) };
      for (const [name, shape] of this.parameterShapes) feeds[name] = tensor('float32', params.get(name)!, shape);
      results.push(...splitRows(head, await this.session.run(feeds), this.outputNames, rows));
    }
    return results;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
