import { describe, expect, it } from 'vitest';
import { DocumentAnnotations, type EditKind } from '../../../../src/host/annotation/documentAnnotations';
import { mapTrackedSpan, nearestOccurrence, type TrackedSpan } from '../../../../src/host/annotation/trackedSpans';
import { applyChanges, type TextChange } from '../../../../src/host/ner/textChanges';
import { mulberry32 } from '../../data/helpers/prng';

const change = (rangeOffset: number, rangeLength: number, text: string): TextChange => ({ rangeOffset, rangeLength, text });

//                 0         1         2         3
//                 0123456789012345678901234567890123
const SENTENCE = 'The mayor of Paris met Anne Hidalgo.';
const PARIS: TrackedSpan = { id: 1, start: 13, end: 18, label: 'LOC', text: 'Paris' };

function kept(span: TrackedSpan, c: TextChange): TrackedSpan {
  const fate = mapTrackedSpan(span, c);
  if (fate.kind !== 'kept') throw new Error(`expected the span to be kept, it was removed by ${JSON.stringify(c)}`);
  return fate.span;
}

describe('an annotation through one change', () => {
  it('moves with edits before it, an insertion at its start included', () => {
    expect(kept(PARIS, change(0, 3, 'A'))).toMatchObject({ start: 11, end: 16, text: 'Paris' });
    expect(kept(PARIS, change(13, 0, 'old '))).toMatchObject({ start: 17, end: 22, text: 'Paris' });
    expect(kept(PARIS, change(4, 9, ''))).toMatchObject({ start: 4, end: 9, text: 'Paris' }); // deletion ending at its start
  });

  it('stays for edits after it, an insertion at its end included (typing after a word does not grow it)', () => {
    expect(kept(PARIS, change(18, 0, 'ian'))).toBe(PARIS);
    expect(kept(PARIS, change(19, 4, 'saw'))).toBe(PARIS);
  });

  it('grows and shrinks with edits inside it, its text following', () => {
    const grown = kept(PARIS, change(15, 0, 'XX'));
    expect(grown).toMatchObject({ start: 13, end: 20, text: 'PaXXris' });
    expect(kept(PARIS, change(14, 3, ''))).toMatchObject({ start: 13, end: 15, text: 'Ps' });
    // Replacing a prefix of the span from its first character: the new text is part of it.
    expect(kept(PARIS, change(13, 2, 'Lo'))).toMatchObject({ start: 13, end: 18, text: 'Loris' });
  });

  it('keeps what survives of it when an edit crosses one of its edges', () => {
    // "of Pa" → "in": the span keeps "ris", the new text goes before it.
    expect(kept(PARIS, change(10, 5, 'in'))).toMatchObject({ start: 12, end: 15, text: 'ris' });
    // "is met" → "": the span keeps "Par".
    expect(kept(PARIS, change(16, 6, ''))).toMatchObject({ start: 13, end: 16, text: 'Par' });
  });

  it('is removed when all its text is replaced, even by text of the same length', () => {
    for (const c of [change(13, 5, ''), change(13, 5, 'Lyons'), change(10, 12, 'x'), change(0, SENTENCE.length, '')]) {
      const fate = mapTrackedSpan(PARIS, c);
      expect(fate.kind).toBe('removed');
      if (fate.kind === 'removed') expect(fate.removed).toMatchObject({ span: PARIS, changeOffset: c.rangeOffset, insertedLength: c.text.length, relativeStart: 13 - c.rangeOffset });
    }
  });

  it('follows its text when a replacement contains it again (a formatter, a reload from disk)', () => {
    // The line is rewritten with the words moved: the span goes to its text in the replacement.
    const moved = kept(PARIS, change(0, SENTENCE.length, 'Anne Hidalgo, the mayor of Paris, met them.'));
    expect(moved).toMatchObject({ start: 27, end: 32, text: 'Paris' });
    // Whole words first: "Parisian" does not take it when "Paris" stands alone further away.
    expect(kept(PARIS, change(13, 5, 'Parisian Paris'))).toMatchObject({ start: 22, end: 27 });
  });

  it('finds the nearest whole-word occurrence', () => {
    expect(nearestOccurrence('Paris and Parisian and Paris', 'Paris', 10)).toBe(0);
    expect(nearestOccurrence('Paris and Parisian and Paris', 'Paris', 20)).toBe(23);
    expect(nearestOccurrence('Parisian', 'Paris', 0)).toBe(0); // glued occurrences when nothing else
    expect(nearestOccurrence('Lyon', 'Paris', 0)).toBeUndefined();
  });
});

/** A document with annotations and an undo stack, edited the way VS Code reports edits. */
class Editor {
  text: string;
  version = 1;
  readonly annotations: DocumentAnnotations;
  private readonly undoStack: TextChange[][] = [];
  private readonly redoStack: TextChange[][] = [];

