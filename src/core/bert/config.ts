/**
 * BERT configuration with Hugging Face `BertConfig` field names and defaults, so that a
 * `config.json` from the hub or from `save_pretrained` reads and writes without mapping.
 */

export type HiddenAct = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu' | 'tanh' | 'silu';
export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';

export interface BertConfig {
  model_type: 'bert';
  architectures?: string[];
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: HiddenAct;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  pad_token_id: number;
  position_embedding_type: 'absolute';
  is_decoder: boolean;
  classifier_dropout: number | null;
  problem_type?: ProblemType | null;
  id2label: Record<string, string>;
  label2id: Record<string, number>;
  /** Anything else found in config.json is kept so that saving does not lose it. */
  [extra: string]: unknown;
}

export const BERT_DEFAULTS: Omit<BertConfig, 'id2label' | 'label2id'> = {
  model_type: 'bert',
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: 'absolute',
  is_decoder: false,
  classifier_dropout: null,
};

export class ConfigError extends Error {}

const SUPPORTED_ACTS: readonly HiddenAct[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'tanh', 'silu'];

/** Parses a config.json object, filling HF defaults; throws ConfigError naming the bad field. */
export function parseBertConfig(raw: unknown, source = 'config.json'): BertConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  if (obj.model_type !== undefined && obj.model_type !== 'bert') {
    throw new ConfigError(`${source}: model_type is "${String(obj.model_type)}", only "bert" is supported`);
  }
  const config = { ...BERT_DEFAULTS, ...obj, model_type: 'bert' } as BertConfig;
  for (const key of ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size',
    'max_position_embeddings', 'type_vocab_size'] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${source}: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ConfigError(`${source}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}`);
  }
  if (!SUPPORTED_ACTS.includes(config.hidden_act)) {
    throw new ConfigError(`${source}: hidden_act "${String(config.hidden_act)}" is not supported (${SUPPORTED_ACTS.join(', ')})`);
  }
  if (config.position_embedding_type !== 'absolute') {
    throw new ConfigError(`${source}: position_embedding_type "${String(config.position_embedding_type)}" is not supported (absolute only)`);
  }
  const { id2label, label2id } = normalizeLabels(obj, source);
  config.id2label = id2label;
  config.label2id = label2id;
  return config;
}

/** HF fills id2label with LABEL_0, LABEL_1 when absent (num_labels defaults to 2). */
function normalizeLabels(obj: Record<string, unknown>, source: string): { id2label: Record<string, string>; label2id: Record<string, number> } {
  let id2label: Record<string, string> = {};
  if (obj.id2label && typeof obj.id2label === 'object') {
    for (const [k, v] of Object.entries(obj.id2label as Record<string, unknown>)) {
      if (!/^\d+$/.test(k)) throw new ConfigError(`${source}: id2label key "${k}" is not an integer`);
      id2label[k] = String(v);
    }
  } else {
    const n = typeof obj.num_labels === 'number' ? obj.num_labels : 2;
    for (let i = 0; i < n; i++) id2label[String(i)] = `LABEL_${i}`;
  }
  const count = Object.keys(id2label).length;
  for (let i = 0; i < count; i++) {
    if (!(String(i) in id2label)) throw new ConfigError(`${source}: id2label must number labels 0..${count - 1}; ${i} is missing`);
  }
  id2label = Object.fromEntries(Object.entries(id2label).sort((a, b) => Number(a[0]) - Number(b[0])));
  const label2id: Record<string, number> = {};
  for (const [k, v] of Object.entries(id2label)) label2id[v] = Number(k);
  return { id2label, label2id };
}

export function numLabels(config: BertConfig): number {
  return Object.keys(config.id2label).length;
}

export function labelList(config: BertConfig): string[] {
  return Array.from({ length: numLabels(config) }, (_, i) => config.id2label[String(i)]!);
}

export function headSize(config: BertConfig): number {
  return config.hidden_size / config.num_attention_heads;
}

/** HF's `problem_type` inference in BertForSequenceClassification.forward when unset. */
export function effectiveProblemType(config: BertConfig): ProblemType {
  if (config.problem_type) return config.problem_type;
  return numLabels(config) === 1 ? 'regression' : 'single_label_classification';
}
