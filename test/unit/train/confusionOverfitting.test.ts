import { describe, expect, it } from 'vitest';
import { confusionMatrix } from '../../../src/core/train/confusionMatrix';
import { FallingScoreDetector } from '../../../src/core/train/overfitting';

describe('confusion matrix', () => {
  it('counts gold (rows) against predicted (columns), counted by hand', () => {
    const gold = ['O', 'B-PER', 'I-PER', 'O', 'B-LOC', 'B-PER'];
    const pred = ['O', 'B-PER', 'O', 'B-LOC', 'B-LOC', 'B-LOC'];
    const m = confusionMatrix(gold, pred, ['O', 'B-PER', 'I-PER', 'B-LOC']);
    expect(m.labels).toEqual(['O', 'B-PER', 'I-PER', 'B-LOC']);
    expect(m.counts).toEqual([
      [1, 0, 0, 1],
      [0, 1, 0, 1],
      [1, 0, 0, 0],
      [0, 0, 0, 1],
    ]);
    expect(m.counts.flat().reduce((a, b) => a + b, 0)).toBe(gold.length);
  });

  it('appends labels the label list lacks instead of dropping pairs', () => {
    const m = confusionMatrix(['pos', 'neutral'], ['neg', 'pos'], ['neg', 'pos']);
    expect(m.labels).toEqual(['neg', 'pos', 'neutral']);
    expect(m.counts).toEqual([[0, 0, 0], [1, 0, 0], [0, 1, 0]]);
  });

  it('refuses unpaired lists', () => {
    expect(() => confusionMatrix(['a'], [], ['a'])).toThrow(/1 gold labels but 0 predictions/);
  });
});

describe('overfitting detector', () => {
  it('warns once when the score fell 3 evaluations in a row', () => {
    const d = new FallingScoreDetector(3);
    const out = [0.4, 0.3, 0.2, 0.0, 0.0, 0.1, 0.05, 0.04, 0.03].map((v) => d.add(v, 'f1'));
    expect(out.map((w) => w !== undefined)).toEqual([false, false, false, true, false, false, false, false, true]);
    expect(out[3]).toContain('0.400 → 0.300 → 0.200 → 0.00');
    expect(out[3]).toMatch(/overfitting.*learning rate/);
  });

  it('a loss (lower is better) warns when it rises', () => {
    const d = new FallingScoreDetector(2, false);
    expect([1, 1.1, 1.2].map((v) => d.add(v, 'eval_loss'))[2]).toContain('eval_loss got worse 2 evaluations');
  });

  it('equal scores break the streak', () => {
    const d = new FallingScoreDetector(2);
    expect([0.5, 0.4, 0.4, 0.3].map((v) => d.add(v, 'f1')).every((w) => w === undefined)).toBe(true);
  });
});
