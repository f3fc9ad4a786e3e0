import type { Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig } from './config';
import type { LayerNames } from './architecture';
import type { Blocks } from './blocks';
import { activation } from './referenceBlocks';

/**
 * ModernBERT's attention and MLP (HF transformers 4.48.0 modeling_modernbert.py, the padded eager
 * path; scripts/reference/modernbert_torch.py), built from the shared blocks' dense / dropout and
 * primitive ops, so the same code serves the reference graph (training, float64) and the inference
 * graph: ORT's fused Attention has no rotary positions with two thetas or sliding windows.
 */

/** cos and sin of the rotary angles, [seq, head_dim], in the graph's float type. */
interface Rotary {
  cos: Value;
  sin: Value;
}

/** What every layer shares: the rotary tables of both thetas, the additive masks, the rotate_half matrix. */
export interface RotaryContext {
  global: Rotary;
  local: Rotary;
  /** _prepare_4d_attention_mask: [rows, 1, 1, seq], finfo.min at padded keys. */
  globalMask: Value;
  /** The global mask with finfo.min where |i − j| > local_attention // 2: [rows, 1, seq, seq]. */
  slidingMask: Value;
  /** rotate_half as a [head_dim, head_dim] signed permutation (x·R = cat(−x₂, x₁), exact in floats). */
  rotateHalf: Value;
}

/** ModernBertAttention: layers with layer_id % global_attn_every_n_layers == 0 attend globally. */
export function isGlobalLayer(config: BertConfig, index: number): boolean {
  return index % (config.global_attn_every_n_layers as number) === 0;
}

function finfoMin(dtype: string): number {
  return dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
}

/**
 * ModernBertRotaryEmbedding: inv_freq = 1 / base^(arange(0, d, 2) / d) and the angles position ·
 * inv_freq with both halves the same, computed in float32 as HF forces it, then cast to the graph's type.
 */
function rotaryTables(hidden: Value, headDim: number, base: number, name: string): Rotary {
  const g = hidden.graph;
  const inverse = Array.from({ length: headDim / 2 }, (_, i) => Math.fround(1 / Math.fround(Math.pow(base, Math.fround((2 * i) / headDim)))));
  const seq = op.gather(op.shapeOf(hidden), g.constant([1], [], 'int64', `${name}_seq_axis`), 0);
  const positions = op.emit('Range', [g.constant([0], [], 'int64', `${name}_zero`), seq, g.constant([1], [], 'int64', `${name}_one`)], {}, { dtype: 'int64', shape: ['seq'] });
  const angles = op.mul(op.unsqueeze(op.cast(positions, 'float32'), [1]), g.constant([...inverse, ...inverse], [1, headDim], 'float32', `${name}_inv_freq`));
  // torch.no_grad() in HF: the tables depend on positions only.
  const table = (kind: 'Cos' | 'Sin') => op.stopGradient(op.cast(op.emit(kind, [angles]), hidden.dtype));
  return { cos: table('Cos'), sin: table('Sin') };
}

function rotateHalfMatrix(hidden: Value, headDim: number): Value {
  const half = headDim / 2;
  const data = new Array<number>(headDim * headDim).fill(0);
  for (let j = 0; j < half; j++) {
    data[(j + half) * headDim + j] = -1;
    data[j * headDim + j + half] = 1;
  }
  return hidden.graph.constant(data, [headDim, headDim], hidden.dtype, 'rotate_half');
}

