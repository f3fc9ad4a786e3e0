import { describe, expect, it } from 'vitest';
import { compareSpans, type Span } from '../../../src/core/data/annotation';
import { matchSpans, spanDisagreements, wordTags } from '../../../src/core/data/agreementSpans';
import { mulberry32, pick, randomInt } from '../data/helpers/prng';

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

/** The matching rule written plainly, scanning every pair (no search window): the reference for the fast one. */
function referenceMatch(a: readonly Span[], b: readonly Span[]): { exact: number; overlap: number } {
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  a.forEach((x, i) => {
    const j = b.findIndex((y, k) => !usedB.has(k) && y.start === x.start && y.end === x.end && y.label === x.label);
    if (j >= 0) {
      usedA.add(i);
      usedB.add(j);
    }
  });
  const exact = usedA.size;
  a.forEach((x, i) => {
    if (usedA.has(i)) return;
    const j = b.findIndex((y, k) => !usedB.has(k) && y.label === x.label && x.start < y.end && y.start < x.end);
    if (j >= 0) usedB.add(j);
  });
  return { exact, overlap: usedB.size };
}

function randomSpans(random: () => number): Span[] {
  const spans: Span[] = [];
  for (let n = randomInt(random, 12); n > 0; n--) {
    const start = randomInt(random, 60);
    spans.push(s(start, start + 1 + randomInt(random, random() < 0.2 ? 30 : 5), pick(random, ['PER', 'ORG'])));
  }
  return spans.sort(compareSpans);
}

describe('span matching against a plain reference', () => {
  it('agrees on 2,000 random pairs of span sets (overlapping and nested spans, seeded)', () => {
    const random = mulberry32(19);
    for (let trial = 0; trial < 2000; trial++) {
      const a = randomSpans(random);
      const b = randomSpans(random);
      const m = matchSpans(a, b);
      expect({ exact: m.exact.length, overlap: m.overlap.length }, JSON.stringify({ a, b })).toEqual(referenceMatch(a, b));
      // Every unmatched span shows up in exactly one disagreement.
      const listed = spanDisagreements(a, b, m.exact);
      expect(listed.filter((d) => d.a).length).toBe(a.length - m.exact.length);
      expect(listed.filter((d) => d.b).length).toBe(b.length - m.exact.length);
    }
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
