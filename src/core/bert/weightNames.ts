import type { BertConfig } from './config';
import { numLabels } from './config';
import { architectureOf, embeddingProjection, embeddingSize, hasBias, positionEmbeddings, tokenTypeEmbeddings } from './architecture';
import { relativeSettings } from './disentangledAttention';
import { type HeadKind, usesLmHead } from './heads';

export type InitKind = 'normal' | 'zeros' | 'ones';

export interface WeightSpec {
  /** HF state_dict name, e.g. bert.encoder.layer.0.attention.self.query.weight. */
  name: string;
  shape: number[];
  init: InitKind;
}

/** BERT's word-embedding matrix; `wordEmbeddingsName(config)` for any family member. */
export const WORD_EMBEDDINGS = 'bert.embeddings.word_embeddings.weight';

export function wordEmbeddingsName(config: Pick<BertConfig, 'model_type'>): string {
  return `${architectureOf(config).embeddings.words}.weight`;
}
export const TIED_DECODER = 'cls.predictions.decoder.weight';

export function layerPrefix(layer: number): string {
  return `bert.encoder.layer.${layer}.`;
}

function linear(name: string, outFeatures: number, inFeatures: number): WeightSpec[] {
  return [
    { name: `${name}.weight`, shape: [outFeatures, inFeatures], init: 'normal' },
    { name: `${name}.bias`, shape: [outFeatures], init: 'zeros' },
  ];
}

function layerNorm(name: string, size: number): WeightSpec[] {
  return [
    { name: `${name}.weight`, shape: [size], init: 'ones' },
    { name: `${name}.bias`, shape: [size], init: 'zeros' },
  ];
}

/**
 * Every parameter of a head, in HF's module order, with HF names and shapes. The tied MLM decoder
 * is not listed: it is the word-embedding matrix itself.
 */
export function weightSpecs(config: BertConfig, head: HeadKind): WeightSpec[] {
  if (architectureOf(config).rotary) return modernBertWeightSpecs(config, head);
  const h = config.hidden_size;
  // The embedding tables' width: hidden_size, or ELECTRA's embedding_size (projected to hidden_size).
  const e = embeddingSize(config);
  const architecture = architectureOf(config);
  const names = architecture.embeddings;
  const projection = embeddingProjection(config);
  const positionTable = positionEmbeddings(config);
  const typeTable = tokenTypeEmbeddings(config);
  // DeBERTa-v2: relative attention adds the encoder's table (and its LayerNorm) and, without share_att_key, per-layer position projections.
  const relative = architecture.disentangled ? relativeSettings(config) : null;
  const specs: WeightSpec[] = [
    { name: `${names.words}.weight`, shape: [config.vocab_size, e], init: 'normal' },
    ...(positionTable ? [{ name: `${positionTable}.weight`, shape: [config.max_position_embeddings, e], init: 'normal' as const }] : []),
    ...(typeTable ? [{ name: `${typeTable}.weight`, shape: [config.type_vocab_size, e], init: 'normal' as const }] : []),
    ...layerNorm(names.norm, e),
    ...(projection ? linear(projection, h, e) : []),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = architecture.layer(i);
    specs.push(
      ...linear(layer.query, h, h),
      ...linear(layer.key, h, h),
      ...linear(layer.value, h, h),
      ...(relative?.relative && !relative.shareKey && relative.c2p ? linear(layer.positionKey!, h, h) : []),
      ...(relative?.relative && !relative.shareKey && relative.p2c ? linear(layer.positionQuery!, h, h) : []),
      ...linear(layer.attentionOutput, h, h),
      ...layerNorm(layer.attentionNorm, h),
      ...linear(layer.intermediate, config.intermediate_size, h),
      ...linear(layer.output, h, config.intermediate_size),
      ...layerNorm(layer.outputNorm, h),
    );
  }
  if (relative?.relative) {
    specs.push({ name: `${architecture.disentangled!.relEmbeddings}.weight`, shape: [2 * relative.span, h], init: 'normal' });
    if (relative.normalizeTable) specs.push(...layerNorm(architecture.disentangled!.relNorm, h));
  }
  if (architecture.summary.heads.includes(head)) specs.push(...linear(architecture.summary.module, h, h));
  const lm = architecture.lmHead;
  if (usesLmHead(head) && lm) {
    specs.push(...linear(lm.dense, e, h), ...layerNorm(lm.norm, e));
    specs.push({ name: lm.bias, shape: [config.vocab_size], init: 'zeros' });
    if (config.tie_word_embeddings === false) specs.push({ name: lm.decoder, shape: [config.vocab_size, e], init: 'normal' });
  }
  switch (head) {
    case 'token-classification':
      specs.push(...linear('classifier', numLabels(config), h));
      break;
    case 'sequence-classification':
      if (architecture.sequenceClassifier.kind === 'classification-head') specs.push(...linear('classifier.dense', h, h), ...linear('classifier.out_proj', numLabels(config), h));
      else specs.push(...linear('classifier', numLabels(config), h));
      break;
    case 'multiple-choice':
      specs.push(...linear('classifier', 1, h));
      break;
    case 'question-answering':
      specs.push(...linear('qa_outputs', 2, h));
      break;
    case 'next-sentence':
    case 'pretraining':
      specs.push(...linear('cls.seq_relationship', 2, h));
      break;
    default:
      break;
  }
  return specs;
}

