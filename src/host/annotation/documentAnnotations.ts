import type { Span } from '../../core/data/annotation';
import type { TextChange } from '../ner/textChanges';
import { RemovalLog } from './removalLog';
import { compareTracked, mapTrackedSpans, nextSpanId, type TrackedSpan } from './trackedSpans';

export type EditKind = 'edit' | 'undo' | 'redo';

export interface EditOutcome {
  /** Spans whose whole text the edit replaced (recoverable with Undo). */
  removed: TrackedSpan[];
  /** Spans an undo/redo brought back. */
  restored: TrackedSpan[];
  /** Whether any span moved, changed, went or came back (the store needs a new snapshot). */
  changed: boolean;
}

export interface LabelOutcome {
  added: TrackedSpan[];
  /** Existing spans that overlapped a newly labelled range and were replaced by it. */
  replaced: TrackedSpan[];
  /** Ranges that already had exactly this label. */
  unchanged: number;
}

/** A range to label, with the document text it covers. */
export interface TextRange {
  start: number;
  end: number;
  text: string;
}

/**
 * The annotations of one open document: spans sorted by start, moved through edits, and the log
 * that lets Undo bring removed spans back. Plain data and logic; the editor calls it.
 */
export class DocumentAnnotations {
  private list: TrackedSpan[];
  private readonly removals = new RemovalLog();
  /** The document's length, kept through edits when it was given (undo uses it to recognise a state). */
  private length: number | undefined;

  constructor(spans: ReadonlyArray<Span & { text: string }> = [], textLength?: number) {
    this.length = textLength;
    this.list = spans.map((span) => ({ id: nextSpanId(), start: span.start, end: span.end, label: span.label, text: span.text })).sort(compareTracked);
  }

  get spans(): readonly TrackedSpan[] {
    return this.list;
  }

  get pendingRemovals(): number {
    return this.removals.size;
  }

  /**
   * Follows one document change event (its changes applied in order, as VS Code reports them).
   * For an undo/redo event, `textAfter` gives the document text after it, read once to check
   * which damaged spans got their text back (see RemovalLog).
   */
  applyEdit(changes: readonly TextChange[], kind: EditKind = 'edit', textAfter?: () => string): EditOutcome {
    const removed: TrackedSpan[] = [];
    let changed = false;
    // Looked up only when a span is damaged (rare), so typing costs no copy of the list.
    const atEventStart = this.list;
    const beforeEvent = (span: TrackedSpan): TrackedSpan => atEventStart.find((candidate) => candidate.id === span.id) ?? span;
    const lengthBefore = this.length;
    for (const change of changes) {
      const before = this.list;
      const mapped = mapTrackedSpans(before, change);
      if (!changed) changed = mapped.removed.length > 0 || mapped.spans.some((span, i) => span !== before[i]);
      this.removals.map(change);
      this.removals.add(
        [...mapped.removed, ...mapped.trimmed].map((damage) => ({ ...damage, before: beforeEvent(damage.span), lengthBefore })),
      );
      removed.push(...mapped.removed.map((entry) => entry.span));
      this.list = mapped.spans;
      if (this.length !== undefined) this.length += change.text.length - change.rangeLength;
    }
    let restored: TrackedSpan[] = [];
    if (kind !== 'edit' && textAfter && this.removals.size > 0) {
      const live = this.list;
      const text = textAfter();
      this.length = text.length;
      restored = this.removals.restore(text, (span) => !live.some((other) => other.id !== span.id && other.start === span.start && other.end === span.end && other.label === span.label));
      if (restored.length > 0) {
        const ids = new Set(restored.map((span) => span.id));
        // A trimmed remainder of a restored span gives way to the whole span.
        this.list = [...live.filter((span) => !ids.has(span.id)), ...restored].sort(compareTracked);
        changed = true;
      }
    } else {
      this.removals.endEvent();
    }
    // A span removed and brought back within one event is neither.
    const restoredIds = new Set(restored.map((span) => span.id));
    return { removed: removed.filter((span) => !restoredIds.has(span.id)), restored, changed };
  }