  constructor(text: string, spans: Array<{ start: number; end: number; label: string }>) {
    this.text = text;
    this.annotations = new DocumentAnnotations(spans.map((span) => ({ ...span, text: text.slice(span.start, span.end) })), text.length);
  }

  /** Applies changes given against the current text, in descending offset order (as VS Code sends a multi-cursor edit). */
  edit(changes: TextChange[]): void {
    this.redoStack.length = 0;
    this.undoStack.push(this.apply(changes, 'edit'));
  }

  undo(): void {
    const inverse = this.undoStack.pop();
    if (inverse) this.redoStack.push(this.apply(inverse, 'undo'));
  }

  redo(): void {
    const inverse = this.redoStack.pop();
    if (inverse) this.undoStack.push(this.apply(inverse, 'redo'));
  }

  spans(): Array<{ start: number; end: number; label: string; text: string }> {
    return this.annotations.spans.map(({ start, end, label, text }) => ({ start, end, label, text }));
  }

  private apply(changes: TextChange[], kind: EditKind): TextChange[] {
    // The inverse of a sequence of changes: each change's inverse, in reverse order.
    const inverse: TextChange[] = [];
    let text = this.text;
    for (const c of changes) {
      inverse.unshift({ rangeOffset: c.rangeOffset, rangeLength: c.text.length, text: text.slice(c.rangeOffset, c.rangeOffset + c.rangeLength) });
      text = applyChanges(text, [c]);
    }
    this.text = text;
    this.version++;
    this.annotations.applyEdit(changes, kind, () => this.text);
    return inverse;
  }
}

