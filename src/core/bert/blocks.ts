import type { Value } from '../graph/graph';
import type { LayerNames } from './architecture';
import type { HiddenAct } from './config';
import type { BertInputs } from './definition';

/** Where a dropout sits decides its probability (HF: hidden, attention probs, classifier; ModernBERT's mlp_dropout). */
export type DropoutSite = 'hidden' | 'attention' | 'classifier' | 'pooler' | 'mlp';

/**
 * The building blocks of BERT. `definition.ts` composes them into the architecture; the reference
 * implementation emits primitive differentiable ops, the fused one ORT's CPU contrib kernels.
 * Weight arguments are HF module prefixes (e.g. `bert.encoder.layer.0.attention.output.dense`).
 */
export interface Blocks {
  /** word + token-type + position embeddings, LayerNorm, dropout → [rows, seq, hidden]. */
  embeddings(inputs: BertInputs): Value;
  /** Prepares the attention mask once for all layers (causal for decoders). */
  attentionMask(mask: Value, causal: boolean): Value;
  /** Multi-head self-attention up to the context layer (before attention.output.dense). */
  selfAttention(hidden: Value, mask: Value, layer: LayerNames, heads: number, headSize: number): Value;
  /** LayerNorm(dropout(dense(x)) + residual): BertSelfOutput and BertOutput (DistilBERT's out_lin + sa_layer_norm, lin2 + output_layer_norm). */
  denseResidualNorm(x: Value, residual: Value, dense: string, norm: string, dropout?: boolean): Value;
  denseActivation(x: Value, name: string, act: HiddenAct): Value;
  dense(x: Value, name: string): Value;
  layerNorm(x: Value, name: string): Value;
  dropout(x: Value, site: DropoutSite): Value;
  /** The graph value of an HF parameter as it is (DeBERTa's relative-position table). */
  parameter(name: string): Value;
  /** The MLM decoder: x·Eᵀ + cls.predictions.bias with E the (tied) embedding matrix. */
  decoder(x: Value): Value;
}
