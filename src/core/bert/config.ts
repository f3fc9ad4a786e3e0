import { isSupportedModelType, type ModelType, SUPPORTED_MODEL_TYPES } from './architecture';
import { UserError } from '../util/userError';
import { positionAttentionTypes } from './disentangledAttention';

/**
 * BERT configuration with Hugging Face `BertConfig` field names and defaults, so that a
 * `config.json` from the hub or from `save_pretrained` reads and writes without mapping.
 */

export type HiddenAct = 'gelu' | 'gelu_new' | 'gelu_pytorch_tanh' | 'relu' | 'tanh' | 'silu';
export type ProblemType = 'regression' | 'single_label_classification' | 'multi_label_classification';

export interface BertConfig {
  /** The family member (architecture.ts); the fields below are BERT's names whatever the member calls them. */
  model_type: ModelType;
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
  model_type: 'bert' as ModelType,
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

/**
 * ElectraConfig's defaults where they differ from BertConfig's (HF transformers 4.x
 * configuration_electra.py: the electra-small shape). embedding_size is the width of the embedding
 * tables; ElectraModel projects it to hidden_size (embeddings_project) when the two differ.
 */
const ELECTRA_DEFAULTS = {
  embedding_size: 128,
  hidden_size: 256,
  num_attention_heads: 4,
  intermediate_size: 1024,
  // SequenceSummary (ElectraForMultipleChoice): the one dropout it applies, after the activation.
  summary_last_dropout: 0.1,
};

/**
 * The SequenceSummary settings ElectraForMultipleChoice is built for here (ElectraConfig's defaults):
 * the first token, a hidden → hidden projection, erf GELU, no dropout before the projection.
 */
const ELECTRA_SUMMARY: Record<string, unknown> = {
  summary_type: 'first', summary_use_proj: true, summary_activation: 'gelu', summary_proj_to_labels: false, summary_first_dropout: 0,
};

/**
 * DebertaV2Config's defaults (HF transformers 4.x configuration_deberta_v2.py: the deberta-v2-xlarge
 * shape) and the getattr defaults modeling_deberta_v2.py reads for fields the config class does not set
 * (share_att_key, position_buckets, norm_rel_ebd, conv_kernel_size).
 */
const DEBERTA_V2_DEFAULTS = {
  vocab_size: 128100,
  hidden_size: 1536,
  num_hidden_layers: 24,
  num_attention_heads: 24,
  intermediate_size: 6144,
  type_vocab_size: 0,
  layer_norm_eps: 1e-7,
  relative_attention: false,
  max_relative_positions: -1,
  pad_token_id: 0,
  position_biased_input: true,
  pos_att_type: null,
  pooler_dropout: 0,
  pooler_hidden_act: 'gelu',
  share_att_key: false,
  position_buckets: -1,
  norm_rel_ebd: 'none',
};

export class ConfigError extends UserError {}

/** A config value as a message shows it: JSON, cut to a few characters (a hostile file can put megabytes in a field). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const SUPPORTED_ACTS: readonly HiddenAct[] = ['gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu', 'tanh', 'silu'];

/**
 * Upper bounds on the size fields, far above any published encoder (the largest have ~250k
 * vocabularies, hidden sizes of 4096, 48 layers, 8192 positions) and far below what would exhaust
 * the machine: a config is refused before anything is built from it, so that `num_hidden_layers: 1e9`
 * is a one-line error rather than minutes of work and an out-of-memory crash.
 */
export const CONFIG_LIMITS = {
  vocab_size: 2 ** 21,
  hidden_size: 2 ** 15,
  num_hidden_layers: 1024,
  num_attention_heads: 1024,
  intermediate_size: 2 ** 17,
  max_position_embeddings: 2 ** 20,
  type_vocab_size: 4096,
  /** Labels of a classification head (id2label entries, or num_labels without id2label). */
  num_labels: 100_000,
  /** 2·10¹⁰ parameters: 80 GB of float32 weights. */
  parameters: 2e10,
} as const;

const SIZE_FIELDS = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size',
  'max_position_embeddings', 'type_vocab_size'] as const;

