import type { Graph, Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig, HiddenAct } from './config';
import { headSize, numLabels } from './config';
import type { HeadKind } from './heads';
import { architectureOf, embeddingProjection, tokenTypeEmbeddings, usesSummary } from './architecture';
import { disentangledContext, disentangledSelfAttention } from './disentangledAttention';
import { gatedMlp, rotaryContext, rotarySelfAttention } from './rotaryAttention';
import { activation } from './referenceBlocks';
import type { Blocks } from './blocks';

/**
 * The one definition of BERT (HF modeling_bert.py). The same code builds the trainable reference
 * graph (primitive ONNX ops, any float type, dropout masks as inputs) and the fast inference graph
 * (ONNX Runtime's fused CPU contrib ops): only the `Blocks` implementation differs.
 */
export interface BertInputs {
  /** [rows, seq] int64 (rows = batch, or batch·num_choices for multiple choice). */
  inputIds: Value;
  /** [rows, seq] (1 for tokens, 0 for padding), or a 3-D [rows, seq, seq] mask as HF accepts. */
  attentionMask: Value;
  /** Absent for architectures without token types (DistilBERT). */
  tokenTypeIds?: Value;
  /**
   * Packed rows only (see `packed` in HeadOptions): [rows, seq] positions that restart at 0 where an
   * example starts, as HF's DataCollatorWithFlattening emits them.
   */
  positionIds?: Value;
}

export interface HeadOutputs {
  [name: string]: Value;
}

export function encoder(blocks: Blocks, config: BertConfig, inputs: BertInputs): Value {
  if (architectureOf(config).rotary) return modernBertEncoder(blocks, config, inputs);
  let hidden = blocks.embeddings(inputs);
  // ElectraModel: embeddings_project (embedding_size → hidden_size) after the embeddings' dropout.
  const projection = embeddingProjection(config);
  if (projection) hidden = blocks.dense(hidden, projection);
  const attention = inputs.positionIds ? packedAttentionMask(inputs.attentionMask, inputs.positionIds) : inputs.attentionMask;
  const architecture = architectureOf(config);
  // DeBERTa-v2: the embeddings are multiplied by the mask, and every layer's attention is disentangled (primitive ops).
  if (architecture.disentangled) hidden = op.mul(hidden, op.unsqueeze(op.cast(inputs.attentionMask, hidden.dtype), [2]));
  const disentangled = architecture.disentangled ? disentangledContext(blocks, config, hidden, attention) : null;
  const mask = disentangled ? null : blocks.attentionMask(attention, config.is_decoder);
  for (let index = 0; index < config.num_hidden_layers; index++) {
    const layer = architecture.layer(index);
    const attended = disentangled
      ? disentangledSelfAttention(blocks, config, hidden, disentangled, layer)
      : blocks.selfAttention(hidden, mask!, layer, config.num_attention_heads, headSize(config));
    hidden = blocks.denseResidualNorm(attended, hidden, layer.attentionOutput, layer.attentionNorm, architecture.attentionOutputDropout);
    const intermediate = blocks.denseActivation(hidden, layer.intermediate, config.hidden_act);
    hidden = blocks.denseResidualNorm(intermediate, hidden, layer.output, layer.outputNorm);
  }
  return hidden;
}

/**
 * ModernBertModel.forward (HF transformers 4.48.0 modeling_modernbert.py): embeddings (a lookup, norm,
 * dropout), pre-norm layers of rotary attention (global or sliding-window) and a GeGLU MLP, each
 * added to the residual stream, then final_norm.
 */
function modernBertEncoder(blocks: Blocks, config: BertConfig, inputs: BertInputs): Value {
  if (inputs.positionIds) throw new Error('ModernBERT rows cannot be packed');
  const architecture = architectureOf(config);
  let hidden = blocks.embeddings(inputs);
  const context = rotaryContext(config, hidden, inputs.attentionMask);
  for (let index = 0; index < config.num_hidden_layers; index++) {
    const layer = architecture.layer(index);
    // ModernBertEncoderLayer: attn_norm is nn.Identity in layer 0 (the embeddings end in a norm).
    const normed = index === 0 ? hidden : blocks.layerNorm(hidden, layer.attentionNorm);
    hidden = op.add(hidden, rotarySelfAttention(blocks, config, normed, context, index, layer));
    hidden = op.add(hidden, gatedMlp(blocks, config, blocks.layerNorm(hidden, layer.outputNorm), layer));
  }
  return blocks.layerNorm(hidden, architecture.rotary!.finalNorm);
}

