import type { BertConfig } from './config';
import type { HeadKind } from './heads';

/**
 * What distinguishes one member of the BERT family from another, as data: the HF module names of
 * each parameter, whether token types exist, and what sequence-level heads read from [CLS]. The one
 * encoder definition (definition.ts) and the weight list (weightNames.ts) read this description, so a
 * new architecture is a new entry here plus its config fields (config.ts), never a copied definition.
 */
export type ModelType = 'bert' | 'distilbert' | 'roberta' | 'xlm-roberta' | 'camembert' | 'electra' | 'deberta-v2' | 'modernbert';

export const SUPPORTED_MODEL_TYPES: readonly ModelType[] = ['bert', 'distilbert', 'roberta', 'xlm-roberta', 'camembert', 'electra', 'deberta-v2', 'modernbert'];

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
  /** DeBERTa-v2's pos_key_proj / pos_query_proj (relative attention without share_att_key). */
  positionKey?: string;
  positionQuery?: string;
}

/**
 * The vector sequence-level heads classify: BERT's pooler (dense + tanh), DistilBERT's pre_classifier
 * (dense + ReLU), DeBERTa's ContextPooler (dropout, dense, ACT2FN[pooler_hidden_act]: `config`),
 * ELECTRA's SequenceSummary (dense + erf GELU, multiple choice only).
 */
export interface ClsSummary {
  module: string;
  activation: 'tanh' | 'relu' | 'gelu' | 'config';
  /** A dropout (pooler_dropout) on [CLS] before the dense (ContextPooler). */
  dropoutBefore?: boolean;
  /** Heads that build it (HF's add_pooling_layer / the heads that own pre_classifier). */
  heads: readonly HeadKind[];
}

/**
 * The MLM head's modules: transform dense, its activation, LayerNorm, decoder (tied) and its bias. The
 * transform maps hidden_size to the embedding width (embeddingSize: ELECTRA's generator_predictions
 * narrows to embedding_size), so the tied decoder reads vectors as wide as the word embeddings.
 */
export interface LmHeadNames {
  dense: string;
  /**
   * `config`: hidden_act (BertPredictionHeadTransform); `gelu`: always erf GELU (RobertaLMHead,
   * ElectraGeneratorPredictions); `classifier`: classifier_activation (ModernBertPredictionHead).
   */
  activation: 'config' | 'gelu' | 'classifier';
  norm: string;
  decoder: string;
  /** The bias parameter, and the decoder's own `.bias` name that HF ties to it. */
  bias: string;
  decoderBias: string;
}

