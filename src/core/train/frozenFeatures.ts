import type * as Ort from 'onnxruntime-node';
import type { BertConfig } from '../bert/config';
import { encoder, pooledTokens, pooler, summaryInBase, type BertInputs } from '../bert/definition';
import { tokenTypeEmbeddings } from '../bert/architecture';
import { FusedBlocks, type WeightLookup } from '../bert/fusedBlocks';
import type { HeadKind } from '../bert/heads';
import { Graph } from '../graph/graph';
import { writeOnnx } from '../graph/onnxWriter';
import { createSession, tensor } from '../runtime/ort';
import { CancelledError } from '../tasks/shared/forward';
import type { Feature } from './features';

/** Graph input of a head-only graph that receives the cached encoder output. */
export const FEATURES_INPUT = 'frozen_features';

/**
 * The frozen encoder output a head's trainable layers read: HF's `last_hidden_state`, or for sequence
 * heads `pooler_output` — one vector per row: BERT's pooler output (the pooler belongs to the frozen
 * base model), else the [CLS] / <s> hidden state, which the head transforms itself (DistilBERT's
 * pre_classifier, RoBERTa's classification head: both trained with the head).
 */
export type FrozenOutput = 'last_hidden_state' | 'pooler_output';

/** Above this, head-only training runs the frozen encoder every step instead of caching its output. */
export const DEFAULT_CACHE_LIMIT_BYTES = 4 * 2 ** 30;

/**
 * What head-only training can cache for a head, or null: masked-LM re-masks its inputs every batch,
 * so its encoder output is never the same twice.
 */
export function frozenOutputOf(head: HeadKind): FrozenOutput | null {
  switch (head) {
    case 'token-classification':
    case 'question-answering':
      return 'last_hidden_state';
    case 'sequence-classification':
      return 'pooler_output';
    default:
      return null;
  }
}

/**
 * Positions cached per row of a sequence output: the row's own tokens, or for QA every position up to
 * the longest row. HF's QA loss is a softmax over all positions of the padded batch, padding
 * included, so the encoder output at padding positions counts too; it depends on the position but
 * not on how far the batch is padded (padding is masked as a key), so one pass at the longest
 * length serves every batch.
 */
export function cachedPositions(head: HeadKind, rows: readonly Feature[]): number | undefined {
  return head === 'question-answering' ? Math.max(0, ...rows.map((r) => r.inputIds.length)) : undefined;
}

/** Bytes the cache would take for these rows (float32). */
export function frozenFeatureBytes(head: HeadKind, hiddenSize: number, rows: readonly Feature[]): number {
  const output = frozenOutputOf(head);
  if (output === null) return 0;
  const padTo = cachedPositions(head, rows);
  let vectors = 0;
  for (const row of rows) vectors += output === 'pooler_output' ? 1 : padTo ?? row.inputIds.length;
  return vectors * hiddenSize * 4;
}

/**
 * The frozen encoder's output for each training/evaluation row, computed once: [positions, hidden]
 * per row (sequence output, see cachedPositions) or [hidden] (pooled output).
 */