/** Parses a config.json object, filling HF defaults; throws ConfigError naming the bad field. */
export function parseBertConfig(raw: unknown, source = 'config.json'): BertConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a JSON object`);
  }
  const obj = raw as Record<string, unknown>;
  const modelType = obj.model_type ?? 'bert';
  if (!isSupportedModelType(modelType)) {
    throw new ConfigError(`${source}: model_type is ${shown(modelType)}; supported: ${SUPPORTED_MODEL_TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
  const config = (modelType === 'distilbert'
    ? fromDistilBertConfig(obj)
    : modelType === 'modernbert'
      ? fromModernBertConfig(obj, source)
    : modelType === 'electra'
      ? { ...BERT_DEFAULTS, ...ELECTRA_DEFAULTS, ...obj, model_type: modelType }
      : modelType === 'deberta-v2'
        ? { ...BERT_DEFAULTS, ...DEBERTA_V2_DEFAULTS, ...obj, model_type: modelType }
      // RobertaConfig (and XLM-RoBERTa's, CamemBERT's) is BertConfig with pad_token_id 1.
      : { ...BERT_DEFAULTS, ...(modelType === 'bert' ? {} : { pad_token_id: 1 }), ...obj, model_type: modelType }) as BertConfig;
  if (config.model_type === 'electra') {
    const size = config.embedding_size;
    if (!Number.isInteger(size) || (size as number) <= 0) throw new ConfigError(`${source}: embedding_size must be a positive integer, got ${shown(size)}`);
    if ((size as number) > CONFIG_LIMITS.hidden_size) throw new ConfigError(`${source}: embedding_size ${size as number} is beyond the supported maximum ${CONFIG_LIMITS.hidden_size}`);
    for (const [field, wanted] of Object.entries(ELECTRA_SUMMARY)) {
      const value = config[field];
      if (value !== undefined && value !== null && value !== wanted) {
        throw new ConfigError(`${source}: ${field} ${JSON.stringify(value)} is not supported (ElectraForMultipleChoice's SequenceSummary is built for ${JSON.stringify(wanted)})`);
      }
    }
  }
  if (config.model_type === 'deberta-v2') checkDebertaV2(config, source);
  if (config.model_type === 'modernbert') checkModernBert(config, source);
  for (const key of SIZE_FIELDS) {
    const value = config[key];
    if (key === 'type_vocab_size' && (config.model_type === 'distilbert' || config.model_type === 'modernbert')) continue;
    // DeBERTa-v3 has no token types (type_vocab_size 0: no table).
    if (key === 'type_vocab_size' && config.model_type === 'deberta-v2' && value === 0) continue;
    if (!Number.isInteger(value) || value <= 0) throw new ConfigError(`${source}: ${key} must be a positive integer, got ${shown(value)}`);
    if (value > CONFIG_LIMITS[key]) throw new ConfigError(`${source}: ${key} ${value} is beyond the supported maximum ${CONFIG_LIMITS[key]}`);
  }
  const parameters = encoderParameterCount(config);
  if (parameters > CONFIG_LIMITS.parameters) {
    throw new ConfigError(`${source}: the sizes imply ${parameters.toExponential(2)} parameters, beyond the supported maximum ${CONFIG_LIMITS.parameters.toExponential(0)}`);
  }
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new ConfigError(`${source}: hidden_size ${config.hidden_size} is not a multiple of num_attention_heads ${config.num_attention_heads}`);
  }
  if (!SUPPORTED_ACTS.includes(config.hidden_act)) {
    // The field as the file names it (DistilBERT's activation, ModernBERT's hidden_activation).
    const field = config.model_type === 'modernbert' ? 'hidden_activation' : config.model_type === 'distilbert' ? 'activation' : 'hidden_act';
    throw new ConfigError(`${source}: ${field} ${shown(config.hidden_act)} is not supported (${SUPPORTED_ACTS.join(', ')})`);
  }
  if (config.position_embedding_type !== 'absolute') {
    throw new ConfigError(`${source}: position_embedding_type ${shown(config.position_embedding_type)} is not supported (absolute only)`);
  }
  const { id2label, label2id } = normalizeLabels(obj, source);
  config.id2label = id2label;
  config.label2id = label2id;
  return config;
}