/** Once per encoder (ModernBertModel._update_attention_mask and the rotary tables of both thetas). */
export function rotaryContext(config: BertConfig, hidden: Value, attentionMask: Value): RotaryContext {
  if (attentionMask.shape.length !== 2) throw new Error('ModernBERT takes a [rows, seq] attention mask (its rows cannot be packed)');
  const g = hidden.graph;
  const headDim = config.hidden_size / config.num_attention_heads;
  const keep = op.unsqueeze(op.cast(attentionMask, hidden.dtype), [1, 2]);
  const lowest = op.scalarLike(hidden, finfoMin(hidden.dtype));
  const globalMask = op.mul(op.sub(op.scalarLike(keep, 1), keep), lowest);
  const seq = op.gather(op.shapeOf(attentionMask), g.constant([1], [], 'int64', 'window_seq_axis'), 0);
  const rows = op.emit('Range', [g.constant([0], [], 'int64', 'window_zero'), seq, g.constant([1], [], 'int64', 'window_one')], {}, { dtype: 'int64', shape: ['seq'] });
  const distance = op.abs(op.sub(op.unsqueeze(rows, [1]), op.unsqueeze(rows, [0])));
  const halfWindow = g.scalar(Math.floor((config.local_attention as number) / 2), 'int64');
  const inside = op.unsqueeze(op.emit('LessOrEqual', [distance, halfWindow], {}, { dtype: 'bool', shape: ['seq', 'seq'] }), [0, 1]);
  const slidingMask = op.where(inside, globalMask, lowest);
  const localTheta = typeof config.local_rope_theta === 'number' ? config.local_rope_theta : (config.global_rope_theta as number);
  return {
    global: rotaryTables(hidden, headDim, config.global_rope_theta as number, 'rope_global'),
    local: rotaryTables(hidden, headDim, localTheta, 'rope_local'),
    globalMask,
    slidingMask,
    rotateHalf: rotateHalfMatrix(hidden, headDim),
  };
}

/**
 * ModernBertAttention.forward (eager_attention_forward): Wqkv viewed [rows, seq, 3, heads, d], rotary
 * q and k, scores · d^-0.5 plus the layer's mask, softmax, dropout, the context, Wo, out_drop.
 */
export function rotarySelfAttention(blocks: Blocks, config: BertConfig, hidden: Value, context: RotaryContext, index: number, layer: LayerNames): Value {
  const g = hidden.graph;
  const heads = config.num_attention_heads;
  const size = config.hidden_size / heads;
  const qkv = op.reshape(blocks.dense(hidden, layer.query), [0, 0, 3, heads, size]);
  const part = (i: number) => op.transpose(op.gather(qkv, g.constant([i], [], 'int64', `qkv_part_${i}`), 2), [0, 2, 1, 3]);
  const global = isGlobalLayer(config, index);
  const { cos, sin } = global ? context.global : context.local;
  const rotate = (x: Value) => op.add(op.mul(x, cos), op.mul(op.matmul(x, context.rotateHalf), sin));
  const query = rotate(part(0));
  const key = rotate(part(1));
  const value = part(2);
  const scores = op.mul(op.matmul(query, op.transpose(key, [0, 1, 3, 2])), op.scalarLike(hidden, size ** -0.5));
  const probs = blocks.dropout(op.softmax(op.add(scores, global ? context.globalMask : context.slidingMask), -1), 'attention');
  const attended = op.reshape(op.transpose(op.matmul(probs, value), [0, 2, 1, 3]), [0, 0, heads * size]);
  // out_drop: Dropout(attention_dropout) (nn.Identity when it is 0; dropout() skips p = 0).
  return blocks.dropout(blocks.dense(attended, layer.attentionOutput), 'attention');
}

/** ModernBertMLP: Wi chunked into input and gate, Wo(drop(act(input) · gate)). */
export function gatedMlp(blocks: Blocks, config: BertConfig, hidden: Value, layer: LayerNames): Value {
  const g = hidden.graph;
  const both = op.reshape(blocks.dense(hidden, layer.intermediate), [0, 0, 2, config.intermediate_size]);
  const input = op.gather(both, g.constant([0], [], 'int64', 'mlp_input'), 2);
  const gate = op.gather(both, g.constant([1], [], 'int64', 'mlp_gate'), 2);
  return blocks.dense(blocks.dropout(op.mul(activation(input, config.hidden_act), gate), 'mlp'), layer.output);
}