/**
 * The 3-D attention mask of packed rows: a token attends to the tokens of its own example (the run
 * that starts where position_ids is 0) and never to padding. HF applies a 3-D mask as it is
 * (get_extended_attention_mask), so each example computes exactly as it would alone in a padded batch.
 */
export function packedAttentionMask(attentionMask: Value, positionIds: Value): Value {
  const g = positionIds.graph;
  const starts = op.cast(op.equal(positionIds, g.constant([0], [], 'int64', 'position_zero')), 'int64');
  const example = op.emit('CumSum', [starts, g.constant([1], [], 'int64', 'seq_axis_1')]);
  const sameExample = op.cast(op.equal(op.unsqueeze(example, [2]), op.unsqueeze(example, [1])), 'int64');
  return op.mul(sameExample, op.unsqueeze(attentionMask, [1]));
}

/** The flattened [rows·seq] index of each example's [CLS] in packed rows: [examples] in row-major order. */
function packedClsIndices(inputs: BertInputs): Value {
  const g = inputs.inputIds.graph;
  const positions = inputs.positionIds!;
  const isStart = op.emit('And', [op.equal(positions, g.constant([0], [], 'int64', 'cls_position')), op.cast(inputs.attentionMask, 'bool')], {}, { dtype: 'bool' });
  const coordinates = op.emit('NonZero', [isStart], {}, { dtype: 'int64', shape: [2, 'examples'] });
  const row = op.gather(coordinates, g.constant([0], [], 'int64', 'nonzero_row'), 0);
  const column = op.gather(coordinates, g.constant([1], [], 'int64', 'nonzero_column'), 0);
  const seq = op.gather(op.shapeOf(positions), g.constant([1], [], 'int64', 'packed_seq_axis'), 0);
  return op.add(op.mul(row, seq), column);
}

/** The [CLS] / <s> hidden state of each row, or of every example when rows are packed: [examples, hidden]. */
export function firstTokens(hidden: Value, inputs?: BertInputs): Value {
  return inputs?.positionIds
    ? op.gather(op.reshape(hidden, [-1, hidden.shape[2] as number]), packedClsIndices(inputs), 0)
    : op.gather(hidden, hidden.graph.constant([0], [], 'int64', 'cls_index'), 1);
}

/**
 * The vector a sequence classifier reads when there is no pooler: the first token's hidden state, or
 * ModernBERT's classifier_pooling "mean": the mean of the hidden states over the attention mask.
 */
export function pooledTokens(config: BertConfig, hidden: Value, inputs?: BertInputs): Value {
  if (architectureOf(config).rotary && config.classifier_pooling === 'mean') {
    if (!inputs) throw new Error('mean pooling needs the attention mask');
    const mask = op.cast(inputs.attentionMask, hidden.dtype);
    const summed = op.reduceSum(op.mul(hidden, op.unsqueeze(mask, [2])), [1]);
    return op.div(summed, op.reduceSum(mask, [1], true));
  }
  return firstTokens(hidden, inputs);
}

/** ModernBertPredictionHead (dense, ACT2FN[classifier_activation], norm) where the architecture has one; else x. */
export function predictionHead(blocks: Blocks, config: BertConfig, x: Value): Value {
  const names = architectureOf(config).rotary?.predictionHead;
  if (!names) return x;
  return blocks.layerNorm(activation(blocks.dense(x, names.dense), config.classifier_activation as HiddenAct), names.norm);
}

/**
 * What sequence-level heads read from [CLS] — of every example when rows are packed: BertPooler
 * tanh(dense(·)), DistilBERT's ReLU(pre_classifier(·)), or ELECTRA's SequenceSummary GELU(summary(·))
 * (architecture.ts `summary`).
 */
export function pooler(blocks: Blocks, config: BertConfig, hidden: Value, inputs?: BertInputs): Value {
  return summarize(blocks, config, firstTokens(hidden, inputs));
}

/** The summary layer (dense + activation) on [CLS] hidden states [examples, hidden]. */
export function summarize(blocks: Blocks, config: BertConfig, first: Value): Value {
  const summary = architectureOf(config).summary;
  // DeBERTa's ContextPooler: dropout (pooler_dropout), dense, ACT2FN[pooler_hidden_act].
  const dense = blocks.dense(summary.dropoutBefore ? blocks.dropout(first, 'pooler') : first, summary.module);
  if (summary.activation === 'config') return activation(dense, (config.pooler_hidden_act as HiddenAct | undefined) ?? 'gelu');
  if (summary.activation === 'gelu') return op.geluErf(dense);
  return summary.activation === 'tanh' ? op.tanh(dense) : op.relu(dense);
}

