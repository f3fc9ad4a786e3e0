import { Random } from '../util/random';
import type { BertConfig } from './config';
import { architectureOf } from './architecture';
import { wordEmbeddingsName, type WeightSpec } from './weightNames';

export type Weights = Map<string, Float32Array>;

/**
 * HF `BertPreTrainedModel._init_weights` (ModernBERT: its own, modernBertStd): normal(0, initializer_range) for linear and embedding
 * weights, zeros for biases, LayerNorm at identity, and the padding row of every nn.Embedding with a
 * padding_idx zeroed (the word embeddings; RoBERTa's position table too).
 */
export function initWeight(spec: WeightSpec, config: BertConfig, random: Random): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  if (spec.init === 'ones') data.fill(1);
  else if (spec.init === 'normal' && architectureOf(config).rotary) {
    // ModernBertPreTrainedModel._init_weights: trunc_normal_(0, std, ±cutoff·std) with std by module, no zeroed padding row.
    const std = modernBertStd(spec.name, config);
    const cutoff = (typeof config.initializer_cutoff_factor === 'number' ? config.initializer_cutoff_factor : 3) * std;
    for (let i = 0; i < size; i++) {
      let x = random.normal() * std;
      while (Math.abs(x) > cutoff) x = random.normal() * std;
      data[i] = x;
    }
  } else if (spec.init === 'normal') {
    for (let i = 0; i < size; i++) data[i] = random.normal() * config.initializer_range;
    if (paddedTables(config).includes(spec.name) && config.pad_token_id < spec.shape[0]!) {
      const h = spec.shape[1]!;
      data.fill(0, config.pad_token_id * h, (config.pad_token_id + 1) * h);
    }
  }
  return data;
}

export function initWeights(specs: WeightSpec[], config: BertConfig, seed: number): Weights {
  const random = new Random(seed);
  const weights: Weights = new Map();
  for (const spec of specs) weights.set(spec.name, initWeight(spec, config, random));
  return weights;
}

/**
 * The std ModernBERT's _init_weights gives a weight: initializer_range for the embeddings, Wqkv and Wi
 * ("in", "embedding"), initializer_range / √(2 · num_hidden_layers) for both Wo, head.dense and the
 * decoder ("out"), hidden_size^-0.5 for the classifier ("final_out").
 */
function modernBertStd(name: string, config: BertConfig): number {
  if (name.startsWith('classifier.')) return config.hidden_size ** -0.5;
  if (/\.Wo\.weight$/.test(name) || name.startsWith('head.dense.') || name.startsWith('decoder.')) return config.initializer_range / Math.sqrt(2 * config.num_hidden_layers);
  return config.initializer_range;
}

function paddedTables(config: BertConfig): string[] {
  const architecture = architectureOf(config);
  return [wordEmbeddingsName(config), ...(architecture.positions === 'from-padding' ? [`${architecture.embeddings.positions}.weight`] : [])];
}
