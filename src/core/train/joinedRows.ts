import { Random } from '../util/random';
import type { TaggedSentence } from './entitySwap';

export interface JoinedRowOptions {
  /** Sentences per joined row (at least 2). */
  perRow: number;
  /** How many joined rows to make. */
  rows: number;
  seed: number;
}

/**
 * Training rows shaped like a paragraph the document pipeline cannot cut: `perRow` sentences drawn at
 * random (seeded, without repeats inside a row) and joined word list to word list, tags kept. A run of
 * title fragments or list items with no sentence end between them reaches the model as one segment
 * (see segmentation.ts); a model that only ever saw one fragment per row marks far more names in such
 * a segment (BENCHMARKS.md § NER on documents). A sentence that opens inside an entity (I-) opens
 * it with B- instead, so no entity crosses from one sentence into the next.
 */
export function joinedRows<T extends TaggedSentence>(sentences: readonly T[], options: JoinedRowOptions): TaggedSentence[] {
  if (!Number.isInteger(options.perRow) || options.perRow < 2) throw new RangeError(`perRow must be a whole number ≥ 2, got ${options.perRow}`);
  if (!Number.isInteger(options.rows) || options.rows < 0) throw new RangeError(`rows must be a whole number ≥ 0, got ${options.rows}`);
  const pool = sentences.filter((s) => s.tokens.length > 0);
  if (pool.length < options.perRow) return [];
  const random = new Random(options.seed);
  const rows: TaggedSentence[] = [];
  for (let r = 0; r < options.rows; r++) {
    const picked = new Set<number>();
    while (picked.size < options.perRow) picked.add(random.int(pool.length));
    const members = [...picked].map((i) => pool[i]!);
    rows.push({ tokens: members.flatMap((s) => s.tokens), tags: members.flatMap((s) => startFresh(s.tags)) });
  }
  return rows;
}

function startFresh(tags: readonly string[]): string[] {
  const first = tags[0];
  return first?.startsWith('I-') ? [`B-${first.slice(2)}`, ...tags.slice(1)] : [...tags];
}
