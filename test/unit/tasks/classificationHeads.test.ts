import { describe, expect, it } from 'vitest';
import { postprocessFillMask, resolveFillMaskTargets } from '../../../src/core/tasks/fillMask/postprocess';
import { postprocessMultipleChoice } from '../../../src/core/tasks/multipleChoice/postprocess';
import { postprocessNextSentencePrediction } from '../../../src/core/tasks/nextSentence/postprocess';
import { PostprocessError } from '../../../src/core/tasks/shared/errors';
import {
  defaultFunctionToApply,
  multiLabelAboveThreshold,
  postprocessTextClassification,
} from '../../../src/core/tasks/textClassification/postprocess';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe('text classification', () => {
  const id2label = { 0: 'neg', 1: 'pos' };

  it('HF default function: regression none, one label or multi-label sigmoid, otherwise softmax', () => {
    expect(defaultFunctionToApply('regression', 1)).toBe('none');
    expect(defaultFunctionToApply(null, 1)).toBe('sigmoid');
    expect(defaultFunctionToApply('single_label_classification', 1)).toBe('sigmoid');
    expect(defaultFunctionToApply('multi_label_classification', 5)).toBe('sigmoid');
    expect(defaultFunctionToApply(undefined, 2)).toBe('softmax');
    expect(defaultFunctionToApply(undefined, 0)).toBe('none');
  });

  it('top_k: undefined → best only, null → all sorted, larger than the label count → all', () => {
    const logits = Float32Array.from([0.5, 2]);
    const p = 1 / (1 + Math.exp(-1.5));
    expect(postprocessTextClassification(logits, { id2label })).toEqual([{ label: 'pos', score: expect.closeTo(p, 12) }]);
    expect(postprocessTextClassification(logits, { id2label, topK: null }).map((r) => r.label)).toEqual(['pos', 'neg']);
    expect(postprocessTextClassification(logits, { id2label, topK: 7 })).toHaveLength(2);
    expect(postprocessTextClassification(logits, { id2label, topK: 0 })).toEqual([]);
    expect(() => postprocessTextClassification(logits, { id2label, topK: -1 })).toThrow(PostprocessError);
  });

  it('legacy return_all_scores lists labels in id order, unsorted', () => {
    const result = postprocessTextClassification(Float32Array.from([0.5, 2]), { id2label, returnAllScores: true });
    expect(result.map((r) => r.label)).toEqual(['neg', 'pos']);
  });

  it('averages window logits before the function', () => {
    const windows = [Float32Array.from([1, 0]), Float32Array.from([-3, 2])];
    const [top] = postprocessTextClassification(windows, { id2label, functionToApply: 'sigmoid' });
    expect(top).toEqual({ label: 'pos', score: expect.closeTo(sigmoid(1), 12) });
  });

  it('multi-label threshold keeps the labels whose sigmoid reaches it, best first', () => {
    const labels = ['a', 'b', 'c', 'd'];
    const logits = Float32Array.from([0, 2, -1, 1]);
    expect(multiLabelAboveThreshold(logits, { id2label: labels }).map((r) => [r.label, r.score])).toEqual([
      ['b', sigmoid(2)],
      ['d', sigmoid(1)],
      ['a', 0.5], // exactly at the default threshold: kept
    ]);
    expect(multiLabelAboveThreshold(logits, { id2label: labels, threshold: 0.8 }).map((r) => r.label)).toEqual(['b']);
    expect(multiLabelAboveThreshold(logits, { id2label: labels, threshold: 0.99 })).toEqual([]);
    expect(() => multiLabelAboveThreshold(logits, { id2label: labels, threshold: 1.5 })).toThrow(PostprocessError);
  });

  it('rejects logits of the wrong length, no windows and an unknown function', () => {
    expect(() => postprocessTextClassification(Float32Array.from([1, 2, 3]), { id2label })).toThrow('text classification window 0: 3 logits for 2 labels');
    expect(() => postprocessTextClassification([], { id2label })).toThrow(PostprocessError);
    expect(() => postprocessTextClassification(Float32Array.from([1, 2]), { id2label, functionToApply: 'relu' as never })).toThrow(/function_to_apply/);
  });
});

