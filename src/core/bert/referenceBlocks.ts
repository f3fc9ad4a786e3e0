import type { DType } from '../graph/dtype';
import type { Graph, Shape, Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig, HiddenAct } from './config';
import type { Blocks, DropoutSite } from './blocks';
import type { BertInputs } from './definition';
import { architectureOf, classifierDropout, hasBias, type LayerNames, positionEmbeddings, tokenTypeEmbeddings } from './architecture';
import type { HeadKind } from './heads';
import { embeddingPositionIds } from './positions';
import { wordEmbeddingsName } from './weightNames';

/** Supplies the graph value of an HF parameter: an initializer (frozen) or a graph input (trainable). */
export type ParamProvider = (name: string) => Value;

export interface DropoutMaskInput {
  /** Graph input name; feed a bool keep-mask (true with probability 1-p). */
  name: string;
  shape: Shape;
  probability: number;
  site: DropoutSite;
}

export function activation(x: Value, act: HiddenAct): Value {
  switch (act) {
    case 'gelu':
      return op.geluErf(x);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return op.geluTanh(x);
    case 'relu':
      return op.relu(x);
    case 'tanh':
      return op.tanh(x);
    case 'silu':
      return op.silu(x);
  }
}

/** The zero bias of a LayerNorm without one, as wide as its weight. */
export function zeroBias(weight: Value): Value {
  const size = weight.shape[0] as number;
  return weight.graph.constant(new Array<number>(size).fill(0), [size], weight.dtype, 'zero_norm_bias');
}

/** torch.finfo(dtype).min, the value HF adds to masked attention scores. */
function finfoMin(dtype: DType): number {
  return dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
}

/**
 * Primitive ops only, so every block is differentiable by the autodiff and runs in float64 for
 * gradient checks. With `dropout` set, each dropout site becomes a mask input (see DropoutMaskInput).
 */
export class ReferenceBlocks implements Blocks {
  readonly dropoutMasks: DropoutMaskInput[] = [];

  constructor(
    private readonly graph: Graph,
    private readonly config: BertConfig,
    private readonly param: ParamProvider,
    private readonly dtype: DType = 'float32',
    private readonly dropoutEnabled = false,
    /** nn.Embedding(padding_idx): the padding row gets no gradient from the lookup (training only). */
    private readonly freezePaddingRow = false,
    /** The head being built: its classifier dropout may be its own config field (DistilBERT). */
    private readonly head?: HeadKind,
  ) {}

  /** A lookup in an nn.Embedding(padding_idx = pad_token_id) table: with freezePaddingRow, its padding row gets no gradient. */
  private paddedLookup(name: string, ids: Value): Value {
    const table = this.param(name);
    const looked = op.gather(table, ids, 0);
    if (!this.freezePaddingRow) return looked;
    const isPad = op.unsqueeze(op.equal(ids, this.graph.constant([this.config.pad_token_id], [], 'int64', 'pad_id')), [-1]);
    return op.where(isPad, op.gather(op.stopGradient(table), ids, 0), looked);
  }

  embeddings(inputs: BertInputs): Value {
    const names = architectureOf(this.config).embeddings;
    const words = this.paddedLookup(wordEmbeddingsName(this.config), inputs.inputIds);
    const positionTable = positionEmbeddings(this.config);
    const typeTable = tokenTypeEmbeddings(this.config);
    const types = typeTable && inputs.tokenTypeIds ? op.gather(this.param(`${typeTable}.weight`), inputs.tokenTypeIds, 0) : null;
    if (!positionTable) return this.dropout(this.layerNorm(types ? op.add(words, types) : words, names.norm), 'hidden');
    const positionIds = embeddingPositionIds(this.config, inputs);
    // RoBERTa's position table is an nn.Embedding(padding_idx) too: position padding_idx is padding.
    const positions = architectureOf(this.config).positions === 'from-padding'
      ? this.paddedLookup(`${positionTable}.weight`, positionIds)
      : op.gather(this.param(`${positionTable}.weight`), positionIds, 0);
    // HF order: (inputs_embeds + token_type_embeddings) + position_embeddings; DistilBERT: words + positions;
    // DeBERTa: (words + positions) + token types.
    const summed = architectureOf(this.config).disentangled
      ? (types ? op.add(op.add(words, positions), types) : op.add(words, positions))
      : op.add(types ? op.add(words, types) : words, positions);
    return this.dropout(this.layerNorm(summed, names.norm), 'hidden');
  }

