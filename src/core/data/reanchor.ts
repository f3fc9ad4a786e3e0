import { spanProblem, splitsSurrogatePair, type Span } from './annotation';
import { alignTexts, type AlignOptions } from './textDiff';

/**
 * Moves spans from the text they were labelled on to a changed version of it (a file edited outside
 * the editor, a `git pull`). Every input span ends up in exactly one of `anchored` or `lost`: nothing
 * is dropped without a reason the UI can show.
 */

export type AnchorMethod =
  /** Texts identical: offsets kept. */
  | 'unchanged'
  /** Every character of the span survived the diff, contiguously. */
  | 'diff'
  /** The span's exact text found elsewhere (moved paragraph); the occurrence nearest its expected place. */
  | 'search'
  /** The span's text was edited inside, but its first and last characters and most of it survived. */
  | 'diff-edited';

export interface AnchoredSpan {
  span: Span;
  previous: Span;
  method: AnchorMethod;
}

export interface LostSpan {
  span: Span;
  /** The text the span covered before the change. */
  text: string;
  reason: string;
}

export interface ReanchorResult {
  anchored: AnchoredSpan[];
  lost: LostSpan[];
}

function contiguousImage(map: Int32Array, start: number, end: number): number | undefined {
  const first = map[start]!;
  if (first < 0) return undefined;
  for (let i = start + 1; i < end; i++) if (map[i] !== first + (i - start)) return undefined;
  return first;
}

/** Where the span would be expected in the new text: through the nearest surviving character before it. */
function expectedStart(map: Int32Array, start: number, before: string, after: string): number {
  for (let i = Math.min(start, map.length - 1); i >= 0; i--) {
    if (map[i]! >= 0) return map[i]! + (start - i);
  }
  return before.length === 0 ? 0 : Math.round((start * after.length) / before.length);
}

const WORD_CHARACTER = /[\p{L}\p{N}_]/u;

/** Whether a word character touches the range on the left and on the right, as a two-letter key. */
function boundaryShape(text: string, start: number, end: number): string {
  const left = start > 0 && WORD_CHARACTER.test(text[start - 1]!);
  const right = end < text.length && WORD_CHARACTER.test(text[end]!);
  return `${left ? 'w' : '-'}${right ? 'w' : '-'}`;
}

function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

export function reanchorSpans(before: string, after: string, spans: Span[], options: AlignOptions = {}): ReanchorResult {
  const result: ReanchorResult = { anchored: [], lost: [] };
  const valid: Span[] = [];
  for (const span of spans) {
    const problem = spanProblem(before, span);
    if (problem) {
      result.lost.push({ span, text: '', reason: `the span was invalid in the stored text: ${problem.message}` });
    } else valid.push(span);
  }
  if (before === after) {
    for (const span of valid) result.anchored.push({ span: { ...span }, previous: span, method: 'unchanged' });
    return result;
  }
  const map = alignTexts(before, after, options);
  const claimed = new Set<string>();
  const key = (span: Span): string => `${span.start}:${span.end}:${span.label}`;
  const anchor = (previous: Span, start: number, end: number, method: AnchorMethod): void => {
    const span = { start, end, label: previous.label };
    claimed.add(key(span));
    result.anchored.push({ span, previous, method });
  };

  // A span whose characters all survived but which now sits inside a longer word ("Paris" typed on
  // to "Parisian") is only kept there if no whole-word occurrence of its text exists.
  const pending: Array<{ span: Span; unchangedAt?: number }> = [];
  for (const span of valid) {
    const start = contiguousImage(map, span.start, span.end);
    const length = span.end - span.start;
    if (start !== undefined && boundaryShape(after, start, start + length) === boundaryShape(before, span.start, span.end)) {
      anchor(span, start, start + length, 'diff');
    } else pending.push(start === undefined ? { span } : { span, unchangedAt: start });
  }
  for (const { span, unchangedAt } of pending) {
    const covered = before.slice(span.start, span.end);
    const expected = unchangedAt ?? expectedStart(map, span.start, before, after);
    const shape = boundaryShape(before, span.start, span.end);
    const candidates = occurrences(after, covered).filter(
      (at) => !claimed.has(key({ start: at, end: at + covered.length, label: span.label })),
    );
    const nearest = (list: number[]): number =>
      list.reduce((best, at) => (Math.abs(at - expected) < Math.abs(best - expected) ? at : best));
    // A candidate with the same word boundaries ("Paris" as a word, not inside "Parisian") first.
    const alike = candidates.filter((at) => boundaryShape(after, at, at + covered.length) === shape);
    if (alike.length > 0) {
      const at = nearest(alike);
      anchor(span, at, at + covered.length, 'search');
      continue;
    }
    if (unchangedAt !== undefined && !claimed.has(key({ start: unchangedAt, end: unchangedAt + covered.length, label: span.label }))) {
      anchor(span, unchangedAt, unchangedAt + covered.length, 'diff');
      continue;
    }
    const first = map[span.start]!;
    const last = map[span.end - 1]!;
    let survivors = 0;
    for (let i = span.start; i < span.end; i++) if (map[i]! >= 0) survivors++;
    const editedEnd = last + 1;
    if (
      first >= 0 &&
      last >= first &&
      survivors * 2 >= covered.length &&
      !splitsSurrogatePair(after, first) &&
      !splitsSurrogatePair(after, editedEnd) &&
      !claimed.has(key({ start: first, end: editedEnd, label: span.label }))
    ) {
      anchor(span, first, editedEnd, 'diff-edited');
      continue;
    }
    if (candidates.length > 0) {
      const at = nearest(candidates);
      anchor(span, at, at + covered.length, 'search');
      continue;
    }
    result.lost.push({
      span,
      text: covered,
      reason: `its text ${JSON.stringify(covered)} no longer appears in the document`,
    });
  }
  result.anchored.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return result;
}
