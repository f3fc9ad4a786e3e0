import type { Span, TextCategories } from '../../core/data/annotation';
import { toggleCategory, type CategoryRange, type CategorySet } from '../../core/data/categoryEdits';
import { CLOSED_RANGE, type ReviewCandidate } from '../../core/data/reviewQueue';
import type { ScoreKind } from '../../worker/taskJobKinds';
import { predictedLabels } from '../tasks/classification/labelScores';
import type { ClassificationResult } from './acceptClassifications';
import type { AnnotationModel } from './annotationModel';
import type { ReviewDocument, ReviewTarget } from './reviewSession';

/**
 * Review Classifications: the results of Classify Each Paragraph / Document / Selection reviewed one
 * item at a time with the review keys (Prodigy's textcat.correct). Whether the categories are
 * exclusive or multi-label is the label set's choice (`bertLens.annotation.categories.exclusive`),
 * and a result is reviewed only when its model reads the same way:
 * - exclusive set, single-label (softmax) model: each range is one item, the model's best label with
 *   its probability; an accept makes the exclusive decision of that range.
 * - multi-label set, multi-label (sigmoid) model: each (range, label) is one item, with the label's
 *   sigmoid score, so the review threshold picks the labels proposed exactly as it picks single-label
 *   proposals. An accept adds the label to the range's multi-label decision, keeping the labels
 *   already accepted there; a reject is remembered for that text and label only.
 *   Why an item per label and not the range's set with toggles: the review queue, its keys (accept /
 *   reject / change label / skip), the remembered rejections (a text and a label) and the progress
 *   count all work on one label at a time already; a set would need a second kind of item and
 *   decision ("accepted 2 of 3"), and a rejection of a set would say nothing about which label was
 *   wrong. Items of one range follow each other, best score first, so a paragraph is still reviewed
 *   in one go.
 * A result of the other kind is left out with the reason (and the command offers to switch the set).
 */

/** What a review needs of the label set: whether its categories are exclusive. */
export type CategoryChoice = Pick<CategorySet, 'exclusive'>;

export interface CategoryCandidates {
  candidates: ReviewCandidate[];
  /** The labels "change label" offers: every label of the reviewed results' models. */
  labels: string[];
  /** Why results were left out (the other kind than the label set, regression), one line each. */
  skipped: string[];
  /** Results left out only because the label set is the other kind: switching the set would review them. */
  otherKind: number;
}

const SCOPES = { document: 'document', selection: 'selection', paragraphs: 'paragraph' } as const;

const SET_SETTING = 'bertLens.annotation.categories.exclusive';

export function categoryReviewCandidates(results: readonly ClassificationResult[], text: string, set: CategoryChoice): CategoryCandidates {
  const candidates: ReviewCandidate[] = [];
  const labels: string[] = [];
  const skipped: string[] = [];
  let otherKind = 0;
  const wanted: ScoreKind = set.exclusive ? 'softmax' : 'sigmoid';
  for (const result of results) {
    if (result.scoreKind === 'none') {
      skipped.push(`the ${result.scope} result of ${result.modelDescription} is a regression score`);
      continue;
    }
    if (result.scoreKind !== wanted) {
      otherKind++;
      skipped.push(
        result.scoreKind === 'sigmoid'
          ? `the ${result.scope} result of ${result.modelDescription} is multi-label (sigmoid scores), but the text categories are exclusive (${SET_SETTING} is true)`
          : `the ${result.scope} result of ${result.modelDescription} is single-label (softmax scores), but the text categories are multi-label (${SET_SETTING} is false)`,
      );
      continue;
    }
    for (const label of result.labels) if (!labels.includes(label)) labels.push(label);
    for (const span of result.spans) {
      const start = result.scope === 'document' ? 0 : span.start;
      const end = result.scope === 'document' ? text.length : span.end;
      if (!(end > start)) continue;
      // Single-label: the best label. Multi-label: every label, best first; the queue keeps those at or above the review threshold.
      const proposed = result.scoreKind === 'softmax' ? predictedLabels(span.results, result) : [...span.results].sort((a, b) => b.score - a.score);
      for (const { label, score } of proposed) {
        if (!labels.includes(label)) labels.push(label);
        candidates.push({ start, end, label, score, text: text.slice(start, end) });
      }
    }
  }
  return { candidates, labels, skipped, otherKind };
}

/** The scope a candidate's range has: the document's whole text, else a paragraph of Classify Each Paragraph, else a selection. */
function scopeOf(results: readonly ClassificationResult[], start: number, end: number, textLength: number): TextCategories['scope'] {
  if (start === 0 && end === textLength && results.some((r) => r.scope === 'document')) return 'document';
  for (const result of results) {
    if (result.scope !== 'document' && result.spans.some((span) => span.start === start && span.end === end)) return SCOPES[result.scope];
  }
  return 'selection';
}

/**
 * Accepted classifications become text-category decisions with the model's labels as the options:
 * exclusive decisions (the accepted label replaces the range's decision), or, for a multi-label set,
 * the label added to the range's multi-label decision beside those already accepted.
 */
export function categoryTarget(model: AnnotationModel, document: ReviewDocument, results: readonly ClassificationResult[], labels: readonly string[], set: CategoryChoice = { exclusive: true }): ReviewTarget {
  const rangeOf = (item: { start: number; end: number }): CategoryRange => ({
    start: item.start,
    end: item.end,
    scope: scopeOf(results, item.start, item.end, document.getText().length),
  });
  const decisionOf = (range: CategoryRange): TextCategories | undefined =>
    model.categories(document.key)?.find((c) => c.start === range.start && c.end === range.end && c.scope === range.scope);
  const multiLabelSet: CategorySet = { labels: [...labels], exclusive: false };
  const exclusive: ReviewTarget = {
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
      const current = decisionOf(range);
      // Only the decision the review made goes: one the person changed since stays.
      if (current && current.accept.length === 1 && current.accept[0] === label) await model.setCategories(document.key, range, undefined);
    },
  };
  if (set.exclusive) return exclusive;
  return {
    severalLabelsPerRange: true,
    async annotations() {
      if (!model.has(document.key)) await model.open(document);
      if (!(await model.ready(document.key))) return undefined;
      const spans: Span[] = [];
      for (const decision of model.categories(document.key) ?? []) {
        // A multi-label decision takes more labels: its accepted ones are "already annotated", the others
        // are proposed. An exclusive decision, or one that says none applies, closes its range.
        if (!decision.multiLabel || decision.accept.length === 0) spans.push({ start: decision.start, end: decision.end, label: CLOSED_RANGE });
        else for (const label of decision.accept) spans.push({ start: decision.start, end: decision.end, label });
      }
      return spans;
    },
    async apply(item, label) {
      const range = rangeOf(item);
      const current = decisionOf(range);
      if (current?.accept.includes(label)) return;
      if (current && !current.multiLabel) throw new Error(`${range.scope} "${item.text.slice(0, 40)}" has an exclusive decision (${current.accept.join(', ') || 'none'}) now; ${label} was not added`);
      await model.setCategories(document.key, range, toggleCategory(current, range, multiLabelSet, label));
    },
    async undo(item, label) {
      const range = rangeOf(item);
      const current = decisionOf(range);
      // Only the label goes; the others accepted on the range stay (a decision left with none is removed).
      if (current?.multiLabel && current.accept.includes(label)) await model.setCategories(document.key, range, toggleCategory(current, range, multiLabelSet, label));
    },
  };
}