describe('removal and Undo', () => {
  it('deleting a span\'s whole text removes it; Undo brings it back; Redo removes it again', () => {
    const editor = new Editor(SENTENCE, [{ start: 13, end: 18, label: 'LOC' }, { start: 23, end: 35, label: 'PER' }]);
    editor.edit([change(13, 5, '')]);
    expect(editor.spans().map((s) => s.label)).toEqual(['PER']);
    editor.undo();
    expect(editor.spans()).toEqual([{ start: 13, end: 18, label: 'LOC', text: 'Paris' }, { start: 23, end: 35, label: 'PER', text: 'Anne Hidalgo' }]);
    editor.redo();
    expect(editor.spans().map((s) => s.label)).toEqual(['PER']);
    editor.undo();
    expect(editor.spans().map((s) => s.text)).toEqual(['Paris', 'Anne Hidalgo']);
  });

  it('Undo restores a span whose text was replaced by typing, even when VS Code merges the undo of the typing', () => {
    const editor = new Editor(SENTENCE, [{ start: 13, end: 18, label: 'LOC' }]);
    editor.edit([change(13, 5, 'L')]); // select "Paris", type L
    editor.edit([change(14, 0, 'yon')]); // type on
    expect(editor.spans()).toEqual([]);
    // One merged undo: "Lyon" back to "Paris".
    editor.annotations.applyEdit([change(13, 4, 'Paris')], 'undo', () => SENTENCE);
    expect(editor.annotations.spans.map(({ start, end, text }) => ({ start, end, text }))).toEqual([{ start: 13, end: 18, text: 'Paris' }]);
  });

  it('Undo restores spans an edit trimmed at either edge, and two spans a multi-cursor delete removed', () => {
    const editor = new Editor(SENTENCE, [{ start: 13, end: 18, label: 'LOC' }, { start: 23, end: 35, label: 'PER' }]);
    editor.edit([change(16, 12, '')]); // "is met Anne " → trims both spans
    expect(editor.spans()).toEqual([{ start: 13, end: 16, label: 'LOC', text: 'Par' }, { start: 16, end: 23, label: 'PER', text: 'Hidalgo' }]);
    editor.undo();
    expect(editor.spans()).toEqual([{ start: 13, end: 18, label: 'LOC', text: 'Paris' }, { start: 23, end: 35, label: 'PER', text: 'Anne Hidalgo' }]);

    // Two cursors delete both spans' text in one event (VS Code lists the later change first).
    editor.edit([change(23, 12, ''), change(13, 5, '')]);
    expect(editor.spans()).toEqual([]);
    editor.undo();
    expect(editor.spans().map((s) => [s.start, s.end, s.label])).toEqual([[13, 18, 'LOC'], [23, 35, 'PER']]);
  });

  it('restores after unrelated edits in between are undone first, and never on ordinary typing of the same text', () => {
    const editor = new Editor(SENTENCE, [{ start: 13, end: 18, label: 'LOC' }]);
    editor.edit([change(13, 5, '')]);
    editor.edit([change(0, 0, 'Yesterday, ')]);
    editor.edit([change(11, 3, 'a')]); // "The" → "a"
    // Typing the word again is not an undo: the span stays gone.
    const typed = new Editor(editor.text, []);
    expect(typed.spans()).toEqual([]);
    editor.undo();
    editor.undo();
    expect(editor.spans()).toEqual([]);
    editor.undo();
    expect(editor.text).toBe(SENTENCE);
    expect(editor.spans()).toEqual([{ start: 13, end: 18, label: 'LOC', text: 'Paris' }]);

    const retyped = new Editor(SENTENCE, [{ start: 13, end: 18, label: 'LOC' }]);
    retyped.edit([change(13, 5, '')]);
    retyped.edit([change(13, 0, 'Paris')]);
    expect(retyped.spans()).toEqual([]);
  });

  it('1000 random edit sequences (some multi-cursor): every kept span covers exactly its surviving characters, and undoing all edits restores every span', () => {
    const random = mulberry32(42);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let restoredAll = 0;
    for (let trial = 0; trial < 1000; trial++) {
      // Words of distinct random letters, so that re-found text means restored text.
      const words: string[] = [];
      for (let w = 0; w < 8; w++) words.push(Array.from({ length: 2 + Math.floor(random() * 5) }, () => letters[Math.floor(random() * 26)]).join(''));
      const text = words.join(random() < 0.5 ? ' ' : '\n');
      const spans: Array<{ start: number; end: number; label: string }> = [];
      let at = 0;
      for (const word of words) {
        if (random() < 0.5) spans.push({ start: at, end: at + word.length, label: random() < 0.5 ? 'A' : 'B' });
        at += word.length + 1;
      }
      const editor = new Editor(text, spans);
      const originalOf = new Map(editor.annotations.spans.map((span, i) => [span.id, spans[i]!]));
      // Character identity: ids[i] is the original index of the character now at i (-1: inserted).
      const ids = Array.from({ length: text.length }, (_, i) => i);
      const edits = 1 + Math.floor(random() * 6);
      for (let e = 0; e < edits; e++) {
        // One change, or two from two cursors (VS Code lists the later one first).
        const cursors = random() < 0.3 ? 2 : 1;
        const changes: TextChange[] = [];
        let limit = editor.text.length;
        for (let c = 0; c < cursors && limit >= 0; c++) {
          const from = Math.floor(random() * (limit + 1));
          const length = Math.min(limit - from, Math.floor(random() * 8));
          const inserted = random() < 0.5 ? '' : Array.from({ length: 1 + Math.floor(random() * 3) }, () => '0123456789'[Math.floor(random() * 10)]).join('');
          changes.push(change(from, length, inserted));
          limit = from - 1;
        }
        editor.edit(changes);
        for (const c of changes) ids.splice(c.rangeOffset, c.rangeLength, ...new Array<number>(c.text.length).fill(-1));
        for (const span of editor.annotations.spans) {
          // Tracked text is the document's text at the span.
          expect(editor.text.slice(span.start, span.end)).toBe(span.text);
          // The span holds exactly the surviving characters of its original span, plus inserted text.
          const original = originalOf.get(span.id)!;
          const inside = ids.slice(span.start, span.end).filter((id) => id >= 0);
          const surviving = ids.filter((id) => id >= original.start && id < original.end);
          expect(inside).toEqual(surviving);
        }
      }
      for (let e = 0; e < edits; e++) editor.undo();
      expect(editor.text).toBe(text);
      expect(editor.spans().map(({ start, end, label }) => ({ start, end, label }))).toEqual(spans);
      if (spans.length > 0) restoredAll++;
    }
    expect(restoredAll).toBeGreaterThan(900);
  });

  it('also restores through the moved region when the document length is unknown (edits missed while loading)', () => {
    const annotations = new DocumentAnnotations([{ start: 13, end: 18, label: 'LOC', text: 'Paris' }]);
    let text = SENTENCE;
    const step = (changes: TextChange[], kind: EditKind): void => {
      text = applyChanges(text, changes);
      annotations.applyEdit(changes, kind, () => text);
    };
    step([change(10, 10, '')], 'edit'); // "of Paris m" gone
    step([change(0, 3, 'A')], 'edit');
    expect(annotations.spans).toEqual([]);
    step([change(0, 1, 'The')], 'undo');
    expect(annotations.spans).toEqual([]);
    step([change(10, 0, 'of Paris m')], 'undo');
    expect(annotations.spans.map(({ start, end, text: covered }) => [start, end, covered])).toEqual([[13, 18, 'Paris']]);
  });

  it('keeps at most 200 removals per document', () => {
    const text = 'ab '.repeat(300);
    const spans = Array.from({ length: 300 }, (_, i) => ({ start: i * 3, end: i * 3 + 2, label: 'X' }));
    const annotations = new DocumentAnnotations(spans.map((span) => ({ ...span, text: 'ab' })));
    annotations.applyEdit([change(0, text.length, '')], 'edit');
    expect(annotations.spans).toEqual([]);
    expect(annotations.pendingRemovals).toBe(200);
  });
});
