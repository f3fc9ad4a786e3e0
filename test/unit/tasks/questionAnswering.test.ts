import { describe, expect, it } from 'vitest';
import { postprocessQuestionAnswering } from '../../../src/core/tasks/questionAnswering/postprocess';
import type { QuestionAnsweringWindow } from '../../../src/core/tasks/questionAnswering/types';
import { PostprocessError } from '../../../src/core/tasks/shared/errors';
import { CLS_ID, encodingOf, wordsOf, type TokenSpec } from './helpers';

const question: TokenSpec[] = [['who', 0, 3, 0], ['?', 3, 4, 1]];

/** Window [CLS] who ? [SEP] context… [SEP] with start/end logits for the context tokens (others as given). */
function qaWindow(context: readonly TokenSpec[], start: readonly number[], end: readonly number[], other: { cls?: [number, number]; question?: number } = {}): QuestionAnsweringWindow {
  const encoding = encodingOf(question, context);
  const n = encoding.ids.length;
  const s = new Float32Array(n).fill(other.question ?? 0);
  const e = new Float32Array(n).fill(other.question ?? 0);
  s[0] = other.cls?.[0] ?? 0;
  e[0] = other.cls?.[1] ?? 0;
  s[n - 1] = e[n - 1] = 0;
  s[3] = e[3] = 0;
  context.forEach((_, i) => {
    s[4 + i] = start[i]!;
    e[4 + i] = end[i]!;
  });
  return { startLogits: s, endLogits: e, encoding };
}

/** HF's window softmax: context tokens and [CLS] take part, everything else sits at -10000. */
function windowSoftmax(window: QuestionAnsweringWindow, logits: Float32Array): number[] {
  const values = Array.from(logits, (v, i) => (window.encoding.sequenceIds[i] === 1 || i === 0 ? v : -10000));
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((x) => x / sum);
}

const context = 'Ada Lovelace wrote the first program';
const words = wordsOf(context);

describe('span search', () => {
  it('scores p_start × p_end and returns the best span, as context text and offsets', () => {
    const w = qaWindow(words, [4, 0, 0, 0, 0, 1], [0, 3.5, 0, 0, 0, 1]);
    const [best] = postprocessQuestionAnswering([w], { context, clsTokenId: CLS_ID });
    const ps = windowSoftmax(w, w.startLogits);
    const pe = windowSoftmax(w, w.endLogits);
    expect(best).toEqual({ score: expect.closeTo(ps[4]! * pe[5]!, 12), start: 0, end: 12, answer: 'Ada Lovelace' });
  });

  it('ignores spans with end < start, longer than max_answer_len, or touching the question', () => {
    // The best pair by logits is start at "program", end at "Ada": reversed, so not a candidate. The
    // question tokens have the highest logits of all and are masked.
    const w = qaWindow(words, [0, 0, 0, 0, 0, 6], [6, 0, 0, 0, 0, 1], { question: 20 });
    const [best] = postprocessQuestionAnswering([w], { context, clsTokenId: CLS_ID, maxAnswerLen: 15 });
    expect(best!.answer).toBe('program');
    const long = qaWindow(words, [6, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 6]);
    expect(postprocessQuestionAnswering([long], { context, clsTokenId: CLS_ID, maxAnswerLen: 6 })[0]!.answer).toBe(context);
    const [short] = postprocessQuestionAnswering([long], { context, clsTokenId: CLS_ID, maxAnswerLen: 5 });
    expect(short!.answer).not.toBe(context);
    expect(short!.end - short!.start).toBeLessThan(context.length);
  });

  it('top_k larger than the number of candidate spans returns all of them', () => {
    const tiny = wordsOf('Ada Lovelace');
    const w = qaWindow(tiny, [1, 0], [0, 1]);
    const answers = postprocessQuestionAnswering([w], { context: 'Ada Lovelace', clsTokenId: CLS_ID, topK: 10 });
    expect(answers.map((a) => a.answer).sort()).toEqual(['Ada', 'Ada Lovelace', 'Lovelace']);
    const total = answers.reduce((sum, a) => sum + a.score, 0);
    const ps = windowSoftmax(w, w.startLogits);
    const pe = windowSoftmax(w, w.endLogits);
    expect(total).toBeCloseTo(ps[4]! * (pe[4]! + pe[5]!) + ps[5]! * pe[5]!, 12);
  });

  it('align_to_words widens a subword span to its word; without it the token offsets are kept', () => {
    const text = 'visit Lovelaceville today';
    const pieces: TokenSpec[] = [['visit', 0, 5, 0], ['Love', 6, 10, 1], ['##lace', 10, 14, 1], ['##ville', 14, 19, 1], ['today', 20, 25, 2]];
    const w = qaWindow(pieces, [0, 0, 6, 0, 0], [0, 0, 6, 0, 0]);
    expect(postprocessQuestionAnswering([w], { context: text, clsTokenId: CLS_ID })[0]!.answer).toBe('Lovelaceville');
    expect(postprocessQuestionAnswering([w], { context: text, clsTokenId: CLS_ID, alignToWords: false })[0]!.answer).toBe('lace');
  });

  it('spans that widen to the same text are merged and their scores added (HF get_answer, case-insensitive)', () => {
    const text = 'Paris or paris';
    const toks: TokenSpec[] = [['Paris', 0, 5, 0], ['or', 6, 8, 1], ['paris', 9, 14, 2]];
    const w = qaWindow(toks, [3, -5, 3], [3, -5, 3]);
    // HF takes top_k spans per window before merging: 3 spans, 2 answers.
    const answers = postprocessQuestionAnswering([w], { context: text, clsTokenId: CLS_ID, topK: 3, maxAnswerLen: 1 });
    expect(answers).toHaveLength(2);
    const ps = windowSoftmax(w, w.startLogits);
    const pe = windowSoftmax(w, w.endLogits);
    expect(answers[0]).toEqual({ score: expect.closeTo(ps[4]! * pe[4]! + ps[6]! * pe[6]!, 12), start: 0, end: 5, answer: 'Paris' });
    expect(answers[1]!.answer).toBe('or');
  });
});

