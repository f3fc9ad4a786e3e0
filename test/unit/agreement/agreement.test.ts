import { describe, expect, it } from 'vitest';
import type { Span, TextCategories } from '../../../src/core/data/annotation';
import { computeAgreement, pairDocuments } from '../../../src/core/data/agreement';
import type { AgreementDocument } from '../../../src/core/data/agreementInput';

const s = (start: number, end: number, label: string): Span => ({ start, end, label });

function doc(text: string, spans: Span[], path: string, extra: Partial<AgreementDocument> = {}): AgreementDocument {
  return { text, spans, meta: { path }, line: 1, ownPath: true, ...extra };
}

function choice(text: string, accept: string[], options = ['POS', 'NEG'], multiLabel = false): TextCategories[] {
  return [{ start: 0, end: text.length, scope: 'document', options, multiLabel, accept }];
}

// Words (BERT basic split): Ann met Bob in Rome .
const TEXT = 'Ann met Bob in Rome.';
const A_SPANS = [s(0, 3, 'PER'), s(8, 11, 'PER'), s(15, 19, 'LOC')];
const B_SPANS = [s(0, 3, 'PER'), s(8, 11, 'ORG')];

describe('computeAgreement: spans and word κ', () => {
  it('matches hand-computed P/R/F1 per label and overall, and κ on word tags', () => {
    const report = computeAgreement([doc(TEXT, A_SPANS, 'x.txt')], [doc(TEXT, B_SPANS, 'x.txt')]);
    // Exact: only Ann/PER matches. Overall P = 1/2, R = 1/3, F1 = 2·1/(3+2) = 0.4.
    expect(report.spans.exact.overall).toEqual({ precision: 0.5, recall: 1 / 3, f1: 0.4, matched: 1, a: 3, b: 2 });
    // PER: A 2, B 1, matched 1 → P 1, R 1/2, F1 2/3. LOC: B has none → P null, R 0, F1 0. ORG: only B.
    expect(report.spans.exact.perLabel).toEqual({
      LOC: { precision: null, recall: 0, f1: 0, matched: 0, a: 1, b: 0 },
      ORG: { precision: 0, recall: null, f1: 0, matched: 0, a: 0, b: 1 },
      PER: { precision: 1, recall: 0.5, f1: 2 / 3, matched: 1, a: 2, b: 1 },
    });
    // Tags A: B-PER O B-PER O B-LOC O; B: B-PER O B-ORG O O O. Agree on 4 of 6: po = 2/3.
    // A: B-PER 2, O 3, B-LOC 1; B: B-PER 1, O 4, B-ORG 1. pe = (2·1 + 3·4)/36 = 7/18.
    // κ = (2/3 − 7/18) / (1 − 7/18) = (5/18) / (11/18) = 5/11.
    const tokens = report.kappa.tokens;
    expect(tokens.items).toBe(6);
    expect(tokens.observed).toBeCloseTo(2 / 3, 12);
    expect(tokens.expected).toBeCloseTo(7 / 18, 12);
    expect(tokens.kappa).toBeCloseTo(5 / 11, 12);
    expect(tokens.tokenization).toBe('bert-basic-words');
  });

  it('overlapping F1 and word κ on split spans, by hand', () => {
    const text = 'New York City is big';
    const report = computeAgreement([doc(text, [s(0, 13, 'LOC')], 'p')], [doc(text, [s(0, 8, 'LOC'), s(9, 13, 'LOC')], 'p')]);
    expect(report.spans.exact.overall.f1).toBe(0);
    // One to one: the A span matches one B span. P = 1/2, R = 1/1, F1 = 2·1/(1+2) = 2/3.
    expect(report.spans.overlap.overall).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, matched: 1, a: 1, b: 2 });
    // Tags A: B I I O O; B: B I B O O. po = 4/5. A: B 1, I 2, O 2; B: B 2, I 1, O 2.
    // pe = (1·2 + 2·1 + 2·2)/25 = 8/25; κ = (4/5 − 8/25)/(17/25) = 12/17.
    expect(report.kappa.tokens.kappa).toBeCloseTo(12 / 17, 12);
    expect(report.disagreements.map((d) => d.kind)).toEqual(['boundary', 'only-b']);
  });

  it('identical annotations: F1 1 exact and overlapping, κ 1, no disagreements', () => {
    const docs = [doc(TEXT, A_SPANS, 'x.txt', { categories: choice(TEXT, ['POS']) }), doc('Sad day in Oslo.', [s(11, 15, 'LOC')], 'y.txt', { categories: choice('Sad day in Oslo.', ['NEG']) })];
    const report = computeAgreement(docs, docs.map((d) => ({ ...d })));
    expect(report.spans.exact.overall.f1).toBe(1);
    expect(report.spans.overlap.overall.f1).toBe(1);
    expect(report.kappa.tokens.kappa).toBeCloseTo(1, 12);
    expect(report.kappa.categories.exclusive.kappa).toBeCloseTo(1, 12);
    expect(report.kappa.categories.labels.kappa).toBeCloseTo(1, 12);
    expect(report.disagreements).toEqual([]);
  });

  it('disjoint labels: F1 0 for every label, each span a label disagreement', () => {
    const report = computeAgreement([doc(TEXT, A_SPANS, 'x')], [doc(TEXT, A_SPANS.map((sp) => ({ ...sp, label: `${sp.label}2` })), 'x')]);
    expect(report.spans.exact.overall).toMatchObject({ f1: 0, matched: 0, a: 3, b: 3 });
    expect(report.spans.overlap.overall.f1).toBe(0);
    expect(Object.keys(report.spans.exact.perLabel)).toEqual(['LOC', 'LOC2', 'PER', 'PER2']);
    for (const scores of Object.values(report.spans.exact.perLabel)) expect(scores.f1).toBe(0);
    expect(report.disagreements.map((d) => d.kind)).toEqual(['label', 'label', 'label']);
    // Every entity word disagrees: po = 3/6; A: B-PER 2, B-LOC 1, O 3; B the same with other names:
    // pe = (3·3)/36 = 1/4 (only O is shared); κ = (1/2 − 1/4)/(3/4) = 1/3.
    expect(report.kappa.tokens.kappa).toBeCloseTo(1 / 3, 12);
  });

  it('places disagreements by offsets and 1-based line:column in the document', () => {
    const text = 'First line.\nThen Ann 🙂 met Bob.';
    // "Bob" starts at UTF-16 offset 12 + 16 = 28 (the emoji is two code units): line 2, column 17.
    const start = text.indexOf('Bob');
    const report = computeAgreement([doc(text, [s(start, start + 3, 'PER')], 'e')], [doc(text, [], 'e', { line: 7 })]);
    expect(report.disagreements).toEqual([
      { kind: 'only-a', path: 'e', recordLine: { a: 1, b: 7 }, a: { start: 28, end: 31, line: 2, column: 17, label: 'PER', text: 'Bob' } },
    ]);
  });
});

