import type { TextChange } from '../ner/textChanges';
import type { DamagedSpan, TrackedSpan } from './trackedSpans';

/**
 * Spans that edits removed or trimmed, kept so that Undo (or Redo) can put them back whole.
 *
 * VS Code's undo is last-in, first-out: when the event that damaged a span is undone, every later
 * edit has been undone before it, so the document is again exactly as it was before that event.
 * Each entry therefore remembers the span as it was before the damaging event and the document's
 * length then; an undo/redo event after which the length is that again and the span's text is at
 * its old offsets brings the span back there. As a second way to find it (when something broke
 * the strict order, e.g. an edit missed while the document was loading), the region the damaging
 * change left is moved along with later edits (see Edge); the span's text at the place the region
 * gives, after an undo that touched it, also brings it back.
 *
 * The text must be back verbatim at an exact place, so a wrong restore would need the same words
 * back at the same place, which is what undo means. Typing never restores anything.
 * Entries live as long as the document is open, at most `limit` of them (oldest dropped first).
 */

/**
 * One edge of a region, which must land where the text it bordered comes back with each undo.
 * Offsets alone lose what that needs: when a change removes text at or around the edge, the edge
 * collapses to one end of the replacement and its place inside the removed text is forgotten.
 * So each such change leaves a record (how deep inside the removed text the edge was), and the
 * exact inverse of that change — the same place, the lengths swapped, as undo does it — puts the
 * edge back at that depth. Undo may merge the inverses of consecutive deletions (Backspace held
 * down) into one insertion; that is taken apart into the recorded pieces.
 */
interface EdgeRecord {
  depth: number;
  removed: number;
  inserted: number;
  /** Where the change put the edge: at the start or at the end of its replacement text. */
  at: 'start' | 'end';
}

interface Edge {
  offset: number;
  history: EdgeRecord[];
}

function collapsedAt(edge: Edge, record: EdgeRecord): number {
  return record.at === 'start' ? edge.offset : edge.offset - record.inserted;
}

/** `kind`: which edge of the region this is; text inserted exactly at an edge with no record goes inside the region. */
function mapEdge(edge: Edge, change: TextChange, kind: 'start' | 'end'): Edge {
  const { rangeOffset: from, rangeLength } = change;
  const to = from + rangeLength;
  const inserted = change.text.length;
  const { offset, history } = edge;
  if (rangeLength === 0 && inserted === 0) return edge;
  // Undo of the changes that collapsed the edge, possibly several merged into one insertion.
  let top: EdgeRecord | undefined = history[history.length - 1];
  if (top && from === collapsedAt(edge, top) && rangeLength === top.inserted && (inserted === top.removed || (rangeLength === 0 && inserted > top.removed))) {
    let rest = history.slice();
    let position = from;
    let remaining = inserted;
    let current: Edge = edge;
    while (top && remaining >= top.removed && position === collapsedAt(current, top) && (top.inserted === 0 || remaining === top.removed)) {
      rest = rest.slice(0, -1);
      current = { offset: position + top.depth, history: rest };
      position += top.removed;
      remaining -= top.removed;
      if (top.inserted > 0 || remaining === 0) break;
      top = rest[rest.length - 1];
    }
    if (remaining === 0) return current;
  }
  if (offset < from) return edge;
  if (offset > to) return { offset: offset + inserted - rangeLength, history };
  if (rangeLength === 0) {
    // Typing exactly at the edge: the edge goes the way its last collapse tells, else the text joins the region.
    const last = history[history.length - 1];
    const after = last ? last.at === 'end' : kind === 'end';
    return after ? { offset: offset + inserted, history } : edge;
  }
  const at: 'start' | 'end' = offset === to ? 'end' : offset === from ? 'start' : kind;
  return { offset: at === 'start' ? from : from + inserted, history: [...history, { depth: offset - from, removed: rangeLength, inserted, at }] };
}

interface Entry {
  /** The span right before the damaging change (what the region and relativeStart refer to). */
  span: TrackedSpan;
  /** The span as it was before the damaging event, and the document length then. */
  before: TrackedSpan;
  lengthBefore: number | undefined;
  /** The damaging change's replacement text, in current offsets. */
  start: Edge;
  end: Edge;
  relativeStart: number;
}

/** A damaged span with what the event it was damaged in knew of it. */
export interface Damage extends DamagedSpan {
  /** The span before the event (same id). */
  before: TrackedSpan;
  /** Document length before the event, when known. */
  lengthBefore: number | undefined;
}

export class RemovalLog {
  private entries: Entry[] = [];
  /** Entries the changes of the current event touched (for the region check). */
  private touched = new Set<Entry>();

  constructor(private readonly limit = 200) {}

  get size(): number {
    return this.entries.length;
  }

  /** Remembers spans one change damaged (`changeOffset` in offsets after that change). */
  add(damaged: readonly Damage[]): void {
    for (const { span, before, lengthBefore, changeOffset, insertedLength, relativeStart } of damaged) {
      this.entries.push({
        span,
        before,
        lengthBefore,
        start: { offset: changeOffset, history: [] },
        end: { offset: changeOffset + insertedLength, history: [] },
        relativeStart,
      });
    }
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  /** Moves the entries through one change of the current event, noting which ones it touched. */
  map(change: TextChange): void {
    if (change.rangeLength === 0 && change.text === '') return;
    const changeEnd = change.rangeOffset + change.rangeLength;
    this.entries = this.entries.map((entry) => {
      const expected = entry.start.offset + entry.relativeStart;
      const touches = Math.min(entry.start.offset, expected) <= changeEnd && Math.max(entry.end.offset, expected + entry.span.text.length) >= change.rangeOffset;
      const start = mapEdge(entry.start, change, 'start');
      const end = mapEdge(entry.end, change, 'end');
      if (end.offset < start.offset) end.offset = start.offset;
      const moved = { ...entry, start, end };
      if (this.touched.delete(entry) || touches) this.touched.add(moved);
      return moved;
    });
  }

  /**
   * Ends an undo/redo event: entries whose span is back in `text` (the document after the event)
   * give it back and are forgotten. `isFree` rejects a place where the same span already is.
   */
  restore(text: string, isFree: (span: TrackedSpan) => boolean): TrackedSpan[] {
    const restored: TrackedSpan[] = [];
    const remaining: Entry[] = [];
    // Oldest first: one event may damage a span in several steps (one entry each); they all
    // restore its state before the event, once.
    for (const entry of this.entries) {
      // A later damage of a span this event already restored to an older state is moot.
      if (restored.some((other) => other.id === entry.span.id)) continue;
      const span = this.find(entry, text);
      if (span) {
        const duplicate = restored.some((other) => other.start === span.start && other.end === span.end && other.label === span.label);
        if (!duplicate && isFree(span)) {
          restored.push(span);
          continue;
        }
      }
      remaining.push(entry);
    }
    this.entries = remaining;
    this.touched.clear();
    return restored;
  }

  /** Ends an ordinary edit event (typing never restores anything). */
  endEvent(): void {
    this.touched.clear();
  }

  clear(): void {
    this.entries = [];
    this.touched.clear();
  }

  private find(entry: Entry, text: string): TrackedSpan | undefined {
    const { before } = entry;
    if (entry.lengthBefore === text.length && before.start >= 0 && text.startsWith(before.text, before.start)) return before;
    if (!this.touched.has(entry)) return undefined;
    const expected = entry.start.offset + entry.relativeStart;
    if (expected >= 0 && text.startsWith(entry.span.text, expected)) return { ...entry.span, start: expected, end: expected + entry.span.text.length };
    return undefined;
  }
}
