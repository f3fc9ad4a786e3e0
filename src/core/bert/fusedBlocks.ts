import type { Graph, Value } from '../graph/graph';
import { MS_DOMAIN } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig, HiddenAct } from './config';
import type { Blocks, DropoutSite } from './blocks';
import type { BertInputs } from './definition';
import { activation, zeroBias } from './referenceBlocks';
import type { HeadKind } from './heads';
import { architectureOf, embeddingSize, hasBias, type LayerNames, positionEmbeddings, tokenTypeEmbeddings } from './architecture';
import { embeddingPositionIds } from './positions';
import { weightSpecs, wordEmbeddingsName } from './weightNames';

export type WeightLookup = (name: string) => Float32Array;

export interface FusedOptions {
  /** int8 weights with per-column scales, run by ORT's DynamicQuantizeMatMul. */
  quantize?: 'int8';
}

/** [out, in] (HF Linear) → [in, out] (MatMul's right operand), done once at build time. */
function transposed(weight: Float32Array, outFeatures: number, inFeatures: number): Float32Array {
  const t = new Float32Array(weight.length);
  for (let o = 0; o < outFeatures; o++) {
    for (let i = 0; i < inFeatures; i++) t[i * outFeatures + o] = weight[o * inFeatures + i]!;
  }
  return t;
}

/**
 * Symmetric per-column int8 quantization of a [K, N] matrix: scale_n = max|w_kn| / 127. Per-column
 * scales keep columns with small weights precise, which per-tensor scales would flatten.
 */
export function quantizeColumns(matrix: Float32Array, rows: number, columns: number): { data: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(columns);
  for (let k = 0; k < rows; k++) {
    for (let n = 0; n < columns; n++) scales[n] = Math.max(scales[n]!, Math.abs(matrix[k * columns + n]!));
  }
  for (let n = 0; n < columns; n++) scales[n] = scales[n]! > 0 ? scales[n]! / 127 : 1;
  const data = new Int8Array(matrix.length);
  for (let k = 0; k < rows; k++) {
    for (let n = 0; n < columns; n++) data[k * columns + n] = Math.max(-127, Math.min(127, Math.round(matrix[k * columns + n]! / scales[n]!)));
  }
  return { data, scales };
}

/** Symmetric per-row int8 quantization of a [rows, columns] matrix (embedding tables). */
export function quantizeRows(matrix: Float32Array, rows: number, columns: number): { data: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(rows);
  const data = new Int8Array(matrix.length);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < columns; c++) max = Math.max(max, Math.abs(matrix[r * columns + c]!));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let c = 0; c < columns; c++) data[r * columns + c] = Math.max(-127, Math.min(127, Math.round(matrix[r * columns + c]! / scale)));
  }
  return { data, scales };
}

/**
 * Inference blocks made of ONNX Runtime's fused CPU contrib ops: EmbedLayerNormalization, Attention,
 * SkipLayerNormalization, BiasGelu/FastGelu, optionally DynamicQuantizeMatMul. Forward only.
 */
export class FusedBlocks implements Blocks {
  private readonly shapes: Map<string, number[]>;
  private readonly params = new Map<string, Value>();

  constructor(
    private readonly graph: Graph,
    private readonly config: BertConfig,
    head: HeadKind,
    private readonly weight: WeightLookup,
    private readonly options: FusedOptions = {},
  ) {
    this.shapes = new Map(weightSpecs(config, head).map((s) => [s.name, s.shape]));
  }

  private init(name: string, dims: number[], data: Float32Array): Value {
    return this.graph.initializer(name, 'float32', dims, data);
  }

  /** An HF parameter as stored (one initializer per name, shared by every use). */
  private param(name: string): Value {
    let value = this.params.get(name);
    if (!value) {
      value = this.init(name, this.shapes.get(name) ?? [this.weight(name).length], this.weight(name));
      this.params.set(name, value);
    }
    return value;
  }

