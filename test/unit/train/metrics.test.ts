import { describe, expect, it } from 'vitest';
import { classificationMetrics, nerMetrics, normalizeAnswer, squadScores, strictIob2Chunks } from '../../../src/core/train/metrics';

describe('seqeval strict IOB2', () => {
  it('reproduces the f1_score example of the seqeval README (0.5)', () => {
    const gold = [['O', 'O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'O'], ['B-PER', 'I-PER', 'O']];
    const predicted = [['O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'I-MISC', 'O'], ['B-PER', 'I-PER', 'O']];
    const m = nerMetrics(gold, predicted);
    expect(m.f1).toBeCloseTo(0.5, 12);
    expect(m.perLabel.PER).toEqual({ precision: 1, recall: 1, f1: 1, support: 1 });
    expect(m.perLabel.MISC).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('does not count an I- tag without a B- as an entity (mode="strict"), unlike the default mode', () => {
    expect(strictIob2Chunks(['I-NP', 'I-NP', 'O'])).toEqual([]);
    const m = nerMetrics([['B-NP', 'I-NP', 'O']], [['I-NP', 'I-NP', 'O']]);
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
  });

  it('closes an entity at a type change and at a new B-', () => {
    expect(strictIob2Chunks(['B-PER', 'I-LOC', 'B-PER', 'B-PER', 'I-PER'])).toEqual([
      { type: 'PER', start: 0, end: 1 },
      { type: 'PER', start: 2, end: 3 },
      { type: 'PER', start: 3, end: 5 },
    ]);
  });

  it('micro-averages over labels', () => {
    const gold = [['B-A', 'O', 'B-B', 'I-B'], ['B-A']];
    const pred = [['B-A', 'O', 'B-B', 'O'], ['O']];
    const m = nerMetrics(gold, pred);
    // predicted: A@0 (correct), B@2-3 (wrong span) → tp 1 of 2 predicted, 3 gold
    expect(m.precision).toBeCloseTo(1 / 2, 12);
    expect(m.recall).toBeCloseTo(1 / 3, 12);
  });
});

describe('classification metrics', () => {
  it('computes accuracy and macro F1 as sklearn does', () => {
    // sklearn: f1_score([0,1,1,2],[0,1,2,2], average='macro') = (1 + 2/3 + 2/3) / 3
    const m = classificationMetrics([0, 1, 1, 2], [0, 1, 2, 2], ['a', 'b', 'c']);
    expect(m.accuracy).toBe(0.75);
    expect(m.macroF1).toBeCloseTo((1 + 2 / 3 + 2 / 3) / 3, 12);
  });
});

describe('SQuAD scores', () => {
  it('normalizes as squad evaluate-v1.1 (case, punctuation, articles, spaces)', () => {
    expect(normalizeAnswer('The  Cat, sat!')).toBe('cat sat');
    expect(normalizeAnswer('an apple a day')).toBe('apple day');
  });

  it('takes the best gold answer for exact match and token F1', () => {
    expect(squadScores('the cat', ['Cat', 'dog'])).toEqual({ exactMatch: 1, f1: 1 });
    const partial = squadScores('cat sat', ['the cat']);
    expect(partial.exactMatch).toBe(0);
    expect(partial.f1).toBeCloseTo(2 / 3, 12);
    expect(squadScores('', ['x']).f1).toBe(0);
  });
});
