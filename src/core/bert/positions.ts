import type { Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import type { BertConfig } from './config';
import type { BertInputs } from './definition';
import { architectureOf } from './architecture';

/**
 * The position ids HF computes when none are given: 0, 1, …, seq − 1 in every row (BERT,
 * DistilBERT), or RoBERTa's create_position_ids_from_input_ids: padding_idx + the running count of
 * non-padding tokens, and padding_idx itself at padding — read from the ids, not the attention mask.
 */
export function defaultPositionIds(config: BertConfig, inputIds: Value): Value {
  const g = inputIds.graph;
  if (architectureOf(config).positions === 'from-padding') {
    const padding = g.constant([config.pad_token_id], [], 'int64', 'padding_idx');
    const notPadding = op.cast(op.emit('Not', [op.equal(inputIds, padding)], {}, { dtype: 'bool' }), 'int64');
    const counted = op.emit('CumSum', [notPadding, g.constant([1], [], 'int64', 'position_seq_axis')]);
    return op.add(op.mul(counted, notPadding), padding);
  }
  const seqLength = op.gather(op.shapeOf(inputIds), g.constant([1], [], 'int64', 'seq_axis'), 0);
  return op.emit('Range', [g.constant([0], [], 'int64', 'zero'), seqLength, g.constant([1], [], 'int64', 'one')], {}, { dtype: 'int64', shape: ['seq'] });
}

/**
 * The ids into the position table. Packed rows (definition.ts `positionIds`) give each token its
 * offset in its own example, restarting at 0; the table index is that offset (BERT, DistilBERT), or
 * for RoBERTa what create_position_ids_from_input_ids gives the example alone in a padded row:
 * padding_idx + 1 + offset, and padding_idx at padding.
 */
export function embeddingPositionIds(config: BertConfig, inputs: BertInputs): Value {
  if (!inputs.positionIds) return defaultPositionIds(config, inputs.inputIds);
  if (architectureOf(config).positions !== 'from-padding') return inputs.positionIds;
  const g = inputs.positionIds.graph;
  const padding = g.constant([config.pad_token_id], [], 'int64', 'packed_padding_idx');
  const isToken = op.cast(inputs.attentionMask, 'int64');
  const counted = op.add(inputs.positionIds, g.constant([1], [], 'int64', 'packed_count_offset'));
  return op.add(op.mul(counted, isToken), padding);
}

