import { mapSpanThroughChanges, type TextChange } from '../../ner/textChanges';

/** A result shown at a place in a document: its offsets and the text it was computed on. */
export interface AnchoredSpan {
  start: number;
  end: number;
  /** The document text the span covered when the model ran; checked whenever the span is moved. */
  text: string;
}

export interface ReanchoredSpans<T> {
  kept: T[];
  /** Spans whose text was edited, or is not found where the edits put it. */
  dropped: T[];
}

/**
 * Moves spans through the edits made since they were computed (as NER entities move): a span
 * survives only when no edit touched its text and — when `currentText` is given — the text at its
 * new place is exactly the text it had, so a result is never shown at a wrong place.
 */
export function reanchorSpans<T extends AnchoredSpan>(spans: readonly T[], changes: readonly TextChange[], currentText?: string): ReanchoredSpans<T> {
  const kept: T[] = [];
  const dropped: T[] = [];
  for (const span of spans) {
    const moved = changes.length === 0 ? span : mapSpanThroughChanges(span, changes);
    if (moved && (currentText === undefined || currentText.slice(moved.start, moved.end) === span.text)) {
      kept.push(moved === span ? span : { ...span, start: moved.start, end: moved.end });
    } else {
      dropped.push(span);
    }
  }
  return { kept, dropped };
}

/** The span containing `offset` (start inclusive, end exclusive), the first in list order. */
export function spanAt<T extends AnchoredSpan>(spans: readonly T[], offset: number): T | undefined {
  return spans.find((span) => span.start <= offset && offset < span.end);
}