/** The DebertaV2Config fields BERT Lens builds, and a one-line refusal of those it does not (ConvLayer, embed_proj, p2p). */
function checkDebertaV2(config: BertConfig, source: string): void {
  const kernel = config.conv_kernel_size;
  if (kernel !== undefined && kernel !== null && kernel !== 0) {
    throw new ConfigError(`${source}: conv_kernel_size ${shown(kernel)} asks for DeBERTa-v2's ConvLayer, which BERT Lens does not build (deberta-v3 checkpoints have none)`);
  }
  const embedding = config.embedding_size;
  if (embedding !== undefined && embedding !== null && embedding !== config.hidden_size) {
    throw new ConfigError(`${source}: embedding_size ${shown(embedding)} differs from hidden_size ${config.hidden_size}; DeBERTa's embed_proj is not supported`);
  }
  const pooler = config.pooler_hidden_size;
  if (pooler !== undefined && pooler !== null && pooler !== config.hidden_size) {
    throw new ConfigError(`${source}: pooler_hidden_size ${shown(pooler)} differs from hidden_size ${config.hidden_size}; not supported`);
  }
  const headWidth = config.attention_head_size;
  if (headWidth !== undefined && headWidth !== null && headWidth !== config.hidden_size / config.num_attention_heads) {
    throw new ConfigError(`${source}: attention_head_size ${shown(headWidth)} is not hidden_size / num_attention_heads; not supported`);
  }
  const types = positionAttentionTypes(config.pos_att_type);
  const unknown = types.find((t) => t !== 'c2p' && t !== 'p2c');
  if (unknown !== undefined) throw new ConfigError(`${source}: pos_att_type "${unknown}" is not supported (c2p, p2c)`);
  for (const key of ['position_buckets', 'max_relative_positions'] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || (value as number) > CONFIG_LIMITS.max_position_embeddings) throw new ConfigError(`${source}: ${key} must be an integer up to ${CONFIG_LIMITS.max_position_embeddings}, got ${shown(value)}`);
  }
  if ((config.position_buckets as number) === 1) throw new ConfigError(`${source}: position_buckets 1 leaves no log buckets (use -1 or at least 2)`);
  if (config.relative_attention !== true && config.relative_attention !== false) throw new ConfigError(`${source}: relative_attention must be true or false, got ${shown(config.relative_attention)}`);
  if (!SUPPORTED_ACTS.includes(config.pooler_hidden_act as HiddenAct)) {
    throw new ConfigError(`${source}: pooler_hidden_act "${String(config.pooler_hidden_act)}" is not supported (${SUPPORTED_ACTS.join(', ')})`);
  }
}

/**
 * ModernBertConfig's defaults (HF transformers 4.48.0 configuration_modernbert.py: the
 * answerdotai/ModernBERT-base shape), its own fields kept under their names.
 */
export const MODERNBERT_DEFAULTS = {
  vocab_size: 50368,
  hidden_size: 768,
  intermediate_size: 1152,
  num_hidden_layers: 22,
  num_attention_heads: 12,
  hidden_activation: 'gelu',
  max_position_embeddings: 8192,
  initializer_range: 0.02,
  initializer_cutoff_factor: 2.0,
  norm_eps: 1e-5,
  norm_bias: false,
  pad_token_id: 50283,
  eos_token_id: 50282,
  bos_token_id: 50281,
  cls_token_id: 50281,
  sep_token_id: 50282,
  global_rope_theta: 160000.0,
  attention_bias: false,
  attention_dropout: 0.0,
  global_attn_every_n_layers: 3,
  local_attention: 128,
  local_rope_theta: 10000.0,
  embedding_dropout: 0.0,
  mlp_bias: false,
  mlp_dropout: 0.0,
  decoder_bias: true,
  classifier_pooling: 'cls',
  classifier_dropout: 0.0,
  classifier_bias: false,
  classifier_activation: 'gelu',
};

/** BERT-named fields of a ModernBERT config and the ModernBertConfig field each comes from (saveFolder.ts writes them back). */
export const MODERNBERT_FIELDS: Record<string, string> = {
  hidden_act: 'hidden_activation', layer_norm_eps: 'norm_eps', hidden_dropout_prob: 'embedding_dropout',
  attention_probs_dropout_prob: 'attention_dropout',
};

