import type { HeadKind } from '../bert/heads';
import type { Random } from '../util/random';
import type { Batch } from './batch';
import { IGNORE_INDEX, type Feature } from './features';

export interface MaskingOptions {
  /** HF mlm_probability (0.15). */
  probability: number;
  maskTokenId: number;
  vocabSize: number;
  /** Ids never masked ([CLS], [SEP], [PAD]). */
  specialIds: ReadonlySet<number>;
}

/**
 * HF DataCollatorForLanguageModeling.torch_mask_tokens: each non-special token is selected with
 * probability 0.15; of those 80% become [MASK], 10% a random token, 10% stay; labels are the original
 * ids at selected positions and -100 elsewhere. Draws come from our seeded generator.
 */
export function maskTokens(ids: number[], random: Random, options: MaskingOptions): { inputIds: number[]; labels: number[] } {
  const inputIds = ids.slice();
  const labels = ids.map(() => IGNORE_INDEX);
  for (let i = 0; i < ids.length; i++) {
    if (options.specialIds.has(ids[i]!) || random.next() >= options.probability) continue;
    labels[i] = ids[i]!;
    const r = random.next();
    if (r < 0.8) inputIds[i] = options.maskTokenId;
    else if (r < 0.9) inputIds[i] = random.int(options.vocabSize);
  }
  return { inputIds, labels };
}

/**
 * Pads a list of rows to the longest (HF DataCollatorWithPadding / ForTokenClassification): ids with
 * [PAD], attention 0, token labels -100. For masked-LM heads the masking runs here, per batch.
 */
export function collate(head: HeadKind, features: readonly Feature[], padTokenId: number, masking?: { random: Random; options: MaskingOptions }): Batch {
  const length = Math.max(...features.map((f) => f.inputIds.length));
  const pad = <T>(values: readonly T[], fill: T): T[] => [...values, ...new Array<T>(length - values.length).fill(fill)];
  const rows = features.map((feature) => {
    let inputIds = feature.inputIds;
    let tokenLabels = feature.tokenLabels;
    if (masking && (head === 'masked-lm' || head === 'pretraining')) {
      const masked = maskTokens(feature.inputIds, masking.random, masking.options);
      inputIds = masked.inputIds;
      tokenLabels = masked.labels;
    } else if (head === 'causal-lm') {
      tokenLabels = feature.inputIds;
    }
    return {
      ids: pad(inputIds, padTokenId),
      mask: pad(inputIds.map(() => 1), 0),
      types: pad(feature.tokenTypeIds, 0),
      tokenLabels: tokenLabels ? pad(tokenLabels, IGNORE_INDEX) : undefined,
    };
  });
  const batch: Batch = { input_ids: rows.map((r) => r.ids), attention_mask: rows.map((r) => r.mask), token_type_ids: rows.map((r) => r.types) };
  switch (head) {
    case 'token-classification':
    case 'masked-lm':
    case 'causal-lm':
    case 'pretraining':
      batch.labels = rows.map((r) => r.tokenLabels!);
      break;
    case 'sequence-classification':
      batch.labels = features[0]!.labelValues ? features.map((f) => f.labelValues!) : features.map((f) => f.label!);
      break;
    case 'question-answering':
      batch.start_positions = features.map((f) => f.startPosition!);
      batch.end_positions = features.map((f) => f.endPosition!);
      break;
    default:
      throw new Error(`cannot collate rows for the ${head} head`);
  }
  return batch;
}
