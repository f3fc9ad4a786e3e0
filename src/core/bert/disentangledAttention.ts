import type { Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig } from './config';
import type { LayerNames } from './architecture';
import { architectureOf } from './architecture';
import type { Blocks } from './blocks';

/**
 * DeBERTa-v2's disentangled self-attention (HF transformers 4.x modeling_deberta_v2.py
 * DisentangledSelfAttention), built from the shared blocks' dense / layerNorm / dropout and primitive
 * ops, so the same code serves the reference graph (training, float64) and the inference graph: ORT's
 * fused Attention has no place for the c2p / p2c gathers.
 */

/** What DebertaV2Config says about relative attention, with modeling_deberta_v2.py's getattr defaults. */
export interface RelativeSettings {
  relative: boolean;
  /** position_buckets when > 0 (log buckets), else -1. */
  buckets: number;
  /** max_relative_positions, or max_position_embeddings when < 1. */
  maxRelative: number;
  /** pos_ebd_size: half the rows of rel_embeddings. */
  span: number;
  c2p: boolean;
  p2c: boolean;
  shareKey: boolean;
  normalizeTable: boolean;
  /** 1 + len(pos_att_type): the scores are divided by sqrt(head_size · scaleFactor). */
  scaleFactor: number;
}

/** pos_att_type as DebertaV2Config reads it: a "p2c|c2p" string or a list; null → none. */
export function positionAttentionTypes(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return value.toLowerCase().split('|').map((s) => s.trim()).filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.map((s) => String(s).trim().toLowerCase());
  return [String(value)];
}

export function relativeSettings(config: BertConfig): RelativeSettings {
  const types = positionAttentionTypes(config.pos_att_type);
  const relative = config.relative_attention === true;
  const buckets = typeof config.position_buckets === 'number' && config.position_buckets > 0 ? config.position_buckets : -1;
  const maxRelativeRaw = typeof config.max_relative_positions === 'number' ? config.max_relative_positions : -1;
  const maxRelative = maxRelativeRaw < 1 ? config.max_position_embeddings : maxRelativeRaw;
  const norm = typeof config.norm_rel_ebd === 'string' ? config.norm_rel_ebd.toLowerCase().split('|').map((s) => s.trim()) : [];
  return {
    relative,
    buckets,
    maxRelative,
    span: buckets > 0 ? buckets : maxRelative,
    c2p: types.includes('c2p'),
    p2c: types.includes('p2c'),
    shareKey: config.share_att_key === true,
    normalizeTable: norm.includes('layer_norm'),
    scaleFactor: 1 + (types.includes('c2p') ? 1 : 0) + (types.includes('p2c') ? 1 : 0),
  };
}

/** What every layer shares: the [rows, 1, q, k] keep mask and, with relative attention, the table and the gather indices. */
export interface DisentangledContext {
  keep: Value;
  keepBool: Value;
  relative: { table: Value; rows: Value; c2pIndex: Value; p2cIndex: Value } | null;
}

/**
 * build_relative_position(q, k, position_buckets, max_relative_positions): q − k, through
 * make_log_bucket_position when buckets are on. The bucket arithmetic is float32 as in torch (int64
 * positions divided by an int give float32), whatever the graph's float type.
 */
export function relativePositions(hidden: Value, settings: RelativeSettings): Value {
  const g = hidden.graph;
  const seq = op.gather(op.shapeOf(hidden), g.constant([1], [], 'int64', 'rel_seq_axis'), 0);
  const ids = op.emit('Range', [g.constant([0], [], 'int64', 'rel_zero'), seq, g.constant([1], [], 'int64', 'rel_one')], {}, { dtype: 'int64', shape: ['seq'] });
  const rel = op.sub(op.unsqueeze(ids, [1]), op.unsqueeze(ids, [0]));
  if (settings.buckets <= 0) return rel;
  const mid = Math.floor(settings.buckets / 2);
  const relF = op.cast(rel, 'float32');
  const f = (v: number) => g.scalar(v, 'float32');
  const inside = op.emit('And', [op.less(rel, g.scalar(mid, 'int64')), op.greater(rel, g.scalar(-mid, 'int64'))], {}, { dtype: 'bool' });
  const absPos = op.where(inside, f(mid - 1), op.abs(relF));
  const logBase = Math.fround(Math.log(Math.fround((settings.maxRelative - 1) / mid)));
  const scaled = op.mul(op.div(op.log(op.div(absPos, f(mid))), f(logBase)), f(mid - 1));
  const logPos = op.add(op.emit('Ceil', [scaled]), f(mid));
  const near = op.emit('LessOrEqual', [absPos, f(mid)], {}, { dtype: 'bool' });
  const bucket = op.where(near, relF, op.mul(logPos, op.emit('Sign', [relF])));
  return op.cast(bucket, 'int64');
}

function clampIndex(x: Value, span: number): Value {
  const g = x.graph;
  return op.emit('Clip', [x, g.scalar(0, 'int64'), g.scalar(2 * span - 1, 'int64')]);
}

/**
 * The rows of the relative table that the c2p / p2c gathers can reach in this input: span ± the largest
 * |bucket| of its relative positions, within the table (59 of DeBERTa-v3's 512 for a 30-token row).
 * The per-layer projections of the whole table stay as HF computes them (ONNX Runtime folds them once
 * when the weights are initializers); only their reachable rows enter the c2p / p2c matmuls, with the
 * gather indices shifted by the first row, so the same values are read at a fraction of the cost.
 */