  /** x·W for a weight given in HF [out, in] layout (or several concatenated along out). */
  private matmulWeight(x: Value, names: string[], key: string): Value {
    const parts = names.map((n) => this.weight(n));
    const inFeatures = x.shape[x.shape.length - 1] as number;
    const outFeatures = parts.reduce((n, p) => n + p.length / inFeatures, 0);
    const stacked = new Float32Array(outFeatures * inFeatures);
    let at = 0;
    for (const p of parts) {
      stacked.set(p, at);
      at += p.length;
    }
    const matrix = transposed(stacked, outFeatures, inFeatures);
    const outShape = [...x.shape.slice(0, -1), outFeatures];
    if (this.options.quantize === 'int8') {
      const { data, scales } = quantizeColumns(matrix, inFeatures, outFeatures);
      const quantized = this.graph.initializer(`${key}.int8`, 'int8', [inFeatures, outFeatures], data);
      const scale = this.init(`${key}.scale`, [outFeatures], scales);
      const zero = this.graph.initializer(`${key}.zero_point`, 'int8', [outFeatures], new Int8Array(outFeatures));
      return op.emit('DynamicQuantizeMatMul', [x, quantized, scale, zero], {}, { domain: MS_DOMAIN, shape: outShape });
    }
    return op.emit('MatMul', [x, this.init(`${key}.matrix`, [inFeatures, outFeatures], matrix)], {}, { shape: outShape });
  }

  private bias(names: string[], key: string): Value {
    const parts = names.map((n) => this.weight(n));
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return this.init(key, [joined.length], joined);
  }

  embeddings(inputs: BertInputs): Value {
    const names = architectureOf(this.config).embeddings;
    // Without token types (DistilBERT) the embeddings are a lookup, a sum and one LayerNorm; packed rows
    // (restarting position ids, definition.ts `positionIds`) look their positions up the same way.
    const architecture = architectureOf(this.config);
    if (this.options.quantize === 'int8' || !names.tokenTypes || !inputs.tokenTypeIds || architecture.positions !== 'arange' || architecture.disentangled || inputs.positionIds) {
      return this.unfusedEmbeddings(inputs);
    }
    const ids = op.cast(inputs.inputIds, 'int32');
    const types = op.cast(inputs.tokenTypeIds, 'int32');
    const [out] = this.graph.node(
      'EmbedLayerNormalization',
      [ids, types, this.param(`${names.words}.weight`), this.param(`${names.positions}.weight`),
        this.param(`${names.tokenTypes}.weight`), this.param(`${names.norm}.weight`),
        this.param(`${names.norm}.bias`)],
      [{ dtype: 'float32', shape: [...inputs.inputIds.shape, embeddingSize(this.config)] }, { dtype: 'int32', shape: [inputs.inputIds.shape[0]!] }],
      { epsilon: { float: this.config.layer_norm_eps } },
      MS_DOMAIN,
    );
    return out!;
  }

  /**
   * Embeddings from lookups and one LayerNorm. With int8, the word-embedding table (most of a small
   * BERT's weights) is stored as int8 rows with one scale per row, looked up and rescaled, then summed
   * with the (float) position and type embeddings.
   */
  private unfusedEmbeddings(inputs: BertInputs): Value {
    const names = architectureOf(this.config).embeddings;
    const wordsName = wordEmbeddingsName(this.config);
    let words: Value;
    if (this.options.quantize === 'int8') {
      const table = this.weight(wordsName);
      const width = embeddingSize(this.config);
      const rows = table.length / width;
      const { data, scales } = quantizeRows(table, rows, width);
      const quantized = this.graph.initializer(`${wordsName}.int8`, 'int8', [rows, width], data);
      const rowScales = this.init(`${wordsName}.row_scale`, [rows, 1], scales);
      words = op.mul(op.cast(op.gather(quantized, inputs.inputIds, 0), 'float32'), op.gather(rowScales, inputs.inputIds, 0));
    } else {
      words = op.gather(this.param(wordsName), inputs.inputIds, 0);
    }
    const typeTable = tokenTypeEmbeddings(this.config);
    const positionTable = positionEmbeddings(this.config);
    const types = typeTable && inputs.tokenTypeIds ? op.gather(this.param(`${typeTable}.weight`), inputs.tokenTypeIds, 0) : null;
    const positions = positionTable ? op.gather(this.param(`${positionTable}.weight`), embeddingPositionIds(this.config, inputs), 0) : null;
    // BERT's order: (words + token types) + positions; DeBERTa's: (words + positions) + token types.
    const [first, second] = architectureOf(this.config).disentangled ? [positions, types] : [types, positions];
    let summed = first ? op.add(words, first) : words;
    if (second) summed = op.add(summed, second);
    return this.layerNorm(summed, names.norm);
  }

