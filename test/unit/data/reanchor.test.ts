import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/data/annotation';
import { reanchorSpans } from '../../../src/core/data/reanchor';
import { alignTexts, myersMatches } from '../../../src/core/data/textDiff';
import { mulberry32, randomInt } from './helpers/prng';

/** Longest common subsequence length by dynamic programming: the independent reference for Myers. */
function lcsLength(a: number[], b: number[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, row[j - 1]!);
    previous = row;
  }
  return previous[b.length]!;
}

describe('myersMatches', () => {
  it('finds a longest common subsequence (300 seeded random pairs against a DP reference)', () => {
    const random = mulberry32(42);
    for (let trial = 0; trial < 300; trial++) {
      const a = Array.from({ length: randomInt(random, 30) }, () => randomInt(random, 4));
      const b = Array.from({ length: randomInt(random, 30) }, () => randomInt(random, 4));
      const runs = myersMatches(a, b, 1000)!;
      let matched = 0;
      let lastA = -1;
      let lastB = -1;
      for (const run of runs) {
        expect(run.aStart).toBeGreaterThan(lastA);
        expect(run.bStart).toBeGreaterThan(lastB);
        for (let i = 0; i < run.length; i++) expect(a[run.aStart + i]).toBe(b[run.bStart + i]);
        matched += run.length;
        lastA = run.aStart + run.length - 1;
        lastB = run.bStart + run.length - 1;
      }
      expect(matched).toBe(lcsLength(a, b));
    }
  });

  it('gives up beyond the edit budget', () => {
    expect(myersMatches([1, 2, 3, 4], [5, 6, 7, 8], 3)).toBeUndefined();
    expect(myersMatches([1, 2, 3, 4], [5, 6, 7, 8], 8)).toEqual([]);
  });
});

describe('alignTexts', () => {
  it('maps only equal characters, in increasing order', () => {
    const before = 'line one\nline two has Paris\nline three\n';
    const after = 'line zero\nline one\nline two has Paris!\nline 3\n';
    const map = alignTexts(before, after);
    let last = -1;
    map.forEach((to, from) => {
      if (to < 0) return;
      expect(after[to]).toBe(before[from]);
      expect(to).toBeGreaterThan(last);
      last = to;
    });
    const paris = before.indexOf('Paris');
    expect(map[paris]).toBe(after.indexOf('Paris'));
  });
});

describe('reanchorSpans', () => {
  const before = 'Angela Merkel met Emmanuel Macron in Paris.\nThen she flew to Berlin.';
  const at = (needle: string, label: string): Span => ({ start: before.indexOf(needle), end: before.indexOf(needle) + needle.length, label });
  const spans: Span[] = [at('Angela Merkel', 'PER'), at('Emmanuel Macron', 'PER'), at('Paris', 'LOC'), at('Berlin', 'LOC')];
  const texts = (text: string, list: Array<{ span: Span }>): string[] => list.map(({ span }) => text.slice(span.start, span.end));

  it('keeps offsets when nothing changed', () => {
    const result = reanchorSpans(before, before, spans);
    expect(result.lost).toEqual([]);
    expect(result.anchored.map((a) => a.method)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('follows insertions before, between and after spans (CRLF line endings too)', () => {
    const after = 'Yesterday, Angela Merkel met  Emmanuel Macron in Paris.\r\nThen she flew back to Berlin. The end.';
    const result = reanchorSpans(before, after, spans);
    expect(result.lost).toEqual([]);
    expect(texts(after, result.anchored)).toEqual(['Angela Merkel', 'Emmanuel Macron', 'Paris', 'Berlin']);
    expect(result.anchored.every((a) => a.method === 'diff')).toBe(true);
  });

  it('finds a span whose paragraph moved, and reports one whose text is gone', () => {
    const after = 'Then she flew to Hamburg.\nAngela Merkel met Emmanuel Macron in Paris.';
    const result = reanchorSpans(before, after, spans);
    expect(texts(after, result.anchored)).toEqual(['Angela Merkel', 'Emmanuel Macron', 'Paris']);
    expect(result.lost).toHaveLength(1);
    expect(result.lost[0]).toMatchObject({ span: spans[3], text: 'Berlin' });
    expect(result.lost[0]!.reason).toContain('"Berlin" no longer appears');
  });

  it('keeps a span whose inside was edited, marked diff-edited', () => {
    const after = before.replace('Emmanuel Macron', 'Emmanuel J. Macron');
    const result = reanchorSpans(before, after, spans);
    const edited = result.anchored.find((a) => a.previous === spans[1])!;
    expect(edited.method).toBe('diff-edited');
    expect(after.slice(edited.span.start, edited.span.end)).toBe('Emmanuel J. Macron');
  });

  it('prefers a whole-word occurrence over one inside another word', () => {
    const after = 'Parisian cafés.\nThe mayor of Paris spoke.';
    const result = reanchorSpans('Paris is big.', after, [{ start: 0, end: 5, label: 'LOC' }]);
    expect(result.anchored[0]!.span.start).toBe(after.indexOf('Paris spoke'));
  });

  it('gives each of two identical spans its own occurrence', () => {
    const b = 'Paris and Paris';
    const a = 'Intro.\n' + b.split('').reverse().join('') + '\nParis, Paris';
    const result = reanchorSpans(b, a, [{ start: 0, end: 5, label: 'LOC' }, { start: 10, end: 15, label: 'LOC' }]);
    expect(result.lost).toEqual([]);
    const starts = result.anchored.map((x) => x.span.start);
    expect(new Set(starts).size).toBe(2);
    expect(texts(a, result.anchored)).toEqual(['Paris', 'Paris']);
  });

  it('handles emoji without splitting surrogate pairs', () => {
    const b = '😀 Paris 😀';
    const a = '😀😀 Paris 😀';
    const result = reanchorSpans(b, a, [{ start: 3, end: 8, label: 'LOC' }]);
    expect(texts(a, result.anchored)).toEqual(['Paris']);
  });

  it('accounts for every span: anchored + lost = input (fuzzed edits, seeded)', () => {
    const random = mulberry32(3);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'Paris', 'Berlin', '\n', 'x', '😀'];
    for (let trial = 0; trial < 100; trial++) {
      const source = Array.from({ length: 40 }, () => words[randomInt(random, words.length)]).join(' ');
      const spanList: Span[] = [];
      for (let i = 0; i < 5; i++) {
        const start = randomInt(random, source.length - 6);
        const startSafe = /[\udc00-\udfff]/.test(source[start]!) ? start + 1 : start;
        const end = startSafe + 1 + randomInt(random, 5);
        const endSafe = /[\udc00-\udfff]/.test(source[end] ?? '') ? end + 1 : end;
        spanList.push({ start: startSafe, end: endSafe, label: 'L' });
      }
      let edited = source;
      for (let e = 0; e < 4; e++) {
        const at = randomInt(random, edited.length);
        edited = random() < 0.5 ? edited.slice(0, at) + words[randomInt(random, words.length)] + edited.slice(at) : edited.slice(0, at) + edited.slice(at + randomInt(random, 8));
      }
      const result = reanchorSpans(source, edited, spanList);
      expect(result.anchored.length + result.lost.length).toBe(spanList.length);
      for (const { span, previous, method } of result.anchored) {
        expect(span.start).toBeLessThan(span.end);
        expect(span.end).toBeLessThanOrEqual(edited.length);
        if (method !== 'diff-edited') expect(edited.slice(span.start, span.end)).toBe(source.slice(previous.start, previous.end));
      }
    }
  });
});
