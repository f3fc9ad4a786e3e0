import { assignColorSlots, entityType } from '../ner/labelColors';
import type { TrackedCategories } from './documentCategories';
import type { TrackedSpan } from './trackedSpans';

/** What the Entities view lists: model predictions, the user's annotations, or both. */
export type EntityFilter = 'all' | 'predictions' | 'annotations';

export const ENTITY_FILTERS: ReadonlyArray<{ filter: EntityFilter; label: string; detail: string }> = [
  { filter: 'all', label: 'Predictions and annotations', detail: 'model entities grouped by label, then an Annotations group' },
  { filter: 'predictions', label: 'Predictions only', detail: 'the entities the model recognised' },
  { filter: 'annotations', label: 'Annotations only', detail: 'the spans you labelled' },
];

/** What the Entities view needs from the annotation side (implemented by the annotation feature). */
export interface AnnotationTreeSource {
  filter(): EntityFilter;
  /** The annotations of a document (key: its URI as a string), or undefined when it has none loaded. */
  spans(key: string): readonly TrackedSpan[] | undefined;
  /** The text-category decisions of a document, or undefined when it has none loaded. */
  categories?(key: string): readonly TrackedCategories[] | undefined;
  /** Colour slot per label for a document's annotations (the same colours as its decorations). */
  slots(key: string): ReadonlyMap<string, string>;
}

export interface AnnotationGroup {
  label: string;
  slot: string | undefined;
  count: number;
  /** In document order, at most `limit`. */
  spans: TrackedSpan[];
  hidden: number;
}

/**
 * Colour slots for annotation labels: a label the document's predictions have keeps the colour
 * they use; the CoNLL types keep their own; any other label takes a palette slot in label-set order.
 */
export function annotationSlots(predictionSlots: ReadonlyMap<string, string>, labels: readonly string[]): Map<string, string> {
  const own = assignColorSlots([], labels.filter((label) => !predictionSlots.has(entityType(label))));
  const slots = new Map<string, string>();
  for (const label of labels) {
    const slot = predictionSlots.get(entityType(label)) ?? own.get(entityType(label));
    if (slot) slots.set(label, slot);
  }
  return slots;
}

/** Annotations grouped by label for the tree: label-slot order first, then alphabetical; `limit` rows per group. */
export function groupAnnotations(spans: readonly TrackedSpan[], slots: ReadonlyMap<string, string>, limit = 1000): AnnotationGroup[] {
  const byLabel = new Map<string, TrackedSpan[]>();
  for (const span of spans) {
    let list = byLabel.get(span.label);
    if (!list) byLabel.set(span.label, (list = []));
    list.push(span);
  }
  const order = [...slots.keys()];
  const rank = (label: string): number => {
    const index = order.indexOf(label);
    return index < 0 ? order.length : index;
  };
  return [...byLabel.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([label, list]) => {
      const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
      return { label, slot: slots.get(label), count: sorted.length, spans: sorted.slice(0, limit), hidden: Math.max(0, sorted.length - limit) };
    });
}