  /**
   * Gives each range the label. A range that overlaps existing spans replaces them (one label per
   * stretch of text, as in Prodigy's ner.manual); a range that already has exactly this label is
   * left alone. Empty ranges are ignored.
   */
  label(ranges: readonly TextRange[], label: string): LabelOutcome {
    const outcome: LabelOutcome = { added: [], replaced: [], unchanged: 0 };
    const sorted = [...ranges].filter((range) => range.end > range.start).sort((a, b) => a.start - b.start || a.end - b.end);
    for (const range of sorted) {
      if (this.list.some((span) => span.start === range.start && span.end === range.end && span.label === label)) {
        outcome.unchanged++;
        continue;
      }
      const overlapping = this.list.filter((span) => span.start < range.end && span.end > range.start);
      // A span added a moment ago by an earlier overlapping range of the same call is replaced too.
      outcome.replaced.push(...overlapping.filter((span) => !outcome.added.includes(span)));
      outcome.added = outcome.added.filter((span) => !overlapping.includes(span));
      const span: TrackedSpan = { id: nextSpanId(), start: range.start, end: range.end, label, text: range.text };
      this.list = [...this.list.filter((existing) => !overlapping.includes(existing)), span].sort(compareTracked);
      outcome.added.push(span);
    }
    return outcome;
  }

  /** Adds spans as they are (accepted predictions, already checked for overlaps). */
  add(spans: ReadonlyArray<Span & { text: string }>): TrackedSpan[] {
    const added = spans.map((span) => ({ id: nextSpanId(), start: span.start, end: span.end, label: span.label, text: span.text }));
    this.list = [...this.list, ...added].sort(compareTracked);
    return added;
  }

  remove(ids: ReadonlySet<number>): TrackedSpan[] {
    const removed = this.list.filter((span) => ids.has(span.id));
    if (removed.length > 0) this.list = this.list.filter((span) => !ids.has(span.id));
    return removed;
  }

  /** Changes the label of spans; a span that would duplicate another one with that label goes. */
  relabel(ids: ReadonlySet<number>, label: string): TrackedSpan[] {
    const changed: TrackedSpan[] = [];
    const next: TrackedSpan[] = [];
    for (const span of this.list) {
      if (!ids.has(span.id) || span.label === label) {
        next.push(span);
        continue;
      }
      const relabelled = { ...span, label };
      changed.push(relabelled);
      next.push(relabelled);
    }
    this.list = next
      .sort(compareTracked)
      .filter((span, i, all) => i === 0 || !(all[i - 1]!.start === span.start && all[i - 1]!.end === span.end && all[i - 1]!.label === span.label));
    return changed;
  }

  /** Replaces every span (the document was reloaded from the store). The undo log is cleared. */
  replaceAll(spans: ReadonlyArray<Span & { text: string }>, textLength?: number): void {
    this.length = textLength;
    this.list = spans.map((span) => ({ id: nextSpanId(), start: span.start, end: span.end, label: span.label, text: span.text })).sort(compareTracked);
    this.removals.clear();
  }

  /** Puts checked spans back (same ids, some moved; see checkSpans) and notes the text length. The undo log is kept. */
  setChecked(spans: readonly TrackedSpan[], textLength: number): void {
    this.length = textLength;
    this.list = [...spans].sort(compareTracked);
  }

  /** Spans covering the character at `offset`, or touching `offset` when `touching` (a caret at a word's end). */
  at(offset: number, touching = false): TrackedSpan[] {
    return this.list.filter((span) => span.start <= offset && (touching ? offset <= span.end : offset < span.end));
  }

  overlapping(start: number, end: number): TrackedSpan[] {
    if (start === end) return this.at(start, true);
    return this.list.filter((span) => span.start < end && span.end > start);
  }

  byId(id: number): TrackedSpan | undefined {
    return this.list.find((span) => span.id === id);
  }

  /** The spans in the store's shape. */
  toSpans(): Span[] {
    return this.list.map(({ start, end, label }) => ({ start, end, label }));
  }
}
