import { architectureOf } from './architecture';
import type { BertConfig } from './config';

/**
 * The longest sequence the position table can number: max_position_embeddings for BERT and
 * DistilBERT; for RoBERTa, whose first token is numbered padding_idx + 1 (positions.ts), that many
 * fewer (roberta-base: 514 positions, 512 tokens — its tokenizer's model_max_length).
 */
export function maxSequenceLength(config: BertConfig): number {
  return architectureOf(config).positions === 'from-padding'
    ? config.max_position_embeddings - config.pad_token_id - 1
    : config.max_position_embeddings;
}
