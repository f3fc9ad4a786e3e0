import type { BertConfig } from './config';
import type { HeadKind } from './heads';

/**
 * What distinguishes one member of the BERT family from another, as data: the HF module names of
 * each parameter, whether token types exist, and what sequence-level heads read from [CLS]. The one
 * encoder definition (definition.ts) and the weight list (weightNames.ts) read this description, so a
 * new architecture is a new entry here plus its config fields (config.ts), never a copied definition.
 */
export type ModelType = 'bert' | 'distilbert';

export const SUPPORTED_MODEL_TYPES: readonly ModelType[] = ['bert', 'distilbert'];

/** Module names (without `.weight` / `.bias`) of one encoder layer. */
export interface LayerNames {
  /** The layer's own prefix, ending in a dot (names the fused graph's derived initializers). */
  module: string;
  query: string;
  key: string;
  value: string;
  attentionOutput: string;
  attentionNorm: string;
  intermediate: string;
  output: string;
  outputNorm: string;
}

/** The vector sequence-level heads classify: BERT's pooler (dense + tanh), DistilBERT's pre_classifier (dense + ReLU). */
export interface ClsSummary {
  module: string;
  activation: 'tanh' | 'relu';
  /** Heads that build it (HF's add_pooling_layer / the heads that own pre_classifier). */
  heads: readonly HeadKind[];
}

export interface Architecture {
  modelType: ModelType;
  /** The base model's module prefix in a head's state_dict (`bert.`, `distilbert.`). */
  basePrefix: string;
  embeddings: { words: string; positions: string; tokenTypes: string | null; norm: string };
  layer(index: number): LayerNames;
  summary: ClsSummary;
  /** HF class of each supported head (config.json `architectures`). */
  classes: Partial<Record<HeadKind, string>>;
}

const BERT: Architecture = {
  modelType: 'bert',
  basePrefix: 'bert.',
  embeddings: {
    words: 'bert.embeddings.word_embeddings',
    positions: 'bert.embeddings.position_embeddings',
    tokenTypes: 'bert.embeddings.token_type_embeddings',
    norm: 'bert.embeddings.LayerNorm',
  },
  layer: (i) => {
    const p = `bert.encoder.layer.${i}.`;
    return {
      module: p,
      query: `${p}attention.self.query`,
      key: `${p}attention.self.key`,
      value: `${p}attention.self.value`,
      attentionOutput: `${p}attention.output.dense`,
      attentionNorm: `${p}attention.output.LayerNorm`,
      intermediate: `${p}intermediate.dense`,
      output: `${p}output.dense`,
      outputNorm: `${p}output.LayerNorm`,
    };
  },
  summary: { module: 'bert.pooler.dense', activation: 'tanh', heads: ['base', 'sequence-classification', 'next-sentence', 'pretraining', 'multiple-choice'] },
  classes: {
    'base': 'BertModel',
    'token-classification': 'BertForTokenClassification',
    'sequence-classification': 'BertForSequenceClassification',
    'question-answering': 'BertForQuestionAnswering',
    'masked-lm': 'BertForMaskedLM',
    'next-sentence': 'BertForNextSentencePrediction',
    'pretraining': 'BertForPreTraining',
    'multiple-choice': 'BertForMultipleChoice',
    'causal-lm': 'BertLMHeadModel',
  },
};

/** HF transformers 4.x modeling_distilbert.py: no token types, no pooler, pre_classifier + ReLU on [CLS]. */
const DISTILBERT: Architecture = {
  modelType: 'distilbert',
  basePrefix: 'distilbert.',
  embeddings: {
    words: 'distilbert.embeddings.word_embeddings',
    positions: 'distilbert.embeddings.position_embeddings',
    tokenTypes: null,
    norm: 'distilbert.embeddings.LayerNorm',
  },
  layer: (i) => {
    const p = `distilbert.transformer.layer.${i}.`;
    return {
      module: p,
      query: `${p}attention.q_lin`,
      key: `${p}attention.k_lin`,
      value: `${p}attention.v_lin`,
      attentionOutput: `${p}attention.out_lin`,
      attentionNorm: `${p}sa_layer_norm`,
      intermediate: `${p}ffn.lin1`,
      output: `${p}ffn.lin2`,
      outputNorm: `${p}output_layer_norm`,
    };
  },
  summary: { module: 'pre_classifier', activation: 'relu', heads: ['sequence-classification', 'multiple-choice'] },
  classes: {
    'base': 'DistilBertModel',
    'token-classification': 'DistilBertForTokenClassification',
    'sequence-classification': 'DistilBertForSequenceClassification',
    'question-answering': 'DistilBertForQuestionAnswering',
  },
};

const ARCHITECTURES: Record<ModelType, Architecture> = { bert: BERT, distilbert: DISTILBERT };

export function architectureOf(config: Pick<BertConfig, 'model_type'>): Architecture {
  return ARCHITECTURES[config.model_type];
}

export function isSupportedModelType(value: unknown): value is ModelType {
  return typeof value === 'string' && (SUPPORTED_MODEL_TYPES as readonly string[]).includes(value);
}

/** The architecture and head of an HF class name (`DistilBertForTokenClassification`), if supported. */
export function classInfo(className: string): { architecture: Architecture; head: HeadKind } | undefined {
  for (const architecture of Object.values(ARCHITECTURES)) {
    const entry = (Object.entries(architecture.classes) as Array<[HeadKind, string]>).find(([, c]) => c === className);
    if (entry) return { architecture, head: entry[0] };
  }
  return undefined;
}

export function usesSummary(config: Pick<BertConfig, 'model_type'>, head: HeadKind): boolean {
  return architectureOf(config).summary.heads.includes(head);
}
