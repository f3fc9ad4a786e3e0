import { describe, expect, it } from 'vitest';
import { ChangeTracker } from '../../../src/host/ner/changeTracker';
import { applyChanges, mapSpanThroughChange, mapSpanThroughChanges, type TextChange } from '../../../src/host/ner/textChanges';
import { mulberry32 } from '../data/helpers/prng';

const span = { start: 10, end: 15 };
const change = (rangeOffset: number, rangeLength: number, text: string): TextChange => ({ rangeOffset, rangeLength, text });

describe('mapSpanThroughChange', () => {
  it('shifts a span by edits before it (insert, delete, replace), including ones ending at its start', () => {
    expect(mapSpanThroughChange(span, change(0, 0, 'abc'))).toEqual({ start: 13, end: 18 });
    expect(mapSpanThroughChange(span, change(2, 3, ''))).toEqual({ start: 7, end: 12 });
    expect(mapSpanThroughChange(span, change(5, 5, 'xy'))).toEqual({ start: 7, end: 12 });
    expect(mapSpanThroughChange(span, change(10, 0, '!!'))).toEqual({ start: 12, end: 17 });
  });

  it('keeps a span for edits after it, including an insertion at its end (the span never grows)', () => {
    expect(mapSpanThroughChange(span, change(15, 0, 'tail'))).toEqual(span);
    expect(mapSpanThroughChange(span, change(20, 4, ''))).toEqual(span);
  });

  it('drops a span when an edit touches its text', () => {
    expect(mapSpanThroughChange(span, change(12, 0, 'x'))).toBeUndefined(); // typing inside
    expect(mapSpanThroughChange(span, change(14, 2, ''))).toBeUndefined(); // deleting its last char
    expect(mapSpanThroughChange(span, change(9, 2, 'Z'))).toBeUndefined(); // replacing across its start
    expect(mapSpanThroughChange(span, change(0, 30, ''))).toBeUndefined(); // deleting around it
    expect(mapSpanThroughChange(span, change(10, 5, 'Paris'))).toBeUndefined(); // replaced, even by equal length
  });
});

/**
 * Independent oracle: every character of the original text carries its index through the edits
 * (inserted characters carry -1). A span survives exactly when its characters are still there,
 * contiguous and in order; its new start is where its first character went.
 */
function oracle(original: string, changes: readonly TextChange[], spans: ReadonlyArray<{ start: number; end: number }>) {
  // One id per UTF-16 code unit (offsets are UTF-16, so an emoji is two ids).
  const ids = Array.from({ length: original.length }, (_, i) => i);
  for (const c of changes) ids.splice(c.rangeOffset, c.rangeLength, ...new Array<number>(c.text.length).fill(-1));
  return spans.map(({ start, end }) => {
    const at = ids.indexOf(start);
    if (at < 0) return undefined;
    for (let k = 0; k < end - start; k++) if (ids[at + k] !== start + k) return undefined;
    return { start: at, end: at + (end - start) };
  });
}

describe('mapSpanThroughChanges against a character-identity oracle', () => {
  it('agrees on 300 random documents with random edit sequences, and surviving spans keep their text', () => {
    const random = mulberry32(7);
    const alphabet = ['a', 'b', ' ', '\r\n', '\n', '🙂', '東', 'é'];
    for (let trial = 0; trial < 300; trial++) {
      let text = '';
      const length = 20 + Math.floor(random() * 60);
      while (text.length < length) text += alphabet[Math.floor(random() * alphabet.length)];
      const spans: Array<{ start: number; end: number }> = [];
      for (let at = 0; at < text.length - 2;) {
        const start = at + Math.floor(random() * 4);
        const end = Math.min(text.length, start + 1 + Math.floor(random() * 4));
        if (end > start) spans.push({ start, end });
        at = end + 1;
      }
      const changes: TextChange[] = [];
      let current = text;
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const offset = Math.floor(random() * (current.length + 1));
        const removed = Math.floor(random() * Math.min(4, current.length - offset + 1));
        const inserted = ['', 'x', 'yz', '\r\n', '🙂'][Math.floor(random() * 5)]!;
        const c = change(offset, removed, inserted);
        changes.push(c);
        current = applyChanges(current, [c]);
      }
      const expected = oracle(text, changes, spans);
      spans.forEach((s, i) => {
        const mapped = mapSpanThroughChanges(s, changes);
        expect(mapped, `trial ${trial} span ${i}`).toEqual(expected[i]);
        if (mapped) expect(current.slice(mapped.start, mapped.end)).toBe(text.slice(s.start, s.end));
      });
    }
  });
});

describe('ChangeTracker', () => {
  it('records the edits of a tracked document from the moment it is tracked, per tracker', () => {
    const tracker = new ChangeTracker();
    tracker.record('a', [change(0, 0, 'early')]);
    const first = tracker.track('a');
    tracker.record('a', [change(1, 0, 'x')]);
    const second = tracker.track('a');
    tracker.record('a', [change(2, 1, ''), change(0, 0, 'y')]);
    tracker.record('b', [change(0, 0, 'other document')]);
    expect(first.changes).toEqual([change(1, 0, 'x'), change(2, 1, ''), change(0, 0, 'y')]);
    expect(second.changes).toEqual([change(2, 1, ''), change(0, 0, 'y')]);
    expect(first.lost).toBe(false);
    tracker.documentClosed('a');
    expect(first.lost && second.lost).toBe(true);
    first.dispose();
    expect(tracker.trackedDocuments).toBe(1);
    second.dispose();
    expect(tracker.trackedDocuments).toBe(0);
  });
});
