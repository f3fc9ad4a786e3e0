// Uncertainty measures on hand-made probabilities and logits: every expected value is worked out by
// hand in the comment beside it (ln 2 = 0.693147, ln 3 = 1.098612, ln 0.7 = −0.356675,
// ln 0.2 = −1.609438, ln 0.1 = −2.302585), not by the code under test.
import { describe, expect, it } from 'vitest';
import { classUncertainty } from '../../../src/core/active/scoreUnits';
import {
  binaryUncertainty, distributionUncertainty, margin, normalizedEntropy, rankMostUncertain, reduceScores,
} from '../../../src/core/active/uncertainty';

describe('normalised entropy', () => {
  it('is 1 for a uniform distribution, 0 for a sure one, and −Σ p ln p / ln K between', () => {
    expect(normalizedEntropy([0.5, 0.5])).toBeCloseTo(1, 12); // ln 2 / ln 2
    expect(normalizedEntropy([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(1, 12); // ln 4 / ln 4
    expect(normalizedEntropy([1, 0, 0])).toBe(0); // 0 ln 0 counts 0
    // −(0.7 ln 0.7 + 0.2 ln 0.2 + 0.1 ln 0.1) = 0.249673 + 0.321888 + 0.230259 = 0.801819; / ln 3 = 0.729847
    expect(normalizedEntropy([0.7, 0.2, 0.1])).toBeCloseTo(0.729847, 6);
    // A slice of a longer row: the same three probabilities after two others.
    expect(normalizedEntropy([9, 9, 0.7, 0.2, 0.1], 2, 3)).toBeCloseTo(0.729847, 6);
    expect(normalizedEntropy([1])).toBe(0); // one label: nothing to choose
    expect(normalizedEntropy([0.5, NaN])).toBeNaN();
  });
});

describe('margin', () => {
  it('is 1 − (p1 − p2), 1 when the best two tie and 0 when one label has everything', () => {
    expect(margin([0.7, 0.2, 0.1])).toBeCloseTo(0.5, 12); // 1 − (0.7 − 0.2)
    expect(margin([0.1, 0.2, 0.7])).toBeCloseTo(0.5, 12); // order of the labels does not matter
    expect(margin([0.4, 0.2, 0.4])).toBeCloseTo(1, 12); // tie: 1 − (0.4 − 0.4)
    expect(margin([0, 1, 0])).toBe(0); // 1 − (1 − 0)
    expect(margin([1])).toBe(0);
    expect(distributionUncertainty([0.6, 0.3, 0.1], 'margin')).toBeCloseTo(0.7, 12); // 1 − (0.6 − 0.3)
  });

  it('of one yes/no probability: 1 − |2p − 1|', () => {
    expect(binaryUncertainty(0.5, 'margin')).toBeCloseTo(1, 12);
    expect(binaryUncertainty(0.9, 'margin')).toBeCloseTo(0.2, 12); // 1 − (0.9 − 0.1)
    // −(0.9 ln 0.9 + 0.1 ln 0.1) / ln 2 = (0.094824 + 0.230259) / 0.693147 = 0.468996
    expect(binaryUncertainty(0.9, 'entropy')).toBeCloseTo(0.468996, 6);
  });
});

describe('class uncertainty from logits', () => {
  it('softmax: logits ln p give back the distribution p', () => {
    const logits = [Math.log(0.7), Math.log(0.2), Math.log(0.1)];
    expect(classUncertainty(logits, 'softmax', 'entropy', 'max')).toBeCloseTo(0.729847, 6);
    expect(classUncertainty(logits, 'softmax', 'margin', 'max')).toBeCloseTo(0.5, 6);
    // Shifting every logit by a constant changes nothing (softmax is shift-invariant).
    expect(classUncertainty(logits.map((l) => l + 40), 'softmax', 'margin', 'max')).toBeCloseTo(0.5, 6);
    // [2, 0]: p1 = e²/(e² + 1) = 0.880797, p2 = 0.119203; margin 1 − 0.761594 = 0.238406 (= 1 − tanh 1)
    expect(classUncertainty([2, 0], 'softmax', 'margin', 'max')).toBeCloseTo(0.238406, 6);
    // entropy (0.880797 · 0.126928 + 0.119203 · 2.126928) / ln 2 = (0.111797 + 0.253536) / 0.693147 = 0.527065
    expect(classUncertainty([2, 0], 'softmax', 'entropy', 'max')).toBeCloseTo(0.527065, 5);
  });

  it('sigmoid (multi-label): each label\'s yes/no, combined by max or mean', () => {
    // sigmoid([0, 2, −2]) = [0.5, 0.880797, 0.119203]; margins [1, 0.238406, 0.238406]
    expect(classUncertainty([0, 2, -2], 'sigmoid', 'margin', 'max')).toBeCloseTo(1, 12);
    expect(classUncertainty([0, 2, -2], 'sigmoid', 'margin', 'mean')).toBeCloseTo((1 + 2 * 0.238406) / 3, 6); // 0.492271
    // entropies [1, 0.527065, 0.527065]: mean 0.684710, max 1
    expect(classUncertainty([0, 2, -2], 'sigmoid', 'entropy', 'mean')).toBeCloseTo(0.684710, 5);
    expect(classUncertainty([3, 2, -2], 'sigmoid', 'entropy', 'max')).toBeCloseTo(0.527065, 5); // label 2 or 3 is the least sure
  });
});

describe('reduceScores', () => {
  it('takes the max or the mean of the parts; NaN with no parts', () => {
    expect(reduceScores([0.1, 0.9, 0.2], 'max')).toBe(0.9);
    expect(reduceScores([0.1, 0.9, 0.2], 'mean')).toBeCloseTo(0.4, 12); // 1.2 / 3
    expect(reduceScores([], 'max')).toBeNaN();
  });
});

describe('rankMostUncertain', () => {
  it('orders by score, highest first; ties keep input order; NaN last', () => {
    expect(rankMostUncertain([0.2, 0.9, NaN, 0.9, 0.5])).toEqual([1, 3, 4, 0, 2]);
    expect(rankMostUncertain([0.3, 0.3, 0.3])).toEqual([0, 1, 2]);
    expect(rankMostUncertain([NaN, 0, NaN])).toEqual([1, 0, 2]);
    expect(rankMostUncertain([])).toEqual([]);
  });

  it('is stable on many equal scores (sort stability, not luck)', () => {
    const scores = Array.from({ length: 500 }, (_, i) => (i % 3) / 2); // 0, 0.5, 1, 0, 0.5, 1, …
    const ranked = rankMostUncertain(scores);
    // 2, 5, …, 497: the 166 scores of 1, in input order
    expect(ranked.slice(0, 166)).toEqual(Array.from({ length: 166 }, (_, k) => 3 * k + 2));
    for (let i = 1; i < ranked.length; i++) {
      const [a, b] = [ranked[i - 1]!, ranked[i]!];
      expect(scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b)).toBe(true);
    }
  });
});
