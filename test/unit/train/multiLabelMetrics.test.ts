import { describe, expect, it } from 'vitest';
import type { Feature } from '../../../src/core/train/features';
import { multiLabelEvalMetrics, multiLabelsOf } from '../../../src/core/train/taskMetrics';
import { classificationLabelList } from '../../../src/core/train/trainingData';

const feature = (example: number): Feature => ({ inputIds: [101, 102], tokenTypeIds: [0, 0], example });
const logits = (...values: number[]) => ({ logits: Float32Array.from(values) });

describe('multi-label evaluation metrics', () => {
  it('micro F1, exact match and per-label scores match the values worked out by hand', () => {
    const labels = ['a', 'b', 'c'];
    const examples = [
      { label: 'a, b', labels: ['a', 'b'] }, // predicted {a, c}
      { label: 'c', labels: ['c'] }, // two windows averaged: [0, 0.25, 0.5] -> {b, c}; a logit of exactly 0 is not predicted
      { label: '', labels: [] }, // predicted {}: an exact match
      { label: 'a' }, // no list: the label string split at commas; predicted {a}
    ];
    const features = [feature(0), feature(1), feature(1), feature(2), feature(3)];
    const outputs = [logits(2, -1, 0.5), logits(-1, 0, 3), logits(1, 0.5, -2), logits(-1, -1, -1), logits(0.3, -0.2, -5)];
    const metrics = multiLabelEvalMetrics(examples, features, outputs, labels) as unknown as Record<string, unknown> & { per_label: Record<string, { precision: number; recall: number; f1: number; support: number }> };
    // a: gold {0, 3}, predicted {0, 3}: P = R = F1 = 1.
    expect(metrics.per_label.a).toEqual({ precision: 1, recall: 1, f1: 1, support: 2 });
    // b: gold {0}, predicted {1}: nothing right.
    expect(metrics.per_label.b).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    // c: gold {1}, predicted {0, 1}: P = 1/2, R = 1, F1 = 2/3.
    expect(metrics.per_label.c!.precision).toBeCloseTo(0.5, 12);
    expect(metrics.per_label.c!.recall).toBe(1);
    expect(metrics.per_label.c!.f1).toBeCloseTo(2 / 3, 12);
    // Micro: tp = 3, predicted = 5, gold = 4 -> P = 0.6, R = 0.75, F1 = 2/3.
    expect(metrics.micro_f1).toBeCloseTo((2 * 0.6 * 0.75) / (0.6 + 0.75), 12);
    expect(metrics.score).toBe(metrics.micro_f1);
    // Exact match: examples 2 and 3 of 4.
    expect(metrics.accuracy).toBe(0.5);
    expect(metrics.macro_f1).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
  });

  it('a perfect prediction scores 1 everywhere; predicting nothing scores 0 F1 but exact match on the empty examples', () => {
    const labels = ['x', 'y'];
    const examples = [{ label: 'x', labels: ['x'] }, { label: '', labels: [] }];
    const features = [feature(0), feature(1)];
    const perfect = multiLabelEvalMetrics(examples, features, [logits(4, -4), logits(-3, -3)], labels);
    expect([perfect.micro_f1, perfect.accuracy]).toEqual([1, 1]);
    const silent = multiLabelEvalMetrics(examples, features, [logits(-4, -4), logits(-3, -3)], labels);
    expect([silent.micro_f1, silent.accuracy]).toEqual([0, 0.5]);
  });

  it('multiLabelsOf: the list when there is one (labels with commas intact), else the label split at commas', () => {
    expect(multiLabelsOf({ label: 'ignored', labels: ['arts, culture', 'film'] })).toEqual(['arts, culture', 'film']);
    expect(multiLabelsOf({ label: ' toxic , insult ,' })).toEqual(['toxic', 'insult']);
    expect(multiLabelsOf({ label: '' })).toEqual([]);
  });
});

describe('the multi-label label list', () => {
  const examples = [{ label: 'sports, politics', labels: ['sports', 'politics'] }, { label: 'arts, culture', labels: ['arts, culture'] }, { label: 'film, sports' }];

  it('is made of the labels of the sets, never the sets themselves (sorted for a new head)', () => {
    expect(classificationLabelList(examples, ['LABEL_0', 'LABEL_1'], true)).toEqual(['arts, culture', 'film', 'politics', 'sports']);
    // Single-label reading of the same examples: each label string is one class.
    expect(classificationLabelList(examples, ['LABEL_0', 'LABEL_1'])).toEqual(['arts, culture', 'film, sports', 'sports, politics']);
  });

  it('keeps a trained head\'s labels first and appends the new ones', () => {
    expect(classificationLabelList(examples, ['sports', 'weather'], true)).toEqual(['sports', 'weather', 'arts, culture', 'film', 'politics']);
  });
});