/**
 * Whether the summary a head reads belongs to the base model (BERT's `bert.pooler`, frozen with the
 * encoder) rather than to the head (DistilBERT's `pre_classifier`, trained with it).
 */
export function summaryInBase(config: BertConfig, head: HeadKind): boolean {
  const architecture = architectureOf(config);
  return usesSummary(config, head) && architecture.summary.module.startsWith(architecture.basePrefix);
}

/**
 * The vector a sequence-level head's task layers read (`pooled` in headLayers): the pooler's output
 * where the architecture builds one for the head, else the <s> hidden state itself (RoBERTa's
 * classification head, which has its own dense + tanh); null for heads that read the sequence.
 */
export function sequenceSummary(blocks: Blocks, config: BertConfig, head: HeadKind, hidden: Value, inputs?: BertInputs): Value | null {
  if (usesSummary(config, head)) return pooler(blocks, config, hidden, inputs);
  if (head === 'sequence-classification') return pooledTokens(config, hidden, inputs);
  return null;
}

/** BertLMPredictionHead: transform (dense, act, LayerNorm), then the decoder tied to the word embeddings. */
export function lmPredictions(blocks: Blocks, config: BertConfig, hidden: Value): Value {
  const lm = architectureOf(config).lmHead;
  if (!lm) throw new Error(`the ${config.model_type} architecture has no language-model head here`);
  // ModernBertForMaskedLM: decoder(head(x)), the prediction head with classifier_activation.
  if (lm.activation === 'classifier') return blocks.decoder(predictionHead(blocks, config, hidden));
  // RobertaLMHead and ElectraGeneratorPredictions apply erf GELU whatever hidden_act says; BertPredictionHeadTransform uses hidden_act.
  const act = lm.activation === 'gelu' ? 'gelu' : config.hidden_act;
  const transformed = blocks.layerNorm(blocks.denseActivation(hidden, lm.dense, act), lm.norm);
  return blocks.decoder(transformed);
}

export interface HeadOptions {
  /**
   * MLM training computes the decoder only at masked positions: `masked_positions` [M] indexes the
   * flattened [rows·seq] hidden states, and `prediction_logits` is [M, vocab].
   */
  maskedPositionsOnly?: boolean;
  /**
   * Packed rows (padding-free training): an extra `position_ids` input; several examples share a row
   * and attend only within themselves. Token and sequence classification (and the bare encoder) only.
   */
  packed?: boolean;
}

/** Heads whose training batches can be packed: per-token outputs, or one [CLS] per example. */
export const PACKABLE_HEADS: readonly HeadKind[] = ['base', 'token-classification', 'sequence-classification'];

/** Adds the head's input(s) and output(s) to the graph; returns HF-named outputs. */
export function buildHead(graph: Graph, blocks: Blocks, config: BertConfig, head: HeadKind, options: HeadOptions = {}): { inputs: BertInputs; outputs: HeadOutputs } {
  const multipleChoice = head === 'multiple-choice';
  if (options.packed && !PACKABLE_HEADS.includes(head)) throw new Error(`rows of the ${head} head cannot be packed`);
  const inputShape = multipleChoice ? ['batch', 'num_choices', 'seq'] : ['batch', 'seq'];
  const raw = {
    inputIds: graph.input('input_ids', 'int64', inputShape),
    attentionMask: graph.input('attention_mask', 'int64', inputShape),
    ...(tokenTypeEmbeddings(config) ? { tokenTypeIds: graph.input('token_type_ids', 'int64', inputShape) } : {}),
    ...(options.packed ? { positionIds: graph.input('position_ids', 'int64', inputShape) } : {}),
  };
  // BertForMultipleChoice flattens [batch, choices, seq] to [batch·choices, seq] for the encoder.
  const flatten = (source: Value): Value =>
    op.reshapeTo(source, op.concat([graph.ints([-1], 'rows'), op.shapeSlice(source, 2, 3)], 0), ['batch*num_choices', 'seq']);
  const inputs: BertInputs = multipleChoice
    ? { inputIds: flatten(raw.inputIds), attentionMask: flatten(raw.attentionMask), ...(raw.tokenTypeIds ? { tokenTypeIds: flatten(raw.tokenTypeIds) } : {}) }
    : raw;
  const hidden = encoder(blocks, config, inputs);
  const pooled = sequenceSummary(blocks, config, head, hidden, inputs);
  const outputs = headLayers(graph, blocks, config, head, { hidden, pooled, inputIds: raw.inputIds }, options);
  return { inputs: raw, outputs };
}