describe('computeAgreement: text categories', () => {
  it('κ on exclusive choices and per label, by hand', () => {
    const texts = ['one', 'two', 'three', 'four'];
    const a = ['POS', 'POS', 'NEG', 'NEG'];
    const b = ['POS', 'NEG', 'NEG', 'NEG'];
    const report = computeAgreement(
      texts.map((t, i) => doc(t, [], t, { categories: choice(t, [a[i]!]) })),
      texts.map((t, i) => doc(t, [], t, { categories: choice(t, [b[i]!]) })),
    );
    // Exclusive: po = 3/4; A POS 1/2 NEG 1/2; B POS 1/4 NEG 3/4; pe = 1/8 + 3/8 = 1/2; κ = (3/4 − 1/2)/(1/2) = 1/2.
    expect(report.kappa.categories.exclusive).toEqual({ items: 4, observed: 0.75, expected: 0.5, kappa: 0.5 });
    // POS yes/no: A y y n n, B y n n n: po 3/4, pe = (1/2)(1/4) + (1/2)(3/4) = 1/2, κ 1/2; NEG likewise.
    // Pooled: 8 items, 6 agree; A yes 4/8, B yes 4/8: pe 1/2, κ 1/2.
    expect(report.kappa.categories.perLabel.POS!.kappa).toBeCloseTo(0.5, 12);
    expect(report.kappa.categories.perLabel.NEG!.kappa).toBeCloseTo(0.5, 12);
    expect(report.kappa.categories.labels).toMatchObject({ items: 8, observed: 0.75, kappa: 0.5 });
    expect(report.categories).toEqual({ compared: 4, agreed: 3, onlyInA: 0, onlyInB: 0 });
    expect(report.disagreements).toEqual([
      { kind: 'category', path: 'two', recordLine: { a: 1, b: 1 }, start: 0, end: 3, line: 1, column: 1, scope: 'document', a: ['POS'], b: ['NEG'] },
    ]);
  });

  it('multi-label decisions count per label; decisions on ranges only one side made are listed, not scored', () => {
    const text = 'Para one.\n\nPara two.';
    const options = ['SPORT', 'POLITICS', 'ECONOMY'];
    const a: TextCategories[] = [
      { start: 0, end: 9, scope: 'paragraph', options, multiLabel: true, accept: ['SPORT', 'POLITICS'] },
      { start: 11, end: 20, scope: 'paragraph', options, multiLabel: true, accept: ['ECONOMY'] },
    ];
    const b: TextCategories[] = [{ start: 0, end: 9, scope: 'paragraph', options, multiLabel: true, accept: ['SPORT'] }];
    const report = computeAgreement([doc(text, [], 'p', { categories: a })], [doc(text, [], 'p', { categories: b })]);
    // One compared range, three labels: SPORT y/y, POLITICS y/n, ECONOMY n/n → po 2/3.
    // A yes 2/3, B yes 1/3: pe = (2/3)(1/3) + (1/3)(2/3) = 4/9; κ = (2/3 − 4/9)/(5/9) = 2/5.
    expect(report.kappa.categories.labels.items).toBe(3);
    expect(report.kappa.categories.labels.kappa).toBeCloseTo(0.4, 12);
    expect(report.kappa.categories.exclusive.items).toBe(0);
    expect(report.categories).toEqual({ compared: 1, agreed: 0, onlyInA: 1, onlyInB: 0 });
    expect(report.disagreements.map((d) => [d.kind, 'line' in d ? d.line : undefined])).toEqual([['category', 1], ['category-only-a', 3]]);
  });
});

