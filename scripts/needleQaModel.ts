/**
 * A question-answering BERT whose answer is known in advance: it points at a "needle" (two given
 * vocabulary tokens) wherever the needle sits in a context. Used by the long-context QA test and by
 * bench/qa, where a seeded random model would answer noise and prove nothing about long contexts.
 *
 * How: every layer's attention output and FFN output projections are zero, so each layer is
 * x → LayerNorm(x + 0) → LayerNorm(x + 0), the identity on the already normalized embeddings;
 * position and token-type embeddings are zero, so the final hidden state of a token is
 * LayerNorm(word_embedding[id]) whatever its context and position. The QA head's start row is that
 * vector for the needle's first token and its end row that of the last token, so the start logit is
 * |h|² = hidden_size at the needle and a random-sized dot product elsewhere. All other weights are HF's
 * seeded init: the model still does a full BERT's arithmetic, so it is fair for timing.
 */
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../src/core/bert/config';
import { initWeights } from '../src/core/bert/init';
import { saveModelFolder } from '../src/core/bert/saveFolder';
import { layerPrefix, weightSpecs, WORD_EMBEDDINGS } from '../src/core/bert/weightNames';
import { specFromVocab } from '../src/core/runtime/tokenizer/bertTokenizer';
import { serializeTokenizer } from '../src/core/runtime/tokenizer/tokenizerWriter';
import { FIXTURE_VOCAB } from './fixtureModels';

export interface NeedleModelOptions {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  /** First and last token of the answer (entries of the fixture vocabulary). */
  needle: [string, string];
  seed?: number;
  /** Also write onnx/model.onnx (default true). */
  onnx?: boolean;
}

export function needleConfig(options: NeedleModelOptions): BertConfig {
  return parseBertConfig({
    vocab_size: FIXTURE_VOCAB.length,
    hidden_size: options.hiddenSize,
    num_hidden_layers: options.numLayers,
    num_attention_heads: options.numHeads,
    intermediate_size: options.intermediateSize,
    max_position_embeddings: options.maxPositions,
    hidden_act: 'gelu',
  }, 'needle model');
}

/** LayerNorm with weight 1 and bias 0 (the embeddings LayerNorm as initialised). */
function normalized(row: Float32Array, eps: number): Float32Array {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
  return row.map((v) => (v - mean) / Math.sqrt(variance + eps));
}

export async function buildNeedleQaModel(dir: string, options: NeedleModelOptions): Promise<string> {
  const config = needleConfig(options);
  const weights = initWeights(weightSpecs(config, 'question-answering'), config, options.seed ?? 0);
  const zero = (name: string) => weights.get(name)!.fill(0);
  zero('bert.embeddings.position_embeddings.weight');
  zero('bert.embeddings.token_type_embeddings.weight');
  for (let layer = 0; layer < config.num_hidden_layers; layer++) {
    for (const dense of ['attention.output.dense', 'output.dense']) {
      zero(`${layerPrefix(layer)}${dense}.weight`);
      zero(`${layerPrefix(layer)}${dense}.bias`);
    }
  }
  const h = config.hidden_size;
  const embeddings = weights.get(WORD_EMBEDDINGS)!;
  const qa = weights.get('qa_outputs.weight')!;
  options.needle.forEach((token, row) => {
    const id = FIXTURE_VOCAB.indexOf(token);
    if (id < 0) throw new Error(`needle token "${token}" is not in the fixture vocabulary`);
    qa.set(normalized(embeddings.subarray(id * h, (id + 1) * h), config.layer_norm_eps), row * h);
  });
  zero('qa_outputs.bias');
  const vocab = new Map(FIXTURE_VOCAB.map((t, i) => [t, i]));
  const files = serializeTokenizer({ ...specFromVocab(vocab, { lowercase: false }), modelMaxLength: config.max_position_embeddings });
  await saveModelFolder(dir, {
    config,
    head: 'question-answering',
    weights,
    tokenizerFiles: {
      'tokenizer.json': files.tokenizerJson,
      'vocab.txt': files.vocabTxt,
      'tokenizer_config.json': files.tokenizerConfig,
      'special_tokens_map.json': files.specialTokensMap,
    },
    onnx: options.onnx ?? true,
  });
  return path.resolve(dir);
}