export class FrozenFeatureCache {
  constructor(
    readonly output: FrozenOutput,
    readonly hiddenSize: number,
    private readonly rows: ReadonlyMap<Feature, Float32Array>,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  get bytes(): number {
    let total = 0;
    for (const value of this.rows.values()) total += value.byteLength;
    return total;
  }

  get(row: Feature): Float32Array {
    const value = this.rows.get(row);
    if (!value) throw new Error('a row has no cached encoder features (it was not part of the data the cache was built for)');
    return value;
  }

  /** The features of a batch of rows, in order: [rows, seq, hidden] zero-padded to the longest, or [rows, hidden]. */
  batchTensor(rows: readonly Feature[], floatType: 'float32' | 'float64' = 'float32'): Ort.Tensor {
    const h = this.hiddenSize;
    const pooled = this.output === 'pooler_output';
    const seq = pooled ? 1 : Math.max(...rows.map((r) => r.inputIds.length));
    const data = floatType === 'float64' ? new Float64Array(rows.length * seq * h) : new Float32Array(rows.length * seq * h);
    rows.forEach((row, r) => {
      const value = this.get(row);
      data.set(value.length > seq * h ? value.subarray(0, seq * h) : value, r * seq * h);
    });
    return tensor(floatType, data, pooled ? [rows.length, h] : [rows.length, seq, h]);
  }
}

/** ONNX bytes of the encoder (ORT's fused inference kernels, no dropout) with the one output a head reads. */
function frozenEncoderOnnx(config: BertConfig, head: HeadKind, weight: WeightLookup, output: FrozenOutput): Uint8Array {
  const graph = new Graph(`bert_${head}_frozen_encoder`);
  const blocks = new FusedBlocks(graph, config, head, weight);
  const inputs: BertInputs = {
    inputIds: graph.input('input_ids', 'int64', ['batch', 'seq']),
    attentionMask: graph.input('attention_mask', 'int64', ['batch', 'seq']),
    ...(tokenTypeEmbeddings(config) ? { tokenTypeIds: graph.input('token_type_ids', 'int64', ['batch', 'seq']) } : {}),
  };
  const hidden = encoder(blocks, config, inputs);
  const summary = summaryInBase(config, head) ? pooler(blocks, config, hidden) : pooledTokens(config, hidden, inputs);
  graph.output(output === 'pooler_output' ? summary : hidden, output);
  return writeOnnx(graph);
}

/**
 * Runs the frozen encoder once over every row (in eval mode: no dropout), shortest rows batched
 * together so that little time goes into padding.
 */
export async function computeFrozenFeatures(
  config: BertConfig,
  head: HeadKind,
  weight: WeightLookup,
  rows: readonly Feature[],
  options: { batchSize: number; padTokenId: number; threads?: number; signal?: AbortSignal },
): Promise<FrozenFeatureCache> {
  const output = frozenOutputOf(head);
  if (output === null) throw new Error(`the ${head} head cannot be trained on cached encoder features`);
  const h = config.hidden_size;
  const padTo = cachedPositions(head, rows);
  const session = await createSession(frozenEncoderOnnx(config, head, weight, output), { intraOpNumThreads: options.threads ?? 0 });
  const cached = new Map<Feature, Float32Array>();
  try {
    const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.inputIds.length - rows[b]!.inputIds.length);
    for (let at = 0; at < order.length; at += options.batchSize) {
      if (options.signal?.aborted) throw new CancelledError();
      const members = order.slice(at, at + options.batchSize).map((i) => rows[i]!);
      const seq = padTo ?? Math.max(...members.map((r) => r.inputIds.length));
      const ids = new BigInt64Array(members.length * seq).fill(BigInt(options.padTokenId));
      const mask = new BigInt64Array(members.length * seq);
      const types = new BigInt64Array(members.length * seq);
      members.forEach((row, r) => row.inputIds.forEach((id, t) => {
        ids[r * seq + t] = BigInt(id);
        mask[r * seq + t] = 1n;
        types[r * seq + t] = BigInt(row.tokenTypeIds[t] ?? 0);
      }));
      const dims = [members.length, seq];
      const feeds: Record<string, Ort.Tensor> = { input_ids: tensor('int64', ids, dims), attention_mask: tensor('int64', mask, dims) };
      if (tokenTypeEmbeddings(config)) feeds.token_type_ids = tensor('int64', types, dims);
      const result = await session.run(feeds);
      const data = result[output]!.data as Float32Array;
      members.forEach((row, r) => {
        cached.set(row, output === 'pooler_output'
          ? data.slice(r * h, (r + 1) * h)
          : data.slice(r * seq * h, (r * seq + (padTo ?? row.inputIds.length)) * h));
      });
    }
  } finally {
    await session.release();
  }
  return new FrozenFeatureCache(output, h, cached);
}
