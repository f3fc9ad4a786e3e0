import type { TextChange } from '../ner/textChanges';

/**
 * An annotation as the editor keeps it while its document is open: offsets into the current text
 * and the text it covers, kept in step with every edit without reading the document (a keystroke
 * in a large file must stay cheap). Unlike a prediction, an annotation is the user's own: it
 * follows its text, grows when typed into, and is only removed when its whole text is gone.
 */
export interface TrackedSpan {
  /** Stable while the span lives (tree items, hover links and code actions refer to it). */
  readonly id: number;
  start: number;
  end: number;
  label: string;
  /** The document text in [start, end); updated with each edit inside the span. */
  text: string;
}

/**
 * A span as it was before one change took some or all of its text, and where that change left its
 * trace: what Undo needs to put it back.
 */
export interface DamagedSpan {
  /** The span before the change. */
  span: TrackedSpan;
  /** Offset, in the text after the change, where the change's replacement text starts. */
  changeOffset: number;
  /** Length of the replacement text (0 for a plain deletion). */
  insertedLength: number;
  /** Start of the span relative to the change's start (negative when the span began before it). */
  relativeStart: number;
}

let lastId = 0;
export function nextSpanId(): number {
  return ++lastId;
}

const WORD = /[\p{L}\p{N}_]/u;

function isWordAt(text: string, index: number): boolean {
  return index >= 0 && index < text.length && WORD.test(text[index]!);
}

/**
 * The occurrence of `needle` in `haystack` nearest `expected`, preferring occurrences that are not
 * glued to a longer word when the needle itself starts/ends with a word character ("Paris" as a word
 * rather than inside "Parisian"). Undefined when there is none.
 */
export function nearestOccurrence(haystack: string, needle: string, expected: number): number | undefined {
  if (needle.length === 0) return undefined;
  let best: number | undefined;
  let bestScore = Infinity;
  const wordStart = isWordAt(needle, 0);
  const wordEnd = isWordAt(needle, needle.length - 1);
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) {
    const glued = (wordStart && isWordAt(haystack, at - 1)) || (wordEnd && isWordAt(haystack, at + needle.length));
    // Any whole-word occurrence beats every glued one; distance decides within each kind.
    const score = (glued ? haystack.length + 1 : 0) + Math.abs(at - expected);
    if (score < bestScore) {
      bestScore = score;
      best = at;
    }
  }
  return best;
}

export type SpanFate =
  /** `trimmed`: the change took characters at one edge; the span kept the rest. */
  | { kind: 'kept'; span: TrackedSpan; trimmed?: DamagedSpan }
  | { kind: 'removed'; removed: DamagedSpan };

/**
 * Where an annotation is after one change:
 * - a change before it (ending at its start at the latest, an insertion at its start included) moves it;
 * - a change after it (starting at its end at the latest, an insertion at its end included) leaves it;
 * - a change inside it, not replacing all of it, makes it grow or shrink with its text;
 * - a change across one of its edges trims it to the characters that survived;
 * - a change that replaces all of its text removes it — unless the replacement contains the same
 *   text (a formatter, a paste of the same words, a file reloaded from disk): then it moves there.
 */
export function mapTrackedSpan(span: TrackedSpan, change: TextChange): SpanFate {
  const { rangeOffset: from, rangeLength, text: inserted } = change;
  if (rangeLength === 0 && inserted === '') return { kind: 'kept', span };
  const to = from + rangeLength;
  const delta = inserted.length - rangeLength;
  const { start, end } = span;
  if (to <= start) {
    return { kind: 'kept', span: delta === 0 ? span : { ...span, start: start + delta, end: end + delta } };
  }
  if (from >= end) return { kind: 'kept', span };
  if (from <= start && to >= end) {
    const at = nearestOccurrence(inserted, span.text, start - from);
    if (at !== undefined) return { kind: 'kept', span: { ...span, start: from + at, end: from + at + span.text.length } };
    return { kind: 'removed', removed: { span, changeOffset: from, insertedLength: inserted.length, relativeStart: start - from } };
  }
  const trimmed: DamagedSpan = { span, changeOffset: from, insertedLength: inserted.length, relativeStart: start - from };
  if (from >= start && to <= end) {
    const text = span.text.slice(0, from - start) + inserted + span.text.slice(to - start);
    const moved: TrackedSpan = { ...span, end: end + delta, text };
    // Text taken at an edge comes back through Undo as an insertion at that edge, which goes
    // outside the span: remember the span so that Undo can make it whole again.
    return rangeLength > 0 && (from === start || to === end) ? { kind: 'kept', span: moved, trimmed } : { kind: 'kept', span: moved };
  }
  if (from < start) {
    // Across the start: the replacement goes before what is left of the span.
    const newStart = from + inserted.length;
    return { kind: 'kept', span: { ...span, start: newStart, end: end + delta, text: span.text.slice(to - start) }, trimmed };
  }
  // Across the end: the replacement goes after what is left of the span.
  return { kind: 'kept', span: { ...span, end: from, text: span.text.slice(0, from - start) }, trimmed };
}

/** Spans through one change; the removed and the trimmed ones listed as they were before it. */
export function mapTrackedSpans(
  spans: readonly TrackedSpan[],
  change: TextChange,
): { spans: TrackedSpan[]; removed: DamagedSpan[]; trimmed: DamagedSpan[] } {
  const kept: TrackedSpan[] = [];
  const removed: DamagedSpan[] = [];
  const trimmed: DamagedSpan[] = [];
  for (const span of spans) {
    const fate = mapTrackedSpan(span, change);
    if (fate.kind === 'kept') {
      kept.push(fate.span);
      if (fate.trimmed) trimmed.push(fate.trimmed);
    } else removed.push(fate.removed);
  }
  return { spans: kept, removed, trimmed };
}

export function compareTracked(a: TrackedSpan, b: TrackedSpan): number {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) || a.id - b.id;
}