function reachableRows(rel: Value, span: number): { first: Value; rows: Value } {
  const g = rel.graph;
  const reach = op.emit('ReduceMax', [op.emit('Abs', [rel])], { keepdims: 0 }, { shape: [] });
  const first = op.emit('Max', [g.scalar(0, 'int64'), op.sub(g.scalar(span, 'int64'), reach)], {}, { shape: [] });
  const end = op.emit('Min', [g.scalar(2 * span, 'int64'), op.add(g.scalar(span + 1, 'int64'), reach)], {}, { shape: [] });
  const rows = op.emit('Range', [first, end, g.constant([1], [], 'int64', 'rel_row_step')], {}, { dtype: 'int64', shape: ['table_rows'] });
  return { first, rows };
}

/** Once per encoder: the keep mask (mask_q · mask_k, DebertaV2Encoder.get_attention_mask) and the relative inputs. */
export function disentangledContext(blocks: Blocks, config: BertConfig, hidden: Value, attentionMask: Value): DisentangledContext {
  const settings = relativeSettings(config);
  const mask = op.cast(attentionMask, hidden.dtype);
  // A 3-D [rows, q, k] mask (packed rows) applies as it is (get_attention_mask's unsqueeze(1)).
  const keep = mask.shape.length === 3 ? op.unsqueeze(mask, [1]) : op.mul(op.unsqueeze(mask, [1, 2]), op.unsqueeze(mask, [1, 3]));
  const keepBool = op.cast(keep, 'bool');
  if (!settings.relative) return { keep, keepBool, relative: null };
  const names = architectureOf(config).disentangled!;
  let table = blocks.parameter(`${names.relEmbeddings}.weight`);
  if (settings.normalizeTable) table = blocks.layerNorm(table, names.relNorm);
  const rel = relativePositions(hidden, settings);
  const reachable = reachableRows(rel, settings.span);
  const index = (positions: Value) => op.sub(clampIndex(op.addScalar(positions, settings.span), settings.span), reachable.first);
  return { keep, keepBool, relative: { table, rows: reachable.rows, c2pIndex: index(rel), p2cIndex: index(op.neg(rel)) } };
}

/** DisentangledSelfAttention.forward up to the context layer (before attention.output.dense). */
export function disentangledSelfAttention(blocks: Blocks, config: BertConfig, hidden: Value, context: DisentangledContext, layer: LayerNames): Value {
  const settings = relativeSettings(config);
  const heads = config.num_attention_heads;
  const size = config.hidden_size / heads;
  const perHead = (x: Value, name: string) => op.transpose(op.reshape(blocks.dense(x, name), [0, 0, heads, size]), [0, 2, 1, 3]);
  const query = perHead(hidden, layer.query);
  const key = perHead(hidden, layer.key);
  const value = perHead(hidden, layer.value);
  const scale = op.scalarLike(hidden, Math.sqrt(size * settings.scaleFactor));
  let scores = op.div(op.matmul(query, op.transpose(key, [0, 1, 3, 2])), scale);
  const relative = context.relative;
  if (relative) {
    // Each layer's pos_dropout (hidden_dropout_prob) on the table, then the table projected per head and
    // cut to its reachable rows: [1, heads, table_rows, head_size], broadcast over the batch.
    const table = op.unsqueeze(blocks.dropout(relative.table, 'hidden'), [0]);
    const tableHeads = (name: string) => op.gather(op.transpose(op.reshape(blocks.dense(table, name), [0, 0, heads, size]), [0, 2, 1, 3]), relative.rows, 2);
    const gatherShape = op.shapeOf(scores);
    const gathered = (att: Value, index: Value) => op.gatherElements(att, op.expand(op.unsqueeze(index, [0, 1]), gatherShape, scores.shape), 3);
    let bias: Value | null = null;
    if (settings.c2p) {
      const positionKey = tableHeads(settings.shareKey ? layer.key : layer.positionKey!);
      const c2p = gathered(op.matmul(query, op.transpose(positionKey, [0, 1, 3, 2])), relative.c2pIndex);
      bias = op.div(c2p, scale);
    }
    if (settings.p2c) {
      const positionQuery = tableHeads(settings.shareKey ? layer.query : layer.positionQuery!);
      const p2c = op.transpose(gathered(op.matmul(key, op.transpose(positionQuery, [0, 1, 3, 2])), relative.p2cIndex), [0, 1, 3, 2]);
      const term = op.div(p2c, scale);
      bias = bias ? op.add(bias, term) : term;
    }
    if (bias) scores = op.add(scores, bias);
  }
  // XSoftmax: masked scores set to finfo.min, softmax, masked probabilities zeroed (padded query rows attend to nothing).
  const lowest = op.scalarLike(scores, scores.dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38);
  const probs = op.mul(op.softmax(op.where(context.keepBool, scores, lowest), -1), context.keep);
  const attended = op.matmul(blocks.dropout(probs, 'attention'), value);
  return op.reshape(op.transpose(attended, [0, 2, 1, 3]), [0, 0, heads * size]);
}
