import type { HeadKind } from '../bert/heads';
import { firstFitDecreasing } from '../util/firstFitDecreasing';
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

/** Rows of packed batches hold at least this many tokens (more when one example is longer). */
export const PACKED_ROW_TOKENS = 128;

/**
 * Padding-free batches (HF DataCollatorWithFlattening, in rows): the examples of a batch are packed
 * first-fit-decreasing into rows of max(longest, `rowTokens`) tokens; each example's position_ids
 * restart at 0, and the packed training graph lets a token attend only to its own example. With
 * short rows of mixed length (NER sentences, SST-2 phrases) this computes a third of the tokens of a
 * batch padded to its longest row, with the same loss and gradients.
 *
 * Sequence-classification labels follow the examples in row-major order (the order of their [CLS]).
 */
export function collatePacked(head: HeadKind, features: readonly Feature[], padTokenId: number, rowTokens = PACKED_ROW_TOKENS): Batch {
  if (head !== 'token-classification' && head !== 'sequence-classification') throw new Error(`cannot pack rows for the ${head} head`);
  if (features.length === 0) throw new Error('cannot collate an empty batch');
  const capacity = Math.max(rowTokens, ...features.map((f) => f.inputIds.length));
  const rows = firstFitDecreasing(features.map((f) => f.inputIds.length), capacity).map((members) => ({
    members, used: members.reduce((n, i) => n + features[i]!.inputIds.length, 0),
  }));
  const width = Math.max(...rows.map((r) => r.used));
  const inputIds: number[][] = [];
  const attentionMask: number[][] = [];
  const tokenTypeIds: number[][] = [];
  const positionIds: number[][] = [];
  const tokenLabels: number[][] = [];
  const order: number[] = [];
  for (const row of rows) {
    const ids: number[] = [];
    const types: number[] = [];
    const positions: number[] = [];
    const labels: number[] = [];
    for (const index of row.members) {
      const feature = features[index]!;
      order.push(index);
      ids.push(...feature.inputIds);
      types.push(...feature.tokenTypeIds);
      positions.push(...feature.inputIds.map((_, p) => p));
      if (head === 'token-classification') labels.push(...feature.tokenLabels!);
    }
    const padding = width - ids.length;
    inputIds.push([...ids, ...new Array<number>(padding).fill(padTokenId)]);
    attentionMask.push([...ids.map(() => 1), ...new Array<number>(padding).fill(0)]);
    tokenTypeIds.push([...types, ...new Array<number>(padding).fill(0)]);
    positionIds.push([...positions, ...new Array<number>(padding).fill(0)]);
    tokenLabels.push([...labels, ...new Array<number>(padding).fill(IGNORE_INDEX)]);
  }
  const batch: Batch = { input_ids: inputIds, attention_mask: attentionMask, token_type_ids: tokenTypeIds, position_ids: positionIds };
  if (head === 'token-classification') batch.labels = tokenLabels;
  else batch.labels = features[0]!.labelValues ? order.map((i) => features[i]!.labelValues!) : order.map((i) => features[i]!.label!);
  return batch;
}
