import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/data/annotation';
import { matchSpans, spanDisagreements, wordTags } from '../../../src/core/data/agreementSpans';

const s = (start: number, end: number, label: string): Span => ({ start, end, label });

describe('span matching', () => {
  it('exact needs the same start, end and label; overlapping pairs one to one', () => {
    // A: "New York City" LOC; B: "New York" LOC and "City" LOC (text "New York City is big").
    const a = [s(0, 13, 'LOC')];
    const b = [s(0, 8, 'LOC'), s(9, 13, 'LOC')];
    const m = matchSpans(a, b);
    expect(m.exact).toEqual([]);
    // One long span counts once, for the first overlapping span.
    expect(m.overlap).toEqual([[0, 0]]);
  });

  it('makes exact pairs before overlapping ones, so exact matches are never lost', () => {
    // A [0,5) X and [3,9) X; B [3,9) X. Greedy overlap alone would give B to A's first span.
    const a = [s(0, 5, 'X'), s(3, 9, 'X')];
    const b = [s(3, 9, 'X')];
    const m = matchSpans(a, b);
    expect(m.exact).toEqual([[1, 0]]);
    expect(m.overlap).toEqual([[1, 0]]);
  });

  it('never matches across labels or for spans that only touch', () => {
    const m = matchSpans([s(0, 4, 'PER'), s(10, 14, 'LOC')], [s(0, 4, 'ORG'), s(14, 18, 'LOC')]);
    expect(m.exact).toEqual([]);
    expect(m.overlap).toEqual([]);
  });
});

describe('span disagreements', () => {
  it('names label, boundary, boundary-and-label and one-sided differences', () => {
    const a = [s(0, 4, 'PER'), s(10, 20, 'ORG'), s(30, 35, 'LOC'), s(40, 45, 'LOC'), s(60, 65, 'PER')];
    const b = [s(0, 4, 'ORG'), s(10, 15, 'ORG'), s(32, 38, 'ORG'), s(40, 45, 'LOC'), s(50, 55, 'MISC')];
    const m = matchSpans(a, b);
    expect(m.exact).toEqual([[3, 3]]);
    expect(spanDisagreements(a, b, m.exact)).toEqual([
      { kind: 'label', a: s(0, 4, 'PER'), b: s(0, 4, 'ORG') },
      { kind: 'boundary', a: s(10, 20, 'ORG'), b: s(10, 15, 'ORG') },
      { kind: 'boundary-and-label', a: s(30, 35, 'LOC'), b: s(32, 38, 'ORG') },
      { kind: 'only-b', b: s(50, 55, 'MISC') },
      { kind: 'only-a', a: s(60, 65, 'PER') },
    ]);
  });
});

describe('word tags for κ', () => {
  it('tags BERT basic words (punctuation alone), a word any part of which a span covers taking it', () => {
    const text = 'Ann met Bob-Smith in Rome, today.';
    // Words: Ann met Bob - Smith in Rome , today .
    const { tags, conflicts } = wordTags(text, [s(0, 3, 'PER'), s(8, 17, 'PER'), s(21, 23, 'LOC')]);
    expect(tags).toEqual(['B-PER', 'O', 'B-PER', 'I-PER', 'I-PER', 'O', 'B-LOC', 'O', 'O', 'O']);
    expect(conflicts).toBe(0);
  });

  it('gives a word touched by two spans to the first and counts the conflict', () => {
    // "New York City": A has [0,8) LOC and [4,13) ORG; "York" is touched by both.
    const { tags, conflicts } = wordTags('New York City', [s(4, 13, 'ORG'), s(0, 8, 'LOC')]);
    expect(tags).toEqual(['B-LOC', 'I-LOC', 'B-ORG']);
    expect(conflicts).toBe(1);
  });
});
