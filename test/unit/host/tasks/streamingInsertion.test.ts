// StreamingInsertion with a fake editor: the streamed text ends as the final text in one undo step,
// the user's edits elsewhere move it, an edit inside it (or a refused edit) stops the stream.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';

interface Change {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

const listeners = new Set<(event: { document: unknown; contentChanges: Change[] }) => void>();

vi.mock('vscode', () => {
  class Range {
    constructor(readonly start: number, readonly end: number) {}
  }
  return {
    Range,
    workspace: {
      onDidChangeTextDocument: (listener: (event: { document: unknown; contentChanges: Change[] }) => void) => {
        listeners.add(listener);
        return { dispose: () => listeners.delete(listener) };
      },
    },
  };
});

const { StreamingInsertion } = await import('../../../../src/host/tasks/generation/streamingInsertion');

/** An editor over a string; positions are offsets. Every change is announced as VS Code does. */
class FakeEditor {
  text: string;
  undoStops: Array<{ undoStopBefore: boolean; undoStopAfter: boolean }> = [];
  refuse = false;
  readonly document = {
    isClosed: false,
    positionAt: (offset: number) => offset,
  };
  constructor(text: string) {
    this.text = text;
  }
  change(rangeOffset: number, rangeLength: number, text: string): void {
    this.text = this.text.slice(0, rangeOffset) + text + this.text.slice(rangeOffset + rangeLength);
    for (const listener of listeners) listener({ document: this.document, contentChanges: [{ rangeOffset, rangeLength, text }] });
  }
  async edit(build: (builder: { replace(range: { start: number; end: number }, text: string): void }) => void, options: { undoStopBefore: boolean; undoStopAfter: boolean }): Promise<boolean> {
    await Promise.resolve();
    if (this.refuse) return false;
    build({ replace: (range, text) => this.change(range.start, range.end - range.start, text) });
    this.undoStops.push(options);
    return true;
  }
}

beforeEach(() => listeners.clear());

describe('StreamingInsertion', () => {
  it('writes each update in place of the previous text and ends with the final one, as one undo step', async () => {
    const editor = new FakeEditor('The harbour of| end');
    const stops: string[] = [];
    const insertion = new StreamingInsertion(editor as unknown as vscode.TextEditor, 14, (reason) => stops.push(reason));
    void insertion.update(' the');
    void insertion.update(' the city ,');
    void insertion.update(' the city,');
    await insertion.update(' the city, 🙂', true);
    expect(editor.text).toBe('The harbour of the city, 🙂| end');
    expect(editor.undoStops[0]).toEqual({ undoStopBefore: true, undoStopAfter: false });
    expect(editor.undoStops.slice(1, -1).every((s) => !s.undoStopBefore && !s.undoStopAfter)).toBe(true);
    expect(editor.undoStops.at(-1)).toEqual({ undoStopBefore: false, undoStopAfter: true });
    expect(stops).toEqual([]);
    insertion.dispose();
    expect(listeners.size).toBe(0);
  });

  it('follows the user\'s edits before the insertion point; stops when the streamed text itself is edited', async () => {
    const editor = new FakeEditor('abc|xyz');
    const stops: string[] = [];
    const insertion = new StreamingInsertion(editor as unknown as vscode.TextEditor, 3, (reason) => stops.push(reason));
    await insertion.update(' one');
    editor.change(0, 0, '>> ');
    await insertion.update(' one two');
    expect(editor.text).toBe('>> abc one two|xyz');
    editor.change(editor.text.indexOf('two'), 1, 'T');
    await insertion.update(' one two three', true);
    expect(stops).toEqual(['the text being written was edited']);
    expect(insertion.stopped).toBe('the text being written was edited');
    expect(editor.text).toBe('>> abc one Two|xyz');
    insertion.dispose();
  });

  it('a refused edit or a closed document stops the stream; nothing more is written', async () => {
    const editor = new FakeEditor('abc');
    const stops: string[] = [];
    const insertion = new StreamingInsertion(editor as unknown as vscode.TextEditor, 3, (reason) => stops.push(reason));
    await insertion.update(' x');
    editor.refuse = true;
    await insertion.update(' x y');
    editor.refuse = false;
    await insertion.update(' x y z', true);
    expect(editor.text).toBe('abc x');
    expect(stops).toEqual(['the editor was closed or did not accept the edit']);
    const closed = new FakeEditor('abc');
    closed.document.isClosed = true;
    const other = new StreamingInsertion(closed as unknown as vscode.TextEditor, 3, (reason) => stops.push(reason));
    await other.update(' x');
    expect(closed.text).toBe('abc');
    expect(other.stopped).toBe('the document was closed');
    insertion.dispose();
    other.dispose();
  });
});