/**
 * The task layers of a head on top of the encoder: from the sequence output (`hidden`) and, for heads
 * that read [CLS] through the pooler, the pooled output. Head-only training runs them alone on cached
 * encoder outputs; `inputIds` is only read by multiple choice (its [batch, num_choices] shape).
 */
export function headLayers(
  graph: Graph,
  blocks: Blocks,
  config: BertConfig,
  head: HeadKind,
  states: { hidden: Value | null; pooled: Value | null; inputIds?: Value },
  options: HeadOptions = {},
): HeadOutputs {
  const outputs: HeadOutputs = {};
  switch (head) {
    case 'base':
      outputs.last_hidden_state = states.hidden!;
      // DistilBertModel has no pooler: its only output is the sequence.
      if (states.pooled) outputs.pooler_output = states.pooled;
      break;
    case 'token-classification':
      // ModernBertForTokenClassification: the prediction head first (predictionHead is the identity elsewhere).
      outputs.logits = blocks.dense(blocks.dropout(predictionHead(blocks, config, states.hidden!), 'classifier'), 'classifier');
      break;
    case 'sequence-classification': {
      const classifier = architectureOf(config).sequenceClassifier;
      if (classifier.kind === 'classification-head') {
        // Roberta/ElectraClassificationHead on the first token (`pooled` is its hidden state: there is no
        // pooler): dropout, dense, tanh (RoBERTa) or erf GELU (ELECTRA), dropout, out_proj.
        const dense = blocks.dense(blocks.dropout(states.pooled!, 'classifier'), 'classifier.dense');
        const activated = classifier.activation === 'tanh' ? op.tanh(dense) : op.geluErf(dense);
        outputs.logits = blocks.dense(blocks.dropout(activated, 'classifier'), 'classifier.out_proj');
      } else {
        // BertForSequenceClassification on the pooler; ModernBERT: head(pooled), drop, classifier.
        const pooled = classifier.kind === 'prediction-head' ? predictionHead(blocks, config, states.pooled!) : states.pooled!;
        outputs.logits = blocks.dense(blocks.dropout(pooled, 'classifier'), 'classifier');
      }
      break;
    }
    case 'multiple-choice': {
      const scores = blocks.dense(blocks.dropout(states.pooled!, 'classifier'), 'classifier');
      outputs.logits = op.reshapeTo(scores, op.shapeSlice(states.inputIds!, 0, 2), ['batch', 'num_choices']);
      break;
    }
    case 'question-answering': {
      // DistilBertForQuestionAnswering has a dropout (qa_dropout) before qa_outputs; BERT and RoBERTa none.
      // ModernBertForQuestionAnswering: head, drop, a two-output `classifier` (predictionHead is the identity elsewhere).
      const rotary = architectureOf(config).rotary !== undefined;
      const headed = predictionHead(blocks, config, states.hidden!);
      const sequence = architectureOf(config).headDropout['question-answering'] ? blocks.dropout(headed, 'classifier') : headed;
      const both = blocks.dense(sequence, rotary ? 'classifier' : 'qa_outputs');
      outputs.start_logits = op.gather(both, graph.constant([0], [], 'int64', 'qa_start_column'), 2);
      outputs.end_logits = op.gather(both, graph.constant([1], [], 'int64', 'qa_end_column'), 2);
      break;
    }
    case 'masked-lm':
    case 'causal-lm':
    case 'pretraining': {
      let sequence = states.hidden!;
      if (options.maskedPositionsOnly) {
        const positions = graph.input('masked_positions', 'int64', ['masked']);
        sequence = op.gather(op.reshape(sequence, [-1, config.hidden_size]), positions, 0);
      }
      const logits = lmPredictions(blocks, config, sequence);
      outputs[head === 'pretraining' ? 'prediction_logits' : 'logits'] = logits;
      if (head === 'pretraining') outputs.seq_relationship_logits = blocks.dense(states.pooled!, 'cls.seq_relationship');
      break;
    }
    case 'next-sentence':
      outputs.logits = blocks.dense(states.pooled!, 'cls.seq_relationship');
      break;
  }
  return outputs;
}

/** Number of classifier outputs a head produces (for validating weights against the config). */
export function classifierWidth(config: BertConfig, head: HeadKind): number | null {
  if (head === 'token-classification' || head === 'sequence-classification') return numLabels(config);
  if (head === 'multiple-choice') return 1;
  return null;
}
