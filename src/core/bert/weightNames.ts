import type { BertConfig } from './config';
import { numLabels } from './config';
import { type HeadKind, usesLmHead, usesPooler } from './heads';

export type InitKind = 'normal' | 'zeros' | 'ones';

export interface WeightSpec {
  /** HF state_dict name, e.g. bert.encoder.layer.0.attention.self.query.weight. */
  name: string;
  shape: number[];
  init: InitKind;
}

export const WORD_EMBEDDINGS = 'bert.embeddings.word_embeddings.weight';
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
  const h = config.hidden_size;
  const specs: WeightSpec[] = [
    { name: WORD_EMBEDDINGS, shape: [config.vocab_size, h], init: 'normal' },
    { name: 'bert.embeddings.position_embeddings.weight', shape: [config.max_position_embeddings, h], init: 'normal' },
    { name: 'bert.embeddings.token_type_embeddings.weight', shape: [config.type_vocab_size, h], init: 'normal' },
    ...layerNorm('bert.embeddings.LayerNorm', h),
  ];
  for (let i = 0; i < config.num_hidden_layers; i++) {
    const p = layerPrefix(i);
    specs.push(
      ...linear(`${p}attention.self.query`, h, h),
      ...linear(`${p}attention.self.key`, h, h),
      ...linear(`${p}attention.self.value`, h, h),
      ...linear(`${p}attention.output.dense`, h, h),
      ...layerNorm(`${p}attention.output.LayerNorm`, h),
      ...linear(`${p}intermediate.dense`, config.intermediate_size, h),
      ...linear(`${p}output.dense`, h, config.intermediate_size),
      ...layerNorm(`${p}output.LayerNorm`, h),
    );
  }
  if (usesPooler(head)) specs.push(...linear('bert.pooler.dense', h, h));
  if (usesLmHead(head)) {
    specs.push(...linear('cls.predictions.transform.dense', h, h), ...layerNorm('cls.predictions.transform.LayerNorm', h));
    specs.push({ name: 'cls.predictions.bias', shape: [config.vocab_size], init: 'zeros' });
    if (config.tie_word_embeddings === false) specs.push({ name: TIED_DECODER, shape: [config.vocab_size, h], init: 'normal' });
  }
  switch (head) {
    case 'token-classification':
    case 'sequence-classification':
      specs.push(...linear('classifier', numLabels(config), h));
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

/** Names HF treats as aliases of another tensor (tied weights), resolved to the tensor they share. */
export function canonicalName(config: BertConfig, name: string): string {
  if (name === TIED_DECODER && config.tie_word_embeddings !== false) return WORD_EMBEDDINGS;
  if (name === 'cls.predictions.decoder.bias') return 'cls.predictions.bias';
  return name;
}
