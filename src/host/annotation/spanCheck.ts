import { splitsSurrogatePair } from '../../core/data/annotation';
import type { LostSpan } from '../../core/data/reanchor';
import { nearestOccurrence, type TrackedSpan } from './trackedSpans';

export interface SpanCheck {
  /** The spans, moved where their text is when it was not at their offsets. */
  spans: TrackedSpan[];
  /** Whether any span was moved or lost. */
  changed: boolean;
  lost: LostSpan[];
}

/**
 * Checks tracked spans against the document text before they are saved. Tracking through edits
 * keeps them right; this catches what it cannot see (an edit event that never arrived): a span whose
 * text is not at its offsets is moved to the nearest occurrence of its text, or reported as lost —
 * a span is never saved on the wrong words.
 */
export function checkSpans(text: string, spans: readonly TrackedSpan[]): SpanCheck {
  const result: SpanCheck = { spans: [], changed: false, lost: [] };
  for (const span of spans) {
    const fits =
      span.end > span.start &&
      span.end <= text.length &&
      text.startsWith(span.text, span.start) &&
      span.text.length === span.end - span.start &&
      !splitsSurrogatePair(text, span.start) &&
      !splitsSurrogatePair(text, span.end);
    if (fits) {
      result.spans.push(span);
      continue;
    }
    result.changed = true;
    const at = span.text.length > 0 ? nearestOccurrence(text, span.text, span.start) : undefined;
    if (at !== undefined && !splitsSurrogatePair(text, at) && !splitsSurrogatePair(text, at + span.text.length)) {
      result.spans.push({ ...span, start: at, end: at + span.text.length });
    } else {
      result.lost.push({
        span: { start: span.start, end: span.end, label: span.label },
        text: span.text,
        reason: `its text ${JSON.stringify(span.text)} is no longer in the document`,
      });
    }
  }
  return result;
}