  attentionMask(mask: Value, causal: boolean): Value {
    // A 3-D [rows, from, to] mask (packed rows) applies as it is, as in HF's get_extended_attention_mask.
    if (mask.shape.length === 3) return this.additiveMask(op.unsqueeze(op.cast(mask, this.dtype), [1]));
    let keep = op.unsqueeze(op.cast(mask, this.dtype), [1, 2]);
    if (causal) {
      const seq = op.shapeSlice(mask, 1, 2);
      const square = op.concat([seq, seq], 0);
      const ones = op.emit('ConstantOfShape', [square], { value: { tensor: { dtype: this.dtype, dims: [1], data: this.dtype === 'float64' ? Float64Array.of(1) : Float32Array.of(1) } } }, { dtype: this.dtype, shape: ['seq', 'seq'] });
      const lower = op.emit('Trilu', [ones], { upper: 0 });
      keep = op.mul(keep, lower);
    }
    return this.additiveMask(keep);
  }

  /** HF get_extended_attention_mask: (1 - mask) · finfo.min, added to the raw scores. */
  private additiveMask(keep: Value): Value {
    return op.scale(op.sub(op.scalarLike(keep, 1), keep), finfoMin(this.dtype));
  }

  selfAttention(hidden: Value, mask: Value, layer: LayerNames, heads: number, headSize: number): Value {
    const project = (name: string) => op.reshape(this.dense(hidden, name), [0, 0, heads, headSize]);
    const query = op.transpose(project(layer.query), [0, 2, 1, 3]);
    const keyT = op.transpose(project(layer.key), [0, 2, 3, 1]);
    const value = op.transpose(project(layer.value), [0, 2, 1, 3]);
    const scores = op.div(op.matmul(query, keyT), op.scalarLike(hidden, Math.sqrt(headSize)));
    const probs = this.dropout(op.softmax(op.add(scores, mask), -1), 'attention');
    const context = op.transpose(op.matmul(probs, value), [0, 2, 1, 3]);
    return op.reshape(context, [0, 0, heads * headSize]);
  }

  denseResidualNorm(x: Value, residual: Value, dense: string, norm: string, dropout = true): Value {
    const projected = dropout ? this.dropout(this.dense(x, dense), 'hidden') : this.dense(x, dense);
    return this.layerNorm(op.add(projected, residual), norm);
  }

  denseActivation(x: Value, name: string, act: HiddenAct): Value {
    return activation(this.dense(x, name), act);
  }

  dense(x: Value, name: string): Value {
    return op.linear(x, this.param(`${name}.weight`), hasBias(this.config, name) ? this.param(`${name}.bias`) : null);
  }

  layerNorm(x: Value, name: string): Value {
    const weight = this.param(`${name}.weight`);
    // nn.LayerNorm(bias=False) (ModernBERT's norm_bias): a zero bias, no parameter.
    const bias = hasBias(this.config, name) ? this.param(`${name}.bias`) : zeroBias(weight);
    return op.layerNorm(x, weight, bias, this.config.layer_norm_eps);
  }

  dropout(x: Value, site: DropoutSite): Value {
    const probability = this.probability(site);
    if (!this.dropoutEnabled || probability <= 0) return x;
    const mask = this.graph.input(`dropout_mask_${this.dropoutMasks.length}`, 'bool', x.shape);
    this.dropoutMasks.push({ name: mask.name, shape: x.shape, probability, site });
    return op.dropout(x, mask, probability);
  }

  parameter(name: string): Value {
    return this.param(name);
  }

  decoder(x: Value): Value {
    const lm = architectureOf(this.config).lmHead!;
    const matrix = this.config.tie_word_embeddings === false ? this.param(lm.decoder) : this.param(wordEmbeddingsName(this.config));
    return op.linear(x, matrix, this.param(lm.bias));
  }

  private probability(site: DropoutSite): number {
    if (site === 'attention') return this.config.attention_probs_dropout_prob;
    if (site === 'mlp') return typeof this.config.mlp_dropout === 'number' ? this.config.mlp_dropout : 0;
    if (site === 'pooler') return typeof this.config.pooler_dropout === 'number' ? this.config.pooler_dropout : 0;
    if (site === 'classifier') return this.head ? classifierDropout(this.config, this.head) : this.config.classifier_dropout ?? this.config.hidden_dropout_prob;
    return this.config.hidden_dropout_prob;
  }
}