/**
 * ModernBertConfig under BERT's field names (hidden_act ← hidden_activation, layer_norm_eps ← norm_eps,
 * hidden_dropout_prob ← embedding_dropout, attention_probs_dropout_prob ← attention_dropout), with its
 * defaults; no token types. transformers 5's `rope_parameters` ({full_attention, sliding_attention}:
 * {rope_type "default", rope_theta}) stands for global_rope_theta / local_rope_theta when those are absent.
 */
function fromModernBertConfig(obj: Record<string, unknown>, source: string): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...BERT_DEFAULTS, ...MODERNBERT_DEFAULTS, ...obj, model_type: 'modernbert' };
  const rope = obj.rope_parameters;
  if (rope !== undefined && rope !== null) {
    if (typeof rope !== 'object' || Array.isArray(rope)) throw new ConfigError(`${source}: rope_parameters must be an object, got ${shown(rope)}`);
    for (const [kind, field] of [['full_attention', 'global_rope_theta'], ['sliding_attention', 'local_rope_theta']] as const) {
      const entry = (rope as Record<string, unknown>)[kind];
      if (entry === undefined || entry === null) continue;
      const params = entry as Record<string, unknown>;
      if (params.rope_type !== undefined && params.rope_type !== 'default') {
        throw new ConfigError(`${source}: rope_parameters.${kind}.rope_type ${shown(params.rope_type)} is not supported (default RoPE only)`);
      }
      if (obj[field] === undefined && params.rope_theta !== undefined) merged[field] = params.rope_theta;
    }
  }
  for (const [ours, theirs] of Object.entries(MODERNBERT_FIELDS)) merged[ours] = merged[theirs];
  merged.type_vocab_size = 0;
  merged.classifier_dropout = merged.classifier_dropout ?? 0;
  return merged;
}

/** The ModernBertConfig fields BERT Lens builds, and a one-line refusal of values it does not. */
function checkModernBert(config: BertConfig, source: string): void {
  const positiveInteger = (field: string) => {
    const value = config[field];
    if (!Number.isInteger(value) || (value as number) <= 0) throw new ConfigError(`${source}: ${field} must be a positive integer, got ${shown(value)}`);
  };
  positiveInteger('global_attn_every_n_layers');
  positiveInteger('local_attention');
  if ((config.local_attention as number) > CONFIG_LIMITS.max_position_embeddings) {
    throw new ConfigError(`${source}: local_attention ${config.local_attention as number} is beyond the supported maximum ${CONFIG_LIMITS.max_position_embeddings}`);
  }
  const theta = (field: string, nullable: boolean) => {
    const value = config[field];
    if (nullable && value === null) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new ConfigError(`${source}: ${field} must be a positive number, got ${shown(value)}`);
  };
  theta('global_rope_theta', false);
  theta('local_rope_theta', true);
  theta('norm_eps', false);
  for (const field of ['norm_bias', 'attention_bias', 'mlp_bias', 'classifier_bias', 'decoder_bias']) {
    if (config[field] !== true && config[field] !== false) throw new ConfigError(`${source}: ${field} must be true or false, got ${shown(config[field])}`);
  }
  if (config.decoder_bias === false) throw new ConfigError(`${source}: decoder_bias false (a masked-LM decoder without a bias) is not supported`);
  if (config.classifier_pooling !== 'cls' && config.classifier_pooling !== 'mean') {
    throw new ConfigError(`${source}: classifier_pooling ${shown(config.classifier_pooling)} is not supported ("cls" or "mean")`);
  }
  if (!SUPPORTED_ACTS.includes(config.classifier_activation as HiddenAct)) {
    throw new ConfigError(`${source}: classifier_activation ${shown(config.classifier_activation)} is not supported (${SUPPORTED_ACTS.join(', ')})`);
  }
  for (const field of ['embedding_dropout', 'attention_dropout', 'mlp_dropout', 'classifier_dropout']) {
    const value = config[field];
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ConfigError(`${source}: ${field} must be a number in [0, 1), got ${shown(value)}`);
  }
  const headDim = config.hidden_size / config.num_attention_heads;
  if (Number.isInteger(headDim) && headDim % 2 !== 0) {
    throw new ConfigError(`${source}: hidden_size / num_attention_heads is ${headDim}; rotary attention needs an even head size`);
  }
}

