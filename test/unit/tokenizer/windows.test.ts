import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { strideRanges } from '../../../src/core/runtime/tokenizer/windowing';

// Expected windows follow Rust `Encoding::truncate(max_len, stride)`: windows start every
// (max_len - stride) tokens, so consecutive windows share `stride` tokens; max_len is max_length
// minus the special tokens (2 for one text, 3 for a pair).

const WORDS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9', 'w10', 'q0', 'q1', 'q2'];
const t = BertTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS], { lowercase: false });

function words(n: number): string {
  return WORDS.slice(0, n).join(' ');
}

describe('strideRanges', () => {
  it('steps by maxLength - stride and stops at the first window reaching the end', () => {
    expect(strideRanges(10, 4, 2)).toEqual([[0, 4], [2, 6], [4, 8], [6, 10]]);
    expect(strideRanges(11, 4, 1)).toEqual([[0, 4], [3, 7], [6, 10], [9, 11]]);
    expect(strideRanges(8, 4, 0)).toEqual([[0, 4], [4, 8]]);
    expect(strideRanges(4, 4, 3)).toEqual([[0, 4]]);
    expect(strideRanges(0, 4, 0)).toEqual([[0, 0]]);
  });

  it('rejects a stride that does not advance', () => {
    expect(() => strideRanges(10, 4, 4)).toThrow(/stride 4 must be strictly less/);
    expect(() => strideRanges(10, 0, 0)).toThrow(/at least one token/);
  });
});

describe('windows (one text)', () => {
  it('wraps each window in [CLS] ... [SEP] and overlaps by stride tokens', () => {
    const text = words(10);
    const windows = t.windows(text, { maxLength: 6, stride: 2 });
    expect(windows.map((w) => w.tokens)).toEqual([
      ['[CLS]', 'w0', 'w1', 'w2', 'w3', '[SEP]'],
      ['[CLS]', 'w2', 'w3', 'w4', 'w5', '[SEP]'],
      ['[CLS]', 'w4', 'w5', 'w6', 'w7', '[SEP]'],
      ['[CLS]', 'w6', 'w7', 'w8', 'w9', '[SEP]'],
    ]);
    // Word ids and offsets stay those of the whole text.
    expect(windows[1]!.wordIds).toEqual([null, 2, 3, 4, 5, null]);
    const [start, end] = windows[3]!.offsets[4]!;
    expect(text.slice(start, end)).toBe('w9');
    expect(windows[2]!.specialTokensMask).toEqual([true, false, false, false, false, true]);
  });

  it('returns the plain encoding when the text fits, and [CLS] [SEP] for an empty text', () => {
    const text = words(4);
    expect(t.windows(text, { maxLength: 6, stride: 2 })).toEqual([t.encode(text)]);
    expect(t.windows('', { maxLength: 6 })).toEqual([t.encode('')]);
  });

  it('lets the last window be shorter', () => {
    const windows = t.windows(words(11), { maxLength: 6, stride: 1 });
    expect(windows.map((w) => w.tokens.length)).toEqual([6, 6, 6, 4]);
    expect(windows[3]!.tokens).toEqual(['[CLS]', 'w9', 'w10', '[SEP]']);
  });

  it('refuses windows without room for text or a stride that does not advance', () => {
    expect(() => t.windows(words(5), { maxLength: 2 })).toThrow(/at least one token/);
    expect(() => t.windows(words(5), { maxLength: 4, stride: 2 })).toThrow(/stride 2 must be strictly less than .* \(2,/);
  });
});

describe('pairWindows (question answering, only_second)', () => {
  it('repeats the question and splits the context with doc stride', () => {
    const question = 'q0 q1';
    const context = words(10);
    // 2 + 10 tokens, budget 9 - 3 = 6: the context keeps 4 per window, stepping 4 - 1 = 3.
    const windows = t.pairWindows(question, context, { maxLength: 9, stride: 1 });
    expect(windows.map((w) => w.tokens)).toEqual([
      ['[CLS]', 'q0', 'q1', '[SEP]', 'w0', 'w1', 'w2', 'w3', '[SEP]'],
      ['[CLS]', 'q0', 'q1', '[SEP]', 'w3', 'w4', 'w5', 'w6', '[SEP]'],
      ['[CLS]', 'q0', 'q1', '[SEP]', 'w6', 'w7', 'w8', 'w9', '[SEP]'],
    ]);
    const last = windows[2]!;
    expect(last.typeIds).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(last.sequenceIds).toEqual([null, 0, 0, null, 1, 1, 1, 1, null]);
    expect(last.offsets.slice(1, 3)).toEqual([[0, 2], [3, 5]]);
    const [start, end] = last.offsets[7]!;
    expect(context.slice(start, end)).toBe('w9');
  });

  it('returns one window when question and context fit', () => {
    expect(t.pairWindows('q0', words(3), { maxLength: 10, stride: 2 })).toEqual([t.encodePair('q0', words(3))]);
  });

  it('fails clearly when the question leaves no room for the context', () => {
    expect(() => t.pairWindows('q0 q1 q2', words(5), { maxLength: 6, stride: 0 })).toThrow(/question takes 3 tokens/);
  });
});
