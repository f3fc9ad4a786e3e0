import { compareSpans, type Span } from './annotation';
import { punctuationWordTokens, type TokenOffsets } from './wordTokens';

/**
 * Span agreement within one document, A the reference. Two rules:
 * - exact: a span of B matches a span of A with the same start, end and label;
 * - overlapping: a span of B matches a span of A with the same label when they share at least one
 *   UTF-16 code unit (a.start < b.end && b.start < a.end). Matching is one to one: exact pairs are
 *   made first, then each remaining A span (in document order) takes the first remaining
 *   overlapping B span of its label, so one long span never counts for two, and every exact match is
 *   also an overlapping one.
 */

export interface SpanMatching {
  /** Pairs of indices (into the sorted A and B spans). */
  exact: Array<[number, number]>;
  overlap: Array<[number, number]>;
}

const key = (span: Span): string => `${span.start}:${span.end}:${span.label}`;
export const spansOverlap = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

/**
 * For spans sorted by start: the first index whose span can overlap a given span (none that starts
 * more than the longest span's length before it can), so that scanning from there to the first span
 * starting at or after its end stays near linear on long, densely labelled documents.
 */
function overlapWindow(sorted: readonly Span[]): (span: Span) => number {
  let longest = 0;
  for (const span of sorted) longest = Math.max(longest, span.end - span.start);
  return (span) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (sorted[middle]!.start <= span.start - longest) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

/** `a` and `b` sorted by compareSpans. */
export function matchSpans(a: readonly Span[], b: readonly Span[]): SpanMatching {
  const exact: Array<[number, number]> = [];
  const freeB = new Map<string, number[]>();
  b.forEach((span, j) => {
    const list = freeB.get(key(span));
    if (list) list.push(j);
    else freeB.set(key(span), [j]);
  });
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  a.forEach((span, i) => {
    const j = freeB.get(key(span))?.shift();
    if (j === undefined) return;
    exact.push([i, j]);
    usedA.add(i);
    usedB.add(j);
  });
  const overlap = [...exact];
  const window = overlapWindow(b);
  a.forEach((span, i) => {
    if (usedA.has(i)) return;
    for (let j = window(span); j < b.length && b[j]!.start < span.end; j++) {
      if (usedB.has(j) || b[j]!.label !== span.label || !spansOverlap(span, b[j]!)) continue;
      overlap.push([i, j]);
      usedB.add(j);
      break;
    }
  });
  return { exact, overlap };
}

export type SpanDisagreementKind = 'label' | 'boundary' | 'boundary-and-label' | 'only-a' | 'only-b';

export interface SpanDisagreementPair {
  kind: SpanDisagreementKind;
  a?: Span;
  b?: Span;
}

/**
 * What the spans without an exact match disagree on, pairing them in this order: the same range
 * with another label ('label'); an overlapping span of the same label ('boundary'); any overlapping
 * span ('boundary-and-label'); what is left is a span only one side has.
 */
export function spanDisagreements(a: readonly Span[], b: readonly Span[], exact: ReadonlyArray<readonly [number, number]>): SpanDisagreementPair[] {
  const matchedA = new Set(exact.map(([i]) => i));
  const restA = a.filter((_, i) => !matchedA.has(i));
  const matchedB = new Set(exact.map(([, j]) => j));
  const restB = b.filter((_, j) => !matchedB.has(j));
  const pairs: SpanDisagreementPair[] = [];
  const takenB = new Set<Span>();
  const rules: Array<[SpanDisagreementKind, (x: Span, y: Span) => boolean]> = [
    ['label', (x, y) => x.start === y.start && x.end === y.end],
    ['boundary', (x, y) => x.label === y.label && spansOverlap(x, y)],
    ['boundary-and-label', spansOverlap],
  ];
  const pairedA = new Set<Span>();
  const window = overlapWindow(restB);
  for (const [kind, fits] of rules) {
    for (const x of restA) {
      if (pairedA.has(x)) continue;
      // Every rule needs the two spans to overlap: only B spans in x's window can fit.
      let y: Span | undefined;
      for (let j = window(x); j < restB.length && restB[j]!.start < x.end && !y; j++) {
        if (!takenB.has(restB[j]!) && fits(x, restB[j]!)) y = restB[j];
      }
      if (!y) continue;
      pairs.push({ kind, a: x, b: y });
      pairedA.add(x);
      takenB.add(y);
    }
  }
  for (const x of restA) if (!pairedA.has(x)) pairs.push({ kind: 'only-a', a: x });
  for (const y of restB) if (!takenB.has(y)) pairs.push({ kind: 'only-b', b: y });
  const start = (pair: SpanDisagreementPair): Span => (pair.a ?? pair.b)!;
  return pairs.sort((p, q) => compareSpans(start(p), start(q)));
}

/**
 * IOB2 tags of the text's words for κ. Words are BERT's BasicTokenizer pre-tokenization of the
 * text itself (whitespace, and every punctuation or symbol character and CJK ideograph alone:
 * `punctuationWordTokens`), never either file's own tokens, so that both sides tag the same items.
 * A word takes the first span (in document order) that covers any part of it: B- on the span's
 * first such word, I- after; `conflicts` counts words that more than one span touches. `words` may
 * be passed in when both sides' tags of one text are wanted (the split is the costly part).
 */
export function wordTags(text: string, spans: readonly Span[], words: TokenOffsets = punctuationWordTokens(text)): { tags: string[]; conflicts: number } {
  const tags = new Array<string>(words.length).fill('O');
  const touched = new Uint8Array(words.length);
  let conflicts = 0;
  for (const span of [...spans].sort(compareSpans)) {
    // First word that ends after the span starts (binary search: words are in order).
    let low = 0;
    let high = words.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (words[middle]![1] <= span.start) low = middle + 1;
      else high = middle;
    }
    let first = true;
    for (let i = low; i < words.length && words[i]![0] < span.end; i++) {
      if (touched[i]) {
        if (touched[i] === 1) conflicts++;
        touched[i] = 2;
        continue;
      }
      touched[i] = 1;
      tags[i] = `${first ? 'B' : 'I'}-${span.label}`;
      first = false;
    }
  }
  return { tags, conflicts };
}