/**
 * ModernBERT's parameters in HF's module order (modeling_modernbert.py): biases only where the config
 * asks (hasBias), no attn_norm in layer 0, Wqkv [3·hidden, hidden], Wi [2·intermediate, hidden], the
 * heads' ModernBertPredictionHead (head.dense, head.norm) and their classifier; the MLM decoder's
 * weight is the (tied) token-embedding matrix, its bias decoder.bias.
 */
function modernBertWeightSpecs(config: BertConfig, head: HeadKind): WeightSpec[] {
  const h = config.hidden_size;
  const architecture = architectureOf(config);
  const dense = (name: string, out: number, inFeatures: number): WeightSpec[] =>
    hasBias(config, name) ? linear(name, out, inFeatures) : [{ name: `${name}.weight`, shape: [out, inFeatures], init: 'normal' }];
  const norm = (name: string): WeightSpec[] => (hasBias(config, name) ? layerNorm(name, h) : [{ name: `${name}.weight`, shape: [h], init: 'ones' }]);
  const specs: WeightSpec[] = [
    { name: `${architecture.embeddings.words}.weight`, shape: [config.vocab_size, h], init: 'normal' },
    ...norm(architecture.embeddings.norm),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const layer = architecture.layer(i);
    specs.push(
      ...(i === 0 ? [] : norm(layer.attentionNorm)),
      ...dense(layer.query, 3 * h, h),
      ...dense(layer.attentionOutput, h, h),
      ...norm(layer.outputNorm),
      ...dense(layer.intermediate, 2 * config.intermediate_size, h),
      ...dense(layer.output, h, config.intermediate_size),
    );
  }
  specs.push(...norm(architecture.rotary!.finalNorm));
  const prediction = architecture.rotary!.predictionHead;
  if (head === 'token-classification' || head === 'sequence-classification' || head === 'question-answering' || usesLmHead(head)) {
    specs.push(...dense(prediction.dense, h, h), ...norm(prediction.norm));
  }
  if (usesLmHead(head)) {
    const lm = architecture.lmHead!;
    if (config.tie_word_embeddings === false) specs.push({ name: lm.decoder, shape: [config.vocab_size, h], init: 'normal' });
    specs.push({ name: lm.bias, shape: [config.vocab_size], init: 'zeros' });
  }
  if (head === 'token-classification' || head === 'sequence-classification') specs.push(...linear('classifier', numLabels(config), h));
  // ModernBertForQuestionAnswering: classifier with num_labels rows, 2 (start, end) as its split needs.
  if (head === 'question-answering') specs.push(...linear('classifier', 2, h));
  return specs;
}

/** Names HF treats as aliases of another tensor (tied weights), resolved to the tensor they share. */
export function canonicalName(config: BertConfig, name: string): string {
  const lm = architectureOf(config).lmHead;
  if (!lm) return name;
  if (name === lm.decoder && config.tie_word_embeddings !== false) return wordEmbeddingsName(config);
  if (name === lm.decoderBias) return lm.bias;
  return name;
}

/**
 * The LayerNorm weights of a head (the parameters initialized at one), whatever their module is called
 * (`LayerNorm`, DistilBERT's `sa_layer_norm`, RoBERTa's `lm_head.layer_norm`): HF Trainer exempts every
 * parameter of a LayerNorm module from weight decay (get_decay_parameter_names), by type, not name.
 */
export function layerNormWeights(config: BertConfig, head: HeadKind): string[] {
  return weightSpecs(config, head).filter((s) => s.init === 'ones').map((s) => s.name);
}