describe('fill-mask', () => {
  const vocab = ['[PAD]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', 'd'];
  const decode = (ids: readonly number[], skip: boolean) => ids.filter((id) => !(skip && id < 4)).map((id) => vocab[id]).join(' ');
  const options = { maskTokenId: 3, padTokenId: 0, decoder: { decode } };
  const row = [0, 0, 0, 0, 1, 3, 2, 0];

  it('full-sequence and mask-only logits give the same result; padding is dropped from the sequence', () => {
    const inputIds = [1, 4, 3, 2, 0];
    const full = Float32Array.from([...Array<number>(16).fill(0), ...row, ...Array<number>(16).fill(0)]);
    const maskOnly = Float32Array.from(row);
    const a = postprocessFillMask({ inputIds, logits: full, vocabSize: 8 }, { ...options, topK: 2 });
    const b = postprocessFillMask({ inputIds, logits: maskOnly, vocabSize: 8 }, { ...options, topK: 2 });
    expect(a).toEqual(b);
    const sum = row.reduce((s, v) => s + Math.exp(v), 0);
    expect(a).toEqual([[
      { score: expect.closeTo(Math.exp(3) / sum, 12), token: 5, token_str: 'b', sequence: 'a b' },
      { score: expect.closeTo(Math.exp(2) / sum, 12), token: 6, token_str: 'c', sequence: 'a c' },
    ]]);
  });

  it('targets restrict the candidates without renormalising and cap top_k', () => {
    const result = postprocessFillMask({ inputIds: [1, 3, 2], logits: Float32Array.from(row), vocabSize: 8 }, { ...options, targetIds: [7, 4] });
    const sum = row.reduce((s, v) => s + Math.exp(v), 0);
    expect(result[0]!.map((p) => [p.token, p.score])).toEqual([[4, expect.closeTo(Math.exp(1) / sum, 12)], [7, expect.closeTo(1 / sum, 12)]]);
  });

  it('with several masks keeps special tokens and the other masks in each sequence', () => {
    const logits = Float32Array.from([...row, ...row]);
    const result = postprocessFillMask({ inputIds: [1, 3, 3, 2], logits, vocabSize: 8 }, { ...options, topK: 1 });
    expect(result.map((r) => r[0]!.sequence)).toEqual(['[CLS] b [MASK] [SEP]', '[CLS] [MASK] b [SEP]']);
  });

  it('says when there is no mask, and rejects logits of the wrong size', () => {
    expect(() => postprocessFillMask({ inputIds: [1, 4, 2], logits: new Float32Array(24), vocabSize: 8 }, options)).toThrow('No mask_token (id 3) found on the input');
    expect(() => postprocessFillMask({ inputIds: [1, 3, 2], logits: new Float32Array(10), vocabSize: 8 }, options)).toThrow(PostprocessError);
    expect(() => postprocessFillMask({ inputIds: [1, 3, 2], logits: new Float32Array(8), vocabSize: 8 }, { ...options, targetIds: [9] })).toThrow(/outside the vocabulary/);
  });

  it('resolves targets like HF get_target_ids', () => {
    const vocabulary = {
      tokenToId: (t: string) => (vocab.includes(t) ? vocab.indexOf(t) : undefined),
      firstTokenId: (t: string) => (t.startsWith('b') ? 5 : undefined),
    };
    const { ids, warnings } = resolveFillMaskTargets(['c', 'bee', 'zzz', 'b'], vocabulary);
    expect(ids).toEqual([6, 5]);
    expect(warnings).toHaveLength(2);
    expect(() => resolveFillMaskTargets('zzz', vocabulary)).toThrow('At least one target must be provided when passed.');
  });
});

describe('next sentence prediction and multiple choice', () => {
  it('NSP: index 0 is "B follows A"', () => {
    const result = postprocessNextSentencePrediction(Float32Array.from([3, 1]));
    const p = Math.exp(3) / (Math.exp(3) + Math.exp(1));
    expect(result.isNextProbability).toBeCloseTo(p, 12);
    expect(result.scores).toEqual([{ label: 'IsNext', score: expect.closeTo(p, 12) }, { label: 'NotNext', score: expect.closeTo(1 - p, 12) }]);
    expect(postprocessNextSentencePrediction(Float32Array.from([-2, 2])).scores[0]!.label).toBe('NotNext');
    expect(() => postprocessNextSentencePrediction(Float32Array.from([1]))).toThrow(PostprocessError);
  });

  it('multiple choice: softmax over the choices, best first', () => {
    const result = postprocessMultipleChoice(Float32Array.from([0, 2, 1]), ['x', 'y', 'z']);
    expect(result.map((r) => r.choice)).toEqual(['y', 'z', 'x']);
    expect(result.reduce((s, r) => s + r.score, 0)).toBeCloseTo(1, 12);
    expect(() => postprocessMultipleChoice(Float32Array.from([1]))).toThrow('multiple choice needs at least two choices, got 1');
    expect(() => postprocessMultipleChoice(Float32Array.from([1, 2]), ['only one'])).toThrow(PostprocessError);
  });
});
