import { compareSpans, sha256OfText, type CategoryScope, type Span } from './annotation';
import { CategoryKappaCounter, compareCategoryDecisions, sameAccepted, type CategoryKappa } from './agreementCategories';
import type { AgreementDocument } from './agreementInput';
import { KappaCounter, type KappaResult } from './agreementKappa';
import { punctuationWordTokens } from './wordTokens';
import { matchSpans, spanDisagreements, wordTags, type SpanDisagreementKind } from './agreementSpans';

/**
 * Agreement between two annotators' documents, A the reference: span precision / recall / F1 per
 * label and overall (exact and overlapping, see agreementSpans.ts), Cohen's κ on word tags and on
 * text categories, and every disagreement with its place. Documents are paired first by their own
 * `meta.path` (the same path with another text is reported, not compared), then the rest by the
 * SHA-256 of their text (the n-th copy of a text in A with the n-th in B); what stays unpaired is
 * listed per side, never dropped silently.
 */

export interface DocumentRef {
  path: string;
  /** 1-based line of the record in its file (0 when unknown). */
  line: number;
}

export interface SpanScores {
  /** matched / spans of B; null when B has none. */
  precision: number | null;
  /** matched / spans of A; null when A has none. */
  recall: number | null;
  /** 2·matched / (spans of A + spans of B), the harmonic mean of P and R; null when neither side has spans. */
  f1: number | null;
  matched: number;
  a: number;
  b: number;
}

export interface SpanAgreement {
  overall: SpanScores;
  perLabel: Record<string, SpanScores>;
}

/** A place in a document's text: UTF-16 offsets, and 1-based line and column (UTF-16 units) of `start`. */
export interface TextPlace {
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface SpanSide extends TextPlace {
  label: string;
  text: string;
}

interface DisagreementBase {
  /** A's meta.path of the document (B's for a document matched by text under another path is `pathB`). */
  path: string;
  pathB?: string;
  /** Lines of the two records in their files. */
  recordLine: { a: number; b: number };
}

export interface SpanDisagreement extends DisagreementBase {
  kind: SpanDisagreementKind;
  a?: SpanSide;
  b?: SpanSide;
}

export interface CategoryDisagreement extends DisagreementBase, TextPlace {
  /** 'category': both decided differently; the others: only one side decided on the range. */
  kind: 'category' | 'category-only-a' | 'category-only-b';
  scope: CategoryScope;
  a?: string[];
  b?: string[];
}

export type Disagreement = SpanDisagreement | CategoryDisagreement;

export function isCategoryDisagreement(d: Disagreement): d is CategoryDisagreement {
  return d.kind === 'category' || d.kind === 'category-only-a' || d.kind === 'category-only-b';
}

export interface AgreementReport {
  documents: {
    a: number;
    b: number;
    matchedByPath: number;
    matchedByText: number;
    onlyInA: DocumentRef[];
    onlyInB: DocumentRef[];
    /** The same own meta.path on both sides with different texts: not compared. */
    textDiffers: Array<{ path: string; lineA: number; lineB: number }>;
  };
  spans: { exact: SpanAgreement; overlap: SpanAgreement };
  kappa: {
    /** Over the IOB2 tags of every word of the compared documents (see wordTags). */
    tokens: KappaResult & { tokenization: 'bert-basic-words'; conflicts: { a: number; b: number } };
    categories: CategoryKappa;
  };
  categories: { compared: number; agreed: number; onlyInA: number; onlyInB: number };
  disagreements: Disagreement[];
}

interface Pair {
  a: AgreementDocument;
  b: AgreementDocument;
}

/** Pairs documents by own path, then by text hash; see the file comment. */
export function pairDocuments(a: readonly AgreementDocument[], b: readonly AgreementDocument[]): {
  pairs: Pair[];
  byPath: number;
  onlyA: AgreementDocument[];
  onlyB: AgreementDocument[];
  textDiffers: Array<{ a: AgreementDocument; b: AgreementDocument }>;
} {
  const pairs: Pair[] = [];
  const textDiffers: Array<{ a: AgreementDocument; b: AgreementDocument }> = [];
  const pathsB = new Map(b.filter((d) => d.ownPath).map((d) => [d.meta.path, d]));
  const usedB = new Set<AgreementDocument>();
  const restA: AgreementDocument[] = [];
  for (const document of a) {
    const other = document.ownPath ? pathsB.get(document.meta.path) : undefined;
    if (!other) restA.push(document);
    else {
      usedB.add(other);
      if (other.text === document.text) pairs.push({ a: document, b: other });
      else textDiffers.push({ a: document, b: other });
    }
  }
  const byPath = pairs.length;
  const byHash = new Map<string, AgreementDocument[]>();
  for (const document of b) {
    if (usedB.has(document)) continue;
    const hash = sha256OfText(document.text);
    const list = byHash.get(hash);
    if (list) list.push(document);
    else byHash.set(hash, [document]);
  }
  const onlyA: AgreementDocument[] = [];
  for (const document of restA) {
    const other = byHash.get(sha256OfText(document.text))?.shift();
    if (other) {
      pairs.push({ a: document, b: other });
      usedB.add(other);
    } else onlyA.push(document);
  }
  return { pairs, byPath, onlyA, onlyB: b.filter((d) => !usedB.has(d)), textDiffers };
}

/** 1-based line and column (UTF-16 units) of offsets into one text; line starts found once. */
function placer(text: string): (start: number, end: number) => TextPlace {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (start, end) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= start) low = middle;
      else high = middle - 1;
    }
    return { start, end, line: low + 1, column: start - starts[low]! + 1 };
  };
}

