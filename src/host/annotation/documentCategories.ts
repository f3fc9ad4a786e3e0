import type { CategoryScope, TextCategories } from '../../core/data/annotation';
import type { CategoryRange } from '../../core/data/categoryEdits';
import type { TextChange } from '../ner/textChanges';
import { DocumentAnnotations, type EditKind } from './documentAnnotations';
import { checkSpans } from './spanCheck';
import type { TrackedSpan } from './trackedSpans';

/** A decision as the editor keeps it: the stored shape plus a stable id (tree rows and badges refer to it). */
export interface TrackedCategories extends TextCategories {
  readonly id: number;
}

type Decision = Omit<TextCategories, 'start' | 'end'>;

/** The decision's fields, carried as the label of the tracked range that holds them. */
function encode(categories: Decision): string {
  return JSON.stringify([categories.scope, categories.multiLabel, categories.options, categories.accept]);
}

function decode(span: TrackedSpan): TrackedCategories {
  const [scope, multiLabel, options, accept] = JSON.parse(span.label) as [CategoryScope, boolean, string[], string[]];
  return { id: span.id, start: span.start, end: span.end, scope, multiLabel, options, accept };
}

/**
 * The text-category decisions of one open document. Decisions on a paragraph or a selection follow
 * their text through edits exactly as span annotations do (same tracking, same Undo that brings back
 * a decision whose text was deleted); the document's own decision always covers the whole text.
 */
export class DocumentCategories {
  private readonly ranges: DocumentAnnotations;
  private whole: (Decision & { id: number }) | undefined;
  private static nextWholeId = -1;

  constructor(categories: readonly TextCategories[] = [], text = '') {
    this.ranges = new DocumentAnnotations([], text.length);
    this.replaceAll(categories, text);
  }

  /** Every decision, the document's first, then by range; `textLength` gives the document's its range. */
  list(textLength: number): TrackedCategories[] {
    const ranged = this.ranges.spans.map(decode);
    return this.whole ? [{ ...this.whole, start: 0, end: textLength }, ...ranged] : ranged;
  }

  get size(): number {
    return this.ranges.spans.length + (this.whole ? 1 : 0);
  }

  /** The decision made for exactly this range and scope, if any. */
  find(range: CategoryRange, textLength: number): TrackedCategories | undefined {
    return this.list(textLength).find((c) => c.scope === range.scope && (c.scope === 'document' || (c.start === range.start && c.end === range.end)));
  }

  /**
   * Puts a decision for `range` in place of the one made for the same range and scope (undefined
   * removes it). Returns whether anything changed.
   */
  set(range: CategoryRange, categories: TextCategories | undefined, text: string): boolean {
    const existing = this.find(range, text.length);
    if (existing && categories && encode(existing) === encode(categories)) return false;
    if (!existing && !categories) return false;
    if (range.scope === 'document') {
      this.whole = categories ? { scope: 'document', multiLabel: categories.multiLabel, options: [...categories.options], accept: [...categories.accept], id: existing?.id ?? DocumentCategories.nextWholeId-- } : undefined;
      return true;
    }
    if (existing) this.ranges.remove(new Set([existing.id]));
    if (categories) this.ranges.add([{ start: range.start, end: range.end, label: encode(categories), text: text.slice(range.start, range.end) }]);
    return true;
  }

  /** Follows one change event of the document (see DocumentAnnotations.applyEdit); true when a decision moved, went or came back. */
  applyEdit(changes: readonly TextChange[], kind: EditKind, textAfter: () => string): boolean {
    return this.ranges.applyEdit(changes, kind, textAfter).changed;
  }

  /** Checks the ranges against the text before a save (see checkSpans); returns the decisions that were lost. */
  verify(text: string): TextCategories[] {
    const check = checkSpans(text, this.ranges.spans);
    if (check.changed) this.ranges.setChecked(check.spans, text.length);
    return check.lost.map((lost) => ({ ...decode({ id: 0, start: lost.span.start, end: lost.span.end, label: lost.span.label, text: lost.text }) }));
  }

  /** Replaces every decision (the document was loaded or reloaded from the store). */
  replaceAll(categories: readonly TextCategories[], text: string): void {
    const ranged = categories.filter((c) => c.scope !== 'document');
    this.ranges.replaceAll(ranged.map((c) => ({ start: c.start, end: c.end, label: encode(c), text: text.slice(c.start, c.end) })), text.length);
    const whole = categories.find((c) => c.scope === 'document');
    this.whole = whole ? { scope: 'document', multiLabel: whole.multiLabel, options: [...whole.options], accept: [...whole.accept], id: DocumentCategories.nextWholeId-- } : undefined;
  }

  /** The decisions in the store's shape. */
  toCategories(textLength: number): TextCategories[] {
    return this.list(textLength).map(({ start, end, scope, options, multiLabel, accept }) => ({ start, end, scope, options: [...options], multiLabel, accept: [...accept] }));
  }
}