describe('impossible answer and windows', () => {
  it('the null answer scores p_start[CLS] × p_end[CLS], the minimum over windows, and can win', () => {
    const a = qaWindow(words, [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], { cls: [6, 6] });
    const b = qaWindow(words, [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], { cls: [5, 5.5] });
    const nullOf = (w: QuestionAnsweringWindow) => windowSoftmax(w, w.startLogits)[0]! * windowSoftmax(w, w.endLogits)[0]!;
    const answers = postprocessQuestionAnswering([a, b], { context, clsTokenId: CLS_ID, handleImpossibleAnswer: true, topK: 2 });
    expect(answers[0]).toEqual({ score: expect.closeTo(Math.min(nullOf(a), nullOf(b)), 12), start: 0, end: 0, answer: '' });
    expect(answers[1]!.answer).toBe('Ada');
    // Off by default: [CLS] is never an answer, even when it dominates.
    expect(postprocessQuestionAnswering([a], { context, clsTokenId: CLS_ID })[0]!.answer).toBe('Ada');
  });

  it('finds the answer in a later window and adds up the same answer seen by two windows', () => {
    const long = 'one two three four five six seven eight';
    const all = wordsOf(long);
    const first = qaWindow(all.slice(0, 5), [0, 0, 0, 0, 2], [0, 0, 0, 0, 2]);
    const second = qaWindow(all.slice(3, 8), [0, 2, 0, 0, 5], [0, 2, 0, 0, 5]);
    const answers = postprocessQuestionAnswering([first, second], { context: long, clsTokenId: CLS_ID, topK: 2, maxAnswerLen: 1 });
    expect(answers.map((a) => a.answer)).toEqual(['eight', 'five']);
    const p = (w: QuestionAnsweringWindow, i: number) => windowSoftmax(w, w.startLogits)[i]! * windowSoftmax(w, w.endLogits)[i]!;
    expect(answers[1]!.score).toBeCloseTo(p(first, 8) + p(second, 5), 12);
    expect(long.slice(answers[0]!.start, answers[0]!.end)).toBe('eight');
  });

  it('no windows give no answers', () => {
    expect(postprocessQuestionAnswering([], { context: '', handleImpossibleAnswer: true })).toEqual([]);
  });

  it('without clsTokenId, position 0 stays in the softmax when it is a special token', () => {
    const w = qaWindow(words, [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], { cls: [3, 3] });
    const withId = postprocessQuestionAnswering([w], { context, clsTokenId: CLS_ID, handleImpossibleAnswer: true, topK: 3 });
    const withoutId = postprocessQuestionAnswering([w], { context, handleImpossibleAnswer: true, topK: 3 });
    expect(withoutId).toEqual(withId);
  });
});

describe('options and inputs', () => {
  const w = qaWindow(words, [1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]);
  it('rejects top_k and max_answer_len below 1 (HF ValueError)', () => {
    expect(() => postprocessQuestionAnswering([w], { context, topK: 0 })).toThrow(new PostprocessError('top_k must be an integer >= 1, got 0'));
    expect(() => postprocessQuestionAnswering([w], { context, maxAnswerLen: 0 })).toThrow(/max_answer_len/);
  });
  it('rejects logits shorter than the encoding', () => {
    const short = { ...w, endLogits: new Float32Array(3) };
    expect(() => postprocessQuestionAnswering([w, short], { context })).toThrow(/question answering window 1: 11 start \/ 3 end logits for 11 tokens/);
  });
});
