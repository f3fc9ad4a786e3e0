import { labelProblem, type Span } from '../../core/data/annotation';
import { entityType } from '../ner/labelColors';

/** What the merge needs of a model entity (see DocumentEntity). */
export interface Prediction {
  id: number;
  start: number;
  end: number;
  /** HF entity_group, or a B-/I- tag with aggregation strategy "none". */
  label: string;
  /** The document text the prediction covers. */
  text: string;
}

export interface AcceptPlan {
  /** New annotations: spans in the store's shape with their text. */
  accepted: Array<Span & { text: string }>;
  /** Predictions that repeat an annotation exactly (same range and label). */
  duplicates: number;
  /** Predictions that overlap an annotation with another range or label: the annotation wins. */
  conflicts: Prediction[];
  /** Predictions labelled "O" or with a label that cannot be stored. */
  ignored: number;
}

/**
 * Predictions of strategy "none" come one per token (B-PER "Mer", I-PER "##kel"): tokens that
 * continue an entity of their type (I- after B-/I- of that type, nothing but spaces between, on one
 * line) join it, so that accepting gives one span per entity as the grouping strategies do.
 */
export function joinTokenPredictions(predictions: readonly Prediction[], documentGap: (from: number, to: number) => string): Prediction[] {
  const sorted = [...predictions].sort((a, b) => a.start - b.start || a.end - b.end);
  const joined: Prediction[] = [];
  for (const prediction of sorted) {
    const previous = joined[joined.length - 1];
    const continues = /^[IE]-/.test(prediction.label) || /^L-/.test(prediction.label);
    if (
      previous &&
      continues &&
      entityType(previous.label) === entityType(prediction.label) &&
      previous.end <= prediction.start &&
      /^[^\S\r\n]*$/.test(documentGap(previous.end, prediction.start))
    ) {
      const gap = documentGap(previous.end, prediction.start);
      joined[joined.length - 1] = { ...previous, end: prediction.end, text: previous.text + gap + prediction.text };
      continue;
    }
    joined.push({ ...prediction });
  }
  return joined;
}

/**
 * Which predictions become annotations, in the spirit of Prodigy's ner.correct: the model proposes,
 * the person's own labels are never overwritten. The label kept is the entity type (B-/I- dropped).
 * Predictions that overlap each other (not produced by the pipelines, but possible from a merge of
 * runs) are taken first come, first served.
 */
export function planAccept(annotations: readonly Span[], predictions: readonly Prediction[]): AcceptPlan {
  const plan: AcceptPlan = { accepted: [], duplicates: 0, conflicts: [], ignored: 0 };
  const taken: Span[] = [...annotations];
  for (const prediction of [...predictions].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const label = entityType(prediction.label);
    if (label === 'O' || labelProblem(label) !== undefined || prediction.end <= prediction.start) {
      plan.ignored++;
      continue;
    }
    if (annotations.some((span) => span.start === prediction.start && span.end === prediction.end && span.label === label)) {
      plan.duplicates++;
      continue;
    }
    if (plan.accepted.some((span) => span.start === prediction.start && span.end === prediction.end && span.label === label)) {
      plan.duplicates++;
      continue;
    }
    if (taken.some((span) => span.start < prediction.end && span.end > prediction.start)) {
      plan.conflicts.push(prediction);
      continue;
    }
    const span = { start: prediction.start, end: prediction.end, label, text: prediction.text };
    plan.accepted.push(span);
    taken.push(span);
  }
  return plan;
}

/** One line for the user about an accept. */
export function describeAccept(plan: AcceptPlan): string {
  const parts = [`${plan.accepted.length} prediction${plan.accepted.length === 1 ? '' : 's'} accepted as annotations`];
  if (plan.duplicates > 0) parts.push(`${plan.duplicates} already annotated`);
  if (plan.conflicts.length > 0) parts.push(`${plan.conflicts.length} skipped: they overlap an annotation with another range or label (your annotation is kept)`);
  if (plan.ignored > 0) parts.push(`${plan.ignored} ignored (label O or not a valid label)`);
  return parts.join('; ');
}