export interface Architecture {
  modelType: ModelType;
  /**
   * Position ids: `arange` 0..seq-1 (BERT, DistilBERT), or `from-padding`: HF's
   * create_position_ids_from_input_ids, padding_idx + 1 + the count of non-padding tokens so far,
   * padding_idx at padding (RoBERTa).
   */
  positions: 'arange' | 'from-padding';
  /**
   * Sequence classification: a `classifier` Linear on the [CLS] summary (BERT, DistilBERT), or a
   * classification head on the first token: dropout, classifier.dense, activation, dropout,
   * classifier.out_proj — tanh in RobertaClassificationHead, erf GELU in ElectraClassificationHead.
   */
  sequenceClassifier: { kind: 'linear' } | { kind: 'classification-head'; activation: 'tanh' | 'gelu' } | { kind: 'prediction-head' };
  lmHead: LmHeadNames | null;
  /** The base model's module prefix in a head's state_dict (`bert.`, `distilbert.`). */
  basePrefix: string;
  /**
   * `projection`: a Linear from the embedding width to hidden_size applied before the encoder, built
   * only when the config's embedding_size differs from hidden_size (ELECTRA's embeddings_project);
   * null where the embeddings are always hidden_size wide.
   */
  embeddings: { words: string; positions: string; tokenTypes: string | null; norm: string; projection: string | null };
  layer(index: number): LayerNames;
  summary: ClsSummary;
  /** HF class of each supported head (config.json `architectures`). */
  classes: Partial<Record<HeadKind, string>>;
  /** A dropout after the attention output projection (BertSelfOutput); DistilBERT's out_lin has none. */
  attentionOutputDropout: boolean;
  /**
   * The config field that sets a head's classifier dropout, where the architecture has its own
   * (DistilBERT: seq_classif_dropout, qa_dropout); other heads use classifier_dropout ?? hidden_dropout_prob.
   */
  headDropout: Partial<Record<HeadKind, string>>;
  /** Parameters that never train (requires_grad False in HF): DistilBERT's sinusoidal position table. */
  untrainable(config: BertConfig): string[];
  /**
   * DeBERTa-v2's disentangled attention (disentangledAttention.ts): the encoder's relative-position
   * table and its LayerNorm; the embeddings are multiplied by the attention mask, and absolute
   * positions / token types exist only when the config asks (position_biased_input, type_vocab_size > 0).
   */
  disentangled?: { relEmbeddings: string; relNorm: string };
  /**
   * Older names of the same tensors that from_pretrained of another transformers version writes,
   * as [old prefix, canonical prefix] (DeBERTa-v2's MLM head as cls.predictions.* in 4.2x–4.46).
   */
  keyAliases?: ReadonlyArray<readonly [string, string]>;
  /**
   * ModernBERT (rotaryAttention.ts): pre-norm layers with rotary attention (fused Wqkv; global or
   * sliding-window by layer) and a GeGLU MLP, a final norm, no position table, Linear / LayerNorm
   * biases only where the config asks (`hasBias`), and the ModernBertPredictionHead (dense, act, norm)
   * before the token and sequence classifiers. The layer names read: query = the fused Wqkv,
   * attentionOutput = Wo, attentionNorm = attn_norm (none in layer 0), intermediate = mlp.Wi
   * (2 · intermediate_size rows: input and gate), output = mlp.Wo, outputNorm = mlp_norm.
   */
  rotary?: { finalNorm: string; predictionHead: { dense: string; norm: string } };
  /** Whether training rows may be packed (several examples per row: the 3-D mask of packedAttentionMask). */
  packable: boolean;
}

const BERT_LM_HEAD: LmHeadNames = {
  dense: 'cls.predictions.transform.dense',
  activation: 'config',
  norm: 'cls.predictions.transform.LayerNorm',
  decoder: 'cls.predictions.decoder.weight',
  bias: 'cls.predictions.bias',
  decoderBias: 'cls.predictions.decoder.bias',
};

