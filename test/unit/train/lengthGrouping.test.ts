import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lengthGroupedOrder } from '../../../src/core/train/lengthGrouping';
import { Random } from '../../../src/core/util/random';

interface Case { lengths: number[]; batch_size: number; permutation: number[]; order: number[] }

/** HF's get_length_grouped_indices run on given permutations (scripts/reference/make_length_grouping_refs.py). */
const reference = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'train', 'length_grouping.json'), 'utf8')) as { cases: Case[] };

function paddedTokens(order: number[], lengths: number[], batchSize: number): number {
  let total = 0;
  for (let at = 0; at < order.length; at += batchSize) {
    const batch = order.slice(at, at + batchSize);
    total += batch.length * Math.max(...batch.map((i) => lengths[i]!));
  }
  return total;
}

describe('group_by_length (HF LengthGroupedSampler)', () => {
  it.each(reference.cases.map((c) => [c.lengths.length, c.batch_size, c] as const))('orders %i rows in batches of %i exactly as HF does', (_n, _b, c) => {
    expect(lengthGroupedOrder(c.permutation, c.lengths, c.batch_size)).toEqual(c.order);
  });

  it('returns a permutation that starts with the longest row and pads far less than random batches', () => {
    const random = new Random(5);
    // Sentence-like lengths: mostly short, a long tail.
    const lengths = Array.from({ length: 5000 }, () => 4 + Math.floor(60 * random.next() ** 3));
    const shuffled = random.shuffle(lengths.map((_, i) => i));
    const order = lengthGroupedOrder(shuffled, lengths, 32);
    expect([...order].sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(lengths[order[0]!]).toBe(Math.max(...lengths));
    const real = lengths.reduce((a, b) => a + b, 0);
    const grouped = paddedTokens(order, lengths, 32) / real;
    const plain = paddedTokens(shuffled, lengths, 32) / real;
    expect(grouped).toBeLessThan(1.1);
    expect(plain).toBeGreaterThan(2);
  });

  it('handles no rows', () => {
    expect(lengthGroupedOrder([], [], 8)).toEqual([]);
  });
});