class SpanTally {
  private readonly perLabel = new Map<string, { matched: number; a: number; b: number }>();

  private entry(label: string): { matched: number; a: number; b: number } {
    let entry = this.perLabel.get(label);
    if (!entry) this.perLabel.set(label, (entry = { matched: 0, a: 0, b: 0 }));
    return entry;
  }

  add(a: readonly Span[], b: readonly Span[], matched: ReadonlyArray<readonly [number, number]>): void {
    for (const span of a) this.entry(span.label).a++;
    for (const span of b) this.entry(span.label).b++;
    for (const [i] of matched) this.entry(a[i]!.label).matched++;
  }

  result(): SpanAgreement {
    const total = { matched: 0, a: 0, b: 0 };
    const perLabel: Record<string, SpanScores> = {};
    for (const label of [...this.perLabel.keys()].sort()) {
      const entry = this.perLabel.get(label)!;
      perLabel[label] = scores(entry);
      total.matched += entry.matched;
      total.a += entry.a;
      total.b += entry.b;
    }
    return { overall: scores(total), perLabel };
  }
}

function scores({ matched, a, b }: { matched: number; a: number; b: number }): SpanScores {
  return {
    precision: b > 0 ? matched / b : null,
    recall: a > 0 ? matched / a : null,
    f1: a + b > 0 ? (2 * matched) / (a + b) : null,
    matched,
    a,
    b,
  };
}

function placeOf(d: Disagreement): TextPlace {
  return isCategoryDisagreement(d) ? d : (d.a ?? d.b)!;
}

function ref(document: AgreementDocument): DocumentRef {
  return { path: document.meta.path, line: document.line };
}

export function computeAgreement(a: readonly AgreementDocument[], b: readonly AgreementDocument[]): AgreementReport {
  const paired = pairDocuments(a, b);
  const exact = new SpanTally();
  const overlap = new SpanTally();
  const tokenKappa = new KappaCounter();
  const categoryKappa = new CategoryKappaCounter();
  const conflicts = { a: 0, b: 0 };
  const categories = { compared: 0, agreed: 0, onlyInA: 0, onlyInB: 0 };
  const disagreements: Disagreement[] = [];
  for (const { a: docA, b: docB } of paired.pairs) {
    const firstOfDocument = disagreements.length;
    const text = docA.text;
    const place = placer(text);
    const base: DisagreementBase = { path: docA.meta.path, recordLine: { a: docA.line, b: docB.line } };
    if (docB.meta.path !== docA.meta.path) base.pathB = docB.meta.path;
    const spansA = [...docA.spans].sort(compareSpans);
    const spansB = [...docB.spans].sort(compareSpans);
    const matching = matchSpans(spansA, spansB);
    exact.add(spansA, spansB, matching.exact);
    overlap.add(spansA, spansB, matching.overlap);
    const side = (span: Span | undefined): SpanSide | undefined =>
      span && { ...place(span.start, span.end), label: span.label, text: text.slice(span.start, span.end) };
    for (const pair of spanDisagreements(spansA, spansB, matching.exact)) {
      const entry: SpanDisagreement = { ...base, kind: pair.kind };
      if (pair.a) entry.a = side(pair.a);
      if (pair.b) entry.b = side(pair.b);
      disagreements.push(entry);
    }
    const words = punctuationWordTokens(text);
    const tagsA = wordTags(text, spansA, words);
    const tagsB = wordTags(text, spansB, words);
    tagsA.tags.forEach((tag, i) => tokenKappa.add(tag, tagsB.tags[i]!));
    conflicts.a += tagsA.conflicts;
    conflicts.b += tagsB.conflicts;

    const decisions = compareCategoryDecisions(docA.categories ?? [], docB.categories ?? []);
    for (const { a: decisionA, b: decisionB } of decisions.pairs) {
      categoryKappa.add(decisionA, decisionB);
      categories.compared++;
      if (sameAccepted(decisionA, decisionB)) categories.agreed++;
      else disagreements.push({ ...base, ...place(decisionA.start, decisionA.end), kind: 'category', scope: decisionA.scope, a: [...decisionA.accept], b: [...decisionB.accept] });
    }
    for (const decision of decisions.onlyA) disagreements.push({ ...base, ...place(decision.start, decision.end), kind: 'category-only-a', scope: decision.scope, a: [...decision.accept] });
    for (const decision of decisions.onlyB) disagreements.push({ ...base, ...place(decision.start, decision.end), kind: 'category-only-b', scope: decision.scope, b: [...decision.accept] });
    categories.onlyInA += decisions.onlyA.length;
    categories.onlyInB += decisions.onlyB.length;
    // A document's disagreements in text order (spans and categories interleaved; sort is stable).
    const ofDocument = disagreements.splice(firstOfDocument).sort((x, y) => placeOf(x).start - placeOf(y).start);
    disagreements.push(...ofDocument);
  }
  return {
    documents: {
      a: a.length,
      b: b.length,
      matchedByPath: paired.byPath,
      matchedByText: paired.pairs.length - paired.byPath,
      onlyInA: paired.onlyA.map(ref),
      onlyInB: paired.onlyB.map(ref),
      textDiffers: paired.textDiffers.map(({ a: docA, b: docB }) => ({ path: docA.meta.path, lineA: docA.line, lineB: docB.line })),
    },
    spans: { exact: exact.result(), overlap: overlap.result() },
    kappa: { tokens: { ...tokenKappa.result(), tokenization: 'bert-basic-words', conflicts }, categories: categoryKappa.result() },
    categories,
    disagreements,
  };
}
