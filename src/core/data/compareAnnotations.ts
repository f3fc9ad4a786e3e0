import { computeAgreement, isCategoryDisagreement, pairDocuments, type Disagreement, type SpanSide } from './agreement';
import type { AgreementDocument, AgreementInput } from './agreementInput';
import type { Span, TextCategories } from './annotation';

/**
 * "Compare Annotations with…" for one open document: the record of another annotator's file (a
 * store or an export) that is this document — by its workspace path, else by its exact text, as
 * `bert-lens agreement` pairs them — and the disagreements, the open document being A. Stepping
 * through them is `disagreementAfter`. The editor adapter only draws what this returns.
 */

export interface ComparedDocument {
  /** Workspace-relative path (the store's key). */
  path: string;
  text: string;
  spans: readonly Span[];
  categories?: readonly TextCategories[];
}

export interface DocumentComparison {
  /** The other file's record of this document. */
  other: AgreementDocument;
  matchedBy: 'path' | 'text';
  /** In document order. */
  disagreements: Disagreement[];
  /** Spans both sides have with the same start, end and label. */
  agreedSpans: number;
}

export function compareWithOther(current: ComparedDocument, other: AgreementInput, otherName: string): DocumentComparison | { reason: string } {
  if (other.errors.length > 0) {
    const [first] = other.errors;
    // As the CLI: agreement with a file read in part would mislead.
    return { reason: `${first!.file}:${first!.line}: ${first!.message}${other.errors.length > 1 ? ` (and ${other.errors.length - 1} more problem(s))` : ''}` };
  }
  const here: AgreementDocument = {
    text: current.text,
    spans: [...current.spans],
    meta: { path: current.path },
    ...(current.categories && current.categories.length > 0 ? { categories: [...current.categories] } : {}),
    line: 0,
    ownPath: true,
  };
  const paired = pairDocuments([here], other.documents);
  const pair = paired.pairs[0];
  if (!pair) {
    const differs = paired.textDiffers[0];
    if (differs) {
      return { reason: `${otherName} (line ${differs.b.line}) has ${current.path} with another text (the file changed since it was annotated there): not compared` };
    }
    return { reason: `${otherName} has no record of ${current.path} (none with its path or its exact text; ${other.documents.length} document(s) read)` };
  }
  const report = computeAgreement([here], [pair.b]);
  return {
    other: pair.b,
    matchedBy: paired.byPath > 0 ? 'path' : 'text',
    disagreements: report.disagreements,
    agreedSpans: report.spans.exact.overall.matched,
  };
}

/** The range a disagreement covers in the document: both sides' spans together. */
export function disagreementRange(d: Disagreement): { start: number; end: number } {
  if (isCategoryDisagreement(d)) return { start: d.start, end: d.end };
  const sides = [d.a, d.b].filter((s): s is SpanSide => s !== undefined);
  return { start: Math.min(...sides.map((s) => s.start)), end: Math.max(...sides.map((s) => s.end)) };
}

const quoted = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
const labels = (list: readonly string[] | undefined): string => (list === undefined ? 'no decision' : list.length === 0 ? 'none' : list.join(' + '));

/** One line for a hover, a list or the status bar; `otherName` names the other file. */
export function describeDisagreement(d: Disagreement, otherName: string): string {
  if (isCategoryDisagreement(d)) {
    return `${d.scope} categories: here ${labels(d.a)}, ${otherName} ${labels(d.b)}`;
  }
  const side = (s: SpanSide | undefined): string => (s ? `${s.label} ${quoted(s.text)}` : 'nothing');
  switch (d.kind) {
    case 'label':
      return `another label: here ${d.a!.label}, ${otherName} ${d.b!.label} (${quoted(d.a!.text)})`;
    case 'boundary':
      return `other boundaries: here ${side(d.a)}, ${otherName} ${side(d.b)}`;
    case 'boundary-and-label':
      return `other boundaries and label: here ${side(d.a)}, ${otherName} ${side(d.b)}`;
    case 'only-a':
      return `only here: ${side(d.a)} (${otherName} has nothing)`;
    case 'only-b':
      return `only in ${otherName}: ${side(d.b)}`;
  }
}

/**
 * The index of the disagreement to go to from `offset`: the first starting after it (`next`) or the
 * last starting before it (`previous`), wrapping around; undefined when there are none.
 */
export function disagreementAfter(disagreements: readonly Disagreement[], offset: number, direction: 'next' | 'previous'): number | undefined {
  if (disagreements.length === 0) return undefined;
  const starts = disagreements.map((d) => disagreementRange(d).start);
  if (direction === 'next') {
    const index = starts.findIndex((start) => start > offset);
    return index === -1 ? 0 : index;
  }
  for (let i = starts.length - 1; i >= 0; i--) if (starts[i]! < offset) return i;
  return starts.length - 1;
}
