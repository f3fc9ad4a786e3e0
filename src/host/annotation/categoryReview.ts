import type { Span, TextCategories } from '../../core/data/annotation';
import type { ReviewCandidate } from '../../core/data/reviewQueue';
import { predictedLabels } from '../tasks/classification/labelScores';
import type { ClassificationResult } from './acceptClassifications';
import type { AnnotationModel } from './annotationModel';
import type { ReviewDocument, ReviewTarget } from './reviewSession';

/**
 * Review Classifications: the results of Classify Each Paragraph / Document / Selection reviewed one
 * range at a time with the review keys (Prodigy's textcat.correct, one example at a time). Each
 * candidate is a range with the model's best label and its probability; an accept stores the label
 * as an exclusive text-category decision of that range. Only single-label (softmax) results are
 * reviewed this way: a multi-label result proposes a set of labels per range, which Accept
 * Classifications shows whole.
 */

export interface CategoryCandidates {
  candidates: ReviewCandidate[];
  /** The labels "change label" offers: every label of the reviewed results' models. */
  labels: string[];
  /** Why results were left out (multi-label, regression), one line each. */
  skipped: string[];
}

const SCOPES = { document: 'document', selection: 'selection', paragraphs: 'paragraph' } as const;

export function categoryReviewCandidates(results: readonly ClassificationResult[], text: string): CategoryCandidates {
  const candidates: ReviewCandidate[] = [];
  const labels: string[] = [];
  const skipped: string[] = [];
  for (const result of results) {
    if (result.scoreKind !== 'softmax') {
      skipped.push(`the ${result.scope} result of ${result.modelDescription} is ${result.scoreKind === 'sigmoid' ? 'multi-label (use Accept Classifications)' : 'a regression score'}`);
      continue;
    }
    for (const label of result.labels) if (!labels.includes(label)) labels.push(label);
    for (const span of result.spans) {
      const [best] = predictedLabels(span.results, result);
      if (!best) continue;
      const start = result.scope === 'document' ? 0 : span.start;
      const end = result.scope === 'document' ? text.length : span.end;
      if (!(end > start)) continue;
      candidates.push({ start, end, label: best.label, score: best.score, text: text.slice(start, end) });
    }
  }
  return { candidates, labels, skipped };
}

/** The scope a candidate's range has: the document's whole text, else a paragraph of Classify Each Paragraph, else a selection. */
function scopeOf(results: readonly ClassificationResult[], start: number, end: number, textLength: number): TextCategories['scope'] {
  if (start === 0 && end === textLength && results.some((r) => r.scope === 'document')) return 'document';
  for (const result of results) {
    if (result.scope !== 'document' && result.spans.some((span) => span.start === start && span.end === end)) return SCOPES[result.scope];
  }
  return 'selection';
}

/** Accepted classifications become exclusive text-category decisions with the model's labels as the options. */
export function categoryTarget(model: AnnotationModel, document: ReviewDocument, results: readonly ClassificationResult[], labels: readonly string[]): ReviewTarget {
  const rangeOf = (item: { start: number; end: number }): { start: number; end: number; scope: TextCategories['scope'] } => ({
    start: item.start,
    end: item.end,
    scope: scopeOf(results, item.start, item.end, document.getText().length),
  });
  return {
    async annotations() {
      if (!model.has(document.key)) await model.open(document);
      if (!(await model.ready(document.key))) return undefined;
      // Every decision of the person's is an annotation the review never proposes over.
      const spans: Span[] = [];
      for (const decision of model.categories(document.key) ?? []) {
        if (decision.accept.length === 0) spans.push({ start: decision.start, end: decision.end, label: '\u0000rejected' });
        for (const label of decision.accept) spans.push({ start: decision.start, end: decision.end, label });
      }
      return spans;
    },
    async apply(item, label) {
      const options = labels.includes(label) ? [...labels] : [...labels, label];
      await model.setCategories(document.key, rangeOf(item), { ...rangeOf(item), options, multiLabel: false, accept: [label] });
    },
    async undo(item, label) {
      const range = rangeOf(item);
      const current = model.categories(document.key)?.find((c) => c.start === range.start && c.end === range.end && c.scope === range.scope);
      // Only the decision the review made goes: one the person changed since stays.
      if (current && current.accept.length === 1 && current.accept[0] === label) await model.setCategories(document.key, range, undefined);
    },
  };
}
