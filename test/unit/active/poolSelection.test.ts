import { describe, expect, it } from 'vitest';
import { budgetSelection, mostUncertain, sampleIndices } from '../../../src/core/active/poolSelection';

describe('sampleIndices', () => {
  it('draws k distinct allowed indices, the same for the same seed', () => {
    const exclude = new Set([0, 3, 5, 7]);
    const drawn = sampleIndices(50, 20, 7, exclude);
    expect(drawn).toHaveLength(20);
    expect(new Set(drawn).size).toBe(20);
    for (const i of drawn) {
      expect(exclude.has(i)).toBe(false);
      expect(i >= 0 && i < 50).toBe(true);
    }
    expect(sampleIndices(50, 20, 7, exclude)).toEqual(drawn);
    expect(sampleIndices(50, 20, 8, exclude)).not.toEqual(drawn);
  });

  it('is nested: a smaller k gives a prefix of the larger draw', () => {
    const large = sampleIndices(1000, 300, 42);
    expect(sampleIndices(1000, 100, 42)).toEqual(large.slice(0, 100));
  });

  it('takes every allowed index when k is all of them, and refuses more', () => {
    expect(sampleIndices(6, 4, 1, new Set([1, 4])).sort()).toEqual([0, 2, 3, 5]);
    expect(() => sampleIndices(6, 5, 1, new Set([1, 4]))).toThrow(/cannot draw 5 of 4/);
    expect(() => sampleIndices(-1, 0, 1)).toThrow(RangeError);
  });

  it('is not biased towards low indices (each half gets roughly its share)', () => {
    const drawn = sampleIndices(10000, 2000, 3);
    const low = drawn.filter((i) => i < 5000).length;
    // Binomial(2000, 0.5) sd ≈ 22: ±150 is ~7 sd.
    expect(Math.abs(low - 1000)).toBeLessThan(150);
  });
});

describe('mostUncertain', () => {
  it('takes the highest scores first, equal scores in candidate order, NaN last', () => {
    const candidates = [10, 11, 12, 13, 14, 15];
    const scores = [0.2, 0.9, NaN, 0.9, 0.5, 0.2];
    expect(mostUncertain(candidates, scores, 6)).toEqual([11, 13, 14, 10, 15, 12]);
    expect(mostUncertain(candidates, scores, 2)).toEqual([11, 13]);
    expect(mostUncertain(candidates, scores, 0)).toEqual([]);
  });

  it('refuses mismatched lengths and k beyond the candidates', () => {
    expect(() => mostUncertain([1, 2], [0.1], 1)).toThrow(/2 candidates but 1 scores/);
    expect(() => mostUncertain([1, 2], [0.1, 0.2], 3)).toThrow(/cannot take 3 of 2/);
  });
});

describe('budgetSelection', () => {
  it('is the seed set plus the first budget − seed items of the order', () => {
    expect(budgetSelection([4, 2], [9, 7, 5, 3], 5)).toEqual([4, 2, 9, 7, 5]);
    expect(budgetSelection([4, 2], [9, 7], 2)).toEqual([4, 2]);
  });

  it('refuses a budget below the seed set, beyond the candidates, or an item counted twice', () => {
    expect(() => budgetSelection([1, 2, 3], [4], 2)).toThrow(/smaller than the seed set/);
    expect(() => budgetSelection([1], [4, 5], 4)).toThrow(/needs 3 items beyond the seed set, only 2/);
    expect(() => budgetSelection([1, 2], [3, 2], 4)).toThrow(/pool item 2 is chosen twice/);
    expect(() => budgetSelection([1], [3, 3], 3)).toThrow(/pool item 3 is chosen twice/);
  });
});