/**
 * DistilBertConfig (HF transformers 4.x configuration_distilbert.py) under BERT's field names, with
 * its defaults. The DistilBERT names stay in the object (extras) so that saving writes them back; its
 * LayerNorms are hard-coded to eps 1e-12 and it has no token types (type_vocab_size 0).
 */
function fromDistilBertConfig(obj: Record<string, unknown>): Record<string, unknown> {
  const pick = (name: string, fallback: unknown): unknown => obj[name] ?? fallback;
  const dropout = pick('dropout', 0.1);
  return {
    ...BERT_DEFAULTS,
    sinusoidal_pos_embds: false,
    qa_dropout: 0.1,
    seq_classif_dropout: 0.2,
    ...obj,
    model_type: 'distilbert',
    vocab_size: pick('vocab_size', 30522),
    hidden_size: pick('dim', 768),
    num_hidden_layers: pick('n_layers', 6),
    num_attention_heads: pick('n_heads', 12),
    intermediate_size: pick('hidden_dim', 3072),
    hidden_act: pick('activation', 'gelu'),
    hidden_dropout_prob: dropout,
    attention_probs_dropout_prob: pick('attention_dropout', 0.1),
    max_position_embeddings: pick('max_position_embeddings', 512),
    type_vocab_size: 0,
    initializer_range: pick('initializer_range', 0.02),
    layer_norm_eps: 1e-12,
    pad_token_id: pick('pad_token_id', 0),
    position_embedding_type: 'absolute',
    is_decoder: false,
    classifier_dropout: null,
  };
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
    const n = obj.num_labels ?? 2;
    if (!Number.isInteger(n) || (n as number) < 0) throw new ConfigError(`${source}: num_labels must be an integer ≥ 0, got ${shown(n)}`);
    if ((n as number) > CONFIG_LIMITS.num_labels) throw new ConfigError(`${source}: num_labels ${n as number} is beyond the supported maximum ${CONFIG_LIMITS.num_labels}`);
    for (let i = 0; i < (n as number); i++) id2label[String(i)] = `LABEL_${i}`;
  }
  const count = Object.keys(id2label).length;
  if (count > CONFIG_LIMITS.num_labels) throw new ConfigError(`${source}: id2label has ${count} labels, beyond the supported maximum ${CONFIG_LIMITS.num_labels}`);
  for (let i = 0; i < count; i++) {
    if (!(String(i) in id2label)) throw new ConfigError(`${source}: id2label must number labels 0..${count - 1}; ${i} is missing`);
  }
  id2label = Object.fromEntries(Object.entries(id2label).sort((a, b) => Number(a[0]) - Number(b[0])));
  const label2id: Record<string, number> = {};
  for (const [k, v] of Object.entries(id2label)) label2id[v] = Number(k);
  return { id2label, label2id };
}

/** Parameters of the embeddings and encoder layers a config implies (heads excluded), computed in doubles. */
export function encoderParameterCount(config: Pick<BertConfig, typeof SIZE_FIELDS[number]> & { model_type?: string; embedding_size?: unknown }): number {
  const h = config.hidden_size;
  // ELECTRA's tables are embedding_size wide, plus the projection to hidden_size.
  const e = config.model_type === 'electra' && typeof config.embedding_size === 'number' ? config.embedding_size : h;
  const embeddings = (config.vocab_size + config.max_position_embeddings + config.type_vocab_size + 2) * e + (e === h ? 0 : e * h + h);
  // ModernBERT's GeGLU Wi is 2 · intermediate_size wide.
  const mlp = (config.model_type === 'modernbert' ? 3 : 2) * h * config.intermediate_size;
  const layer = 4 * (h * h + h) + mlp + config.intermediate_size + h + 4 * h;
  return embeddings + config.num_hidden_layers * layer;
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