  attentionMask(mask: Value): Value {
    // Attention (and MultiHeadAttention's key_padding_mask) takes the raw 0/1 mask as it is: [rows, seq],
    // or packed rows' block-diagonal [rows, seq, seq]; causality is the `unidirectional` attribute.
    return op.cast(mask, 'int32');
  }

  selfAttention(hidden: Value, mask: Value, layer: LayerNames, heads: number): Value {
    const names = [layer.query, layer.key, layer.value];
    const prefix = layer.module;
    const bias = this.bias(names.map((n) => `${n}.bias`), `${prefix}attention.qkv.bias`);
    const attrs = { num_heads: heads, unidirectional: this.config.is_decoder ? 1 : 0 };
    if (this.options.quantize === 'int8') {
      // Attention has no int8 weights input: project Q, K, V with one quantized product, then attend.
      const qkv = this.matmulWeight(hidden, names.map((n) => `${n}.weight`), `${prefix}attention.qkv`);
      const width = this.config.hidden_size;
      const [q, k, v] = this.graph.node('Split', [qkv, this.graph.ints([width, width, width], 'split')],
        [0, 1, 2].map(() => ({ dtype: 'float32' as const, shape: hidden.shape })), { axis: 2 });
      return op.emit('MultiHeadAttention', [q!, k!, v!, bias, mask], { num_heads: heads, ...(this.config.is_decoder ? { unidirectional: 1 } : {}) }, { domain: MS_DOMAIN, shape: hidden.shape });
    }
    const parts = names.map((n) => this.weight(`${n}.weight`));
    const h = this.config.hidden_size;
    const stacked = new Float32Array(3 * h * h);
    parts.forEach((p, i) => stacked.set(p, i * h * h));
    const weights = this.init(`${prefix}attention.qkv.matrix`, [h, 3 * h], transposed(stacked, 3 * h, h));
    return op.emit('Attention', [hidden, weights, bias, mask], attrs, { domain: MS_DOMAIN, shape: hidden.shape });
  }

  denseResidualNorm(x: Value, residual: Value, dense: string, norm: string): Value {
    const projected = this.matmulWeight(x, [`${dense}.weight`], dense);
    const [out] = this.graph.node(
      'SkipLayerNormalization',
      [projected, residual, this.param(`${norm}.weight`), this.param(`${norm}.bias`), this.param(`${dense}.bias`)],
      [{ dtype: 'float32', shape: residual.shape }],
      { epsilon: { float: this.config.layer_norm_eps } },
      MS_DOMAIN,
    );
    return out!;
  }

  denseActivation(x: Value, name: string, act: HiddenAct): Value {
    const projected = this.matmulWeight(x, [`${name}.weight`], name);
    const bias = this.param(`${name}.bias`);
    if (act === 'gelu') return op.emit('BiasGelu', [projected, bias], {}, { domain: MS_DOMAIN });
    if (act === 'gelu_new' || act === 'gelu_pytorch_tanh') return op.emit('FastGelu', [projected, bias], {}, { domain: MS_DOMAIN });
    return activation(op.add(projected, bias), act);
  }

  dense(x: Value, name: string): Value {
    const product = this.matmulWeight(x, [`${name}.weight`], name);
    return hasBias(this.config, name) ? op.add(product, this.param(`${name}.bias`)) : product;
  }

  /** x·Wᵀ + b for a weight and bias named separately (the tied decoder), quantized like dense(). */
  private dense2(x: Value, weightName: string, biasName: string): Value {
    return op.add(this.matmulWeight(x, [weightName], `${weightName}.decoder`), this.param(biasName));
  }

  layerNorm(x: Value, name: string): Value {
    const weight = this.param(`${name}.weight`);
    return op.layerNorm(x, weight, hasBias(this.config, name) ? this.param(`${name}.bias`) : zeroBias(weight), this.config.layer_norm_eps);
  }

  dropout(x: Value, _site: DropoutSite): Value {
    return x;
  }

  parameter(name: string): Value {
    return this.param(name);
  }

  decoder(x: Value): Value {
    // The tied decoder reuses the embedding initializer: Gemm reads it transposed, no copy.
    const lm = architectureOf(this.config).lmHead!;
    const name = this.config.tie_word_embeddings === false ? lm.decoder : wordEmbeddingsName(this.config);
    if (this.options.quantize === 'int8') return this.dense2(x, name, lm.bias);
    return op.linear(x, this.param(name), this.param(lm.bias));
  }
}