const BERT: Architecture = {
  modelType: 'bert',
  positions: 'arange',
  sequenceClassifier: { kind: 'linear' },
  lmHead: BERT_LM_HEAD,
  basePrefix: 'bert.',
  embeddings: {
    words: 'bert.embeddings.word_embeddings',
    positions: 'bert.embeddings.position_embeddings',
    tokenTypes: 'bert.embeddings.token_type_embeddings',
    norm: 'bert.embeddings.LayerNorm',
    projection: null,
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
  attentionOutputDropout: true,
  headDropout: {},
  untrainable: () => [],
  packable: true,
};

/**
 * HF transformers 4.x modeling_distilbert.py: no token types, no pooler, pre_classifier + ReLU on
 * [CLS]; DistilBertForMaskedLM: vocab_transform, activation, vocab_layer_norm, vocab_projector tied to
 * the word embeddings with its own bias.
 */
const DISTILBERT: Architecture = {
  modelType: 'distilbert',
  positions: 'arange',
  sequenceClassifier: { kind: 'linear' },
  lmHead: {
    dense: 'vocab_transform', activation: 'config', norm: 'vocab_layer_norm',
    decoder: 'vocab_projector.weight', bias: 'vocab_projector.bias', decoderBias: 'vocab_projector.bias',
  },
  basePrefix: 'distilbert.',
  embeddings: {
    words: 'distilbert.embeddings.word_embeddings',
    positions: 'distilbert.embeddings.position_embeddings',
    tokenTypes: null,
    norm: 'distilbert.embeddings.LayerNorm',
    projection: null,
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
    'masked-lm': 'DistilBertForMaskedLM',
    'multiple-choice': 'DistilBertForMultipleChoice',
  },
  attentionOutputDropout: false,
  headDropout: { 'sequence-classification': 'seq_classif_dropout', 'multiple-choice': 'seq_classif_dropout', 'question-answering': 'qa_dropout' },
  // create_sinusoidal_embeddings sets requires_grad False on the table.
  untrainable: (config) => (config.sinusoidal_pos_embds === true ? ['distilbert.embeddings.position_embeddings.weight'] : []),
  packable: true,
};

/** BERT's layer module names under another base prefix (RoBERTa and ELECTRA copy BertLayer). */
function bertLayerUnder(prefix: string, index: number): LayerNames {
  return Object.fromEntries(Object.entries(BERT.layer(index)).map(([k, v]) => [k, v.replace(/^bert\./, prefix)])) as unknown as LayerNames;
}

/**
 * HF transformers 4.x modeling_roberta.py: BERT's encoder under `roberta.`, positions counted from
 * padding_idx + 1, no pooler except in RobertaModel and multiple choice, RobertaClassificationHead,
 * RobertaLMHead. XLM-RoBERTa and CamemBERT are the same modules under other class names.
 */
function roberta(modelType: ModelType, classPrefix: string): Architecture {
  return {
    ...BERT,
    modelType,
    positions: 'from-padding',
    sequenceClassifier: { kind: 'classification-head', activation: 'tanh' },
    lmHead: {
      dense: 'lm_head.dense', activation: 'gelu', norm: 'lm_head.layer_norm',
      decoder: 'lm_head.decoder.weight', bias: 'lm_head.bias', decoderBias: 'lm_head.decoder.bias',
    },
    basePrefix: 'roberta.',
    embeddings: {
      words: 'roberta.embeddings.word_embeddings',
      positions: 'roberta.embeddings.position_embeddings',
      tokenTypes: 'roberta.embeddings.token_type_embeddings',
      norm: 'roberta.embeddings.LayerNorm',
      projection: null,
    },
    layer: (i) => bertLayerUnder('roberta.', i),
    summary: { module: 'roberta.pooler.dense', activation: 'tanh', heads: ['base', 'multiple-choice'] },
    classes: {
      'base': `${classPrefix}Model`,
      'token-classification': `${classPrefix}ForTokenClassification`,
      'sequence-classification': `${classPrefix}ForSequenceClassification`,
      'question-answering': `${classPrefix}ForQuestionAnswering`,
      'masked-lm': `${classPrefix}ForMaskedLM`,
      'multiple-choice': `${classPrefix}ForMultipleChoice`,
    },
    // RobertaForMultipleChoice's dropout is hidden_dropout_prob whatever classifier_dropout says.
    headDropout: { 'multiple-choice': 'hidden_dropout_prob' },
  };
}

/**
 * HF transformers 4.x modeling_electra.py (the discriminators people fine-tune, and the generator):
 * BERT's embeddings (arange positions, token types) at embedding_size, `electra.embeddings_project`
 * to hidden_size when the two differ, BERT's layers under `electra.encoder`, no pooler.
 * ElectraClassificationHead is RoBERTa's with GELU for tanh; ElectraForMaskedLM's
 * generator_predictions (dense to embedding_size, erf GELU, LayerNorm) and generator_lm_head tied to
 * the word embeddings with its own bias. ElectraForMultipleChoice: SequenceSummary (`sequence_summary.summary`
 * dense + erf GELU on [CLS], then summary_last_dropout) and a one-output classifier. Not here:
 * ElectraForPreTraining, ElectraForCausalLM.
 */
const ELECTRA: Architecture = {
  ...BERT,
  modelType: 'electra',
  sequenceClassifier: { kind: 'classification-head', activation: 'gelu' },
  lmHead: {
    dense: 'generator_predictions.dense', activation: 'gelu', norm: 'generator_predictions.LayerNorm',
    decoder: 'generator_lm_head.weight', bias: 'generator_lm_head.bias', decoderBias: 'generator_lm_head.bias',
  },
  basePrefix: 'electra.',
  embeddings: {
    words: 'electra.embeddings.word_embeddings',
    positions: 'electra.embeddings.position_embeddings',
    tokenTypes: 'electra.embeddings.token_type_embeddings',
    norm: 'electra.embeddings.LayerNorm',
    projection: 'electra.embeddings_project',
  },
  layer: (i) => bertLayerUnder('electra.', i),
  // ElectraModel has no pooler; only multiple choice reads a summary, its head's own SequenceSummary.
  summary: { module: 'sequence_summary.summary', activation: 'gelu', heads: ['multiple-choice'] },
  classes: {
    'base': 'ElectraModel',
    'token-classification': 'ElectraForTokenClassification',
    'sequence-classification': 'ElectraForSequenceClassification',
    'question-answering': 'ElectraForQuestionAnswering',
    'masked-lm': 'ElectraForMaskedLM',
    'multiple-choice': 'ElectraForMultipleChoice',
  },
  headDropout: { 'multiple-choice': 'summary_last_dropout' },
};

/**
 * HF transformers 4.x modeling_deberta_v2.py (DeBERTa-v2 and v3): `deberta.` embeddings without
 * absolute positions when position_biased_input is false (v3) and without token types when
 * type_vocab_size is 0, disentangled self-attention (query_proj / key_proj / value_proj, and
 * pos_key_proj / pos_query_proj unless share_att_key) with encoder.rel_embeddings and encoder.LayerNorm,
 * BERT's output / intermediate modules, ContextPooler (`pooler.dense`, the head's own) for sequence
 * classification and multiple choice. DebertaV2ForMaskedLM as microsoft/deberta-v3-*'s checkpoints
 * name it (the lm_predictions.lm_head layout: dense, hidden_act, LayerNorm, bias; the decoder is the
 * word-embedding matrix, no tensor of its own); 4.2x–4.46's cls.predictions.* copy is not read. Not
 * here: ConvLayer (conv_kernel_size > 0) and embed_proj (embedding_size ≠ hidden_size), both refused
 * by the config.
 */
const DEBERTA_V2: Architecture = {
  ...BERT,
  modelType: 'deberta-v2',
  sequenceClassifier: { kind: 'linear' },
  lmHead: {
    dense: 'lm_predictions.lm_head.dense', activation: 'config', norm: 'lm_predictions.lm_head.LayerNorm',
    // No decoder tensor is stored (torch.matmul with word_embeddings.weight): the name only ever resolves to the tied table.
    decoder: 'lm_predictions.lm_head.decoder.weight', bias: 'lm_predictions.lm_head.bias', decoderBias: 'lm_predictions.lm_head.bias',
  },
  basePrefix: 'deberta.',
  embeddings: {
    words: 'deberta.embeddings.word_embeddings',
    positions: 'deberta.embeddings.position_embeddings',
    tokenTypes: 'deberta.embeddings.token_type_embeddings',
    norm: 'deberta.embeddings.LayerNorm',
    projection: null,
  },
  layer: (i) => {
    const p = `deberta.encoder.layer.${i}.`;
    return {
      ...bertLayerUnder('deberta.', i),
      query: `${p}attention.self.query_proj`,
      key: `${p}attention.self.key_proj`,
      value: `${p}attention.self.value_proj`,
      positionKey: `${p}attention.self.pos_key_proj`,
      positionQuery: `${p}attention.self.pos_query_proj`,
    };
  },
  summary: { module: 'pooler.dense', activation: 'config', dropoutBefore: true, heads: ['sequence-classification', 'multiple-choice'] },
  classes: {
    'base': 'DebertaV2Model',
    'token-classification': 'DebertaV2ForTokenClassification',
    'sequence-classification': 'DebertaV2ForSequenceClassification',
    'question-answering': 'DebertaV2ForQuestionAnswering',
    'multiple-choice': 'DebertaV2ForMultipleChoice',
    'masked-lm': 'DebertaV2ForMaskedLM',
  },
  headDropout: { 'sequence-classification': 'cls_dropout', 'multiple-choice': 'cls_dropout' },
  disentangled: { relEmbeddings: 'deberta.encoder.rel_embeddings', relNorm: 'deberta.encoder.LayerNorm' },
  // transformers 4.2x–4.46 DebertaV2ForMaskedLM (a BertOnlyMLMHead copy): the same head as cls.predictions.*,
  // its decoder tied to the word embeddings (not stored by save_pretrained).
  keyAliases: [
    ['cls.predictions.transform.dense.', 'lm_predictions.lm_head.dense.'],
    ['cls.predictions.transform.LayerNorm.', 'lm_predictions.lm_head.LayerNorm.'],
    ['cls.predictions.bias', 'lm_predictions.lm_head.bias'],
  ],
};

/**
 * HF transformers 4.48.0 modeling_modernbert.py (scripts/reference/modernbert_torch.py): everything
 * under `model.` — embeddings.tok_embeddings, embeddings.norm, layers.N.{attn_norm, attn.Wqkv, attn.Wo,
 * mlp_norm, mlp.Wi, mlp.Wo}, final_norm — and the heads' ModernBertPredictionHead (`head.dense`,
 * `head.norm`) before `classifier`; ModernBertForMaskedLM's `decoder` is tied to tok_embeddings with
 * its own `decoder.bias`. ModernBertForQuestionAnswering (later releases than 4.48.0: head, drop,
 * a two-output `classifier`). Not here: ModernBertForMultipleChoice (later releases), packed rows (the sliding window and the rotary positions would need their own
 * per-example offsets).
 */
const MODERNBERT: Architecture = {
  ...BERT,
  modelType: 'modernbert',
  sequenceClassifier: { kind: 'prediction-head' },
  lmHead: {
    dense: 'head.dense', activation: 'classifier', norm: 'head.norm',
    decoder: 'decoder.weight', bias: 'decoder.bias', decoderBias: 'decoder.bias',
  },
  basePrefix: 'model.',
  embeddings: {
    words: 'model.embeddings.tok_embeddings',
    positions: 'model.embeddings.position_embeddings',
    tokenTypes: null,
    norm: 'model.embeddings.norm',
    projection: null,
  },
  layer: (i) => {
    const p = `model.layers.${i}.`;
    return {
      module: p,
      query: `${p}attn.Wqkv`,
      key: `${p}attn.Wqkv`,
      value: `${p}attn.Wqkv`,
      attentionOutput: `${p}attn.Wo`,
      attentionNorm: `${p}attn_norm`,
      intermediate: `${p}mlp.Wi`,
      output: `${p}mlp.Wo`,
      outputNorm: `${p}mlp_norm`,
    };
  },
  // No pooler: sequence classification pools (classifier_pooling) and applies the prediction head.
  summary: { module: 'head.dense', activation: 'gelu', heads: [] },
  classes: {
    'base': 'ModernBertModel',
    'token-classification': 'ModernBertForTokenClassification',
    'sequence-classification': 'ModernBertForSequenceClassification',
    'masked-lm': 'ModernBertForMaskedLM',
    'question-answering': 'ModernBertForQuestionAnswering',
  },
  // ModernBertForQuestionAnswering: a dropout (classifier_dropout) after the prediction head.
  headDropout: { 'question-answering': 'classifier_dropout' },
  rotary: { finalNorm: 'model.final_norm', predictionHead: { dense: 'head.dense', norm: 'head.norm' } },
  packable: false,
};

const ARCHITECTURES: Record<ModelType, Architecture> = {
  'bert': BERT,
  'distilbert': DISTILBERT,
  'roberta': roberta('roberta', 'Roberta'),
  'xlm-roberta': roberta('xlm-roberta', 'XLMRoberta'),
  'camembert': roberta('camembert', 'Camembert'),
  'electra': ELECTRA,
  'deberta-v2': DEBERTA_V2,
  'modernbert': MODERNBERT,
};

/** The absolute position table's module, or null where the config has none (DeBERTa with position_biased_input false). */
export function positionEmbeddings(config: BertConfig): string | null {
  const architecture = architectureOf(config);
  // ModernBERT: rotary positions only.
  if (architecture.rotary) return null;
  return architecture.disentangled && config.position_biased_input === false ? null : architecture.embeddings.positions;
}

/** The token-type table's module, or null where there is none (DistilBERT; DeBERTa with type_vocab_size 0). */
export function tokenTypeEmbeddings(config: BertConfig): string | null {
  const architecture = architectureOf(config);
  if (architecture.disentangled && config.type_vocab_size === 0) return null;
  return architecture.embeddings.tokenTypes;
}

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

/** The classifier dropout probability of a head (HF: the head's own field, else classifier_dropout ?? hidden_dropout_prob). */
export function classifierDropout(config: BertConfig, head: HeadKind): number {
  const field = architectureOf(config).headDropout[head];
  const own = field === undefined ? undefined : config[field];
  if (typeof own === 'number') return own;
  return config.classifier_dropout ?? config.hidden_dropout_prob;
}

/**
 * The width of the embedding tables and of the embeddings' LayerNorm: ELECTRA's embedding_size, which
 * embeddings_project maps to hidden_size when they differ; hidden_size for the other members.
 */
export function embeddingSize(config: BertConfig): number {
  const size = config.embedding_size;
  return architectureOf(config).embeddings.projection && typeof size === 'number' ? size : config.hidden_size;
}

/** The embeddings_project Linear's module name when this config builds it (embedding_size ≠ hidden_size), else null. */
export function embeddingProjection(config: BertConfig): string | null {
  const projection = architectureOf(config).embeddings.projection;
  return projection && embeddingSize(config) !== config.hidden_size ? projection : null;
}

export function usesSummary(config: Pick<BertConfig, 'model_type'>, head: HeadKind): boolean {
  return architectureOf(config).summary.heads.includes(head);
}

/**
 * Whether a Linear or LayerNorm module has a bias: always, except in ModernBERT, where the config
 * switches them per kind (norm_bias, attention_bias, mlp_bias, classifier_bias for head.dense).
 */
export function hasBias(config: BertConfig, module: string): boolean {
  if (!architectureOf(config).rotary) return true;
  if (/(^|\.|_)norm$/.test(module)) return config.norm_bias === true;
  if (/\.attn\.(Wqkv|Wo)$/.test(module)) return config.attention_bias === true;
  if (/\.mlp\.(Wi|Wo)$/.test(module)) return config.mlp_bias === true;
  if (module === 'head.dense') return config.classifier_bias === true;
  return true;
}

/** Heads whose training rows this architecture can pack (PACKABLE_HEADS, or none: ModernBERT). */
export function canPack(config: Pick<BertConfig, 'model_type'>): boolean {
  return architectureOf(config).packable;
}

/**
 * Whether the inference converter builds packed-row graphs for this architecture (LoadedModel.packedRows).
 * Only where packed rows give HF's numbers on every input: positions 0, 1, … (BERT, DistilBERT,
 * ELECTRA). Not RoBERTa / XLM-R, whose HF positions count the tokens that are not `<pad>` by id
 * (create_position_ids_from_input_ids) where packed rows count by the attention mask, nor DeBERTa,
 * whose packed relative positions differed from the PyTorch port on the hub fixtures
 * (test/unit/family/hubFolders.test.ts); those keep one window per row.
 */
export function canPackInference(config: Pick<BertConfig, 'model_type'>): boolean {
  const architecture = architectureOf(config);
  return architecture.packable && architecture.positions === 'arange' && !architecture.disentangled;
}