describe('pairing documents', () => {
  it('by own meta.path, then by text hash; same path with another text and one-sided documents are reported', () => {
    const a = [
      doc('alpha', [], 'a.txt', { line: 1 }),
      doc('beta', [], 'b.txt', { line: 2 }),
      doc('gamma', [], 'c.txt', { line: 3 }),
      doc('only in A', [], 'd.txt', { line: 4 }),
    ];
    const b = [
      doc('gamma', [], 'renamed/c.txt', { line: 1 }),
      doc('alpha', [], 'a.txt', { line: 2 }),
      doc('beta, edited', [], 'b.txt', { line: 3 }),
      doc('only in B', [], 'e.txt', { line: 4 }),
    ];
    const report = computeAgreement(a, b);
    expect(report.documents).toEqual({
      a: 4,
      b: 4,
      matchedByPath: 1,
      matchedByText: 1,
      onlyInA: [{ path: 'd.txt', line: 4 }],
      onlyInB: [{ path: 'e.txt', line: 4 }],
      textDiffers: [{ path: 'b.txt', lineA: 2, lineB: 3 }],
    });
  });

  it('never pairs generated paths (FILE#N) by path; repeated texts pair in order', () => {
    const a = [doc('same', [s(0, 4, 'X')], 'a.conll#1', { ownPath: false, line: 1 }), doc('same', [], 'a.conll#2', { ownPath: false, line: 3 })];
    const b = [doc('other', [], 'a.conll#1', { ownPath: false }), doc('same', [s(0, 4, 'X')], 'b.jsonl#5', { ownPath: false, line: 5 }), doc('same', [], 'b.jsonl#6', { ownPath: false, line: 6 })];
    const paired = pairDocuments(a, b);
    expect(paired.byPath).toBe(0);
    expect(paired.pairs.map((p) => [p.a.line, p.b.line])).toEqual([[1, 5], [3, 6]]);
    expect(paired.onlyB.map((d) => d.text)).toEqual(['other']);
    expect(computeAgreement(a, b).spans.exact.overall.f1).toBe(1);
  });
});
