import * as vscode from 'vscode';
import { mapSpanThroughChange } from '../../ner/textChanges';
import { streamEdit } from './continuation';

/**
 * Text written into a document piece by piece while a model generates it, as one undo step. Each
 * update replaces what differs from the text shown so far. Edits by the user elsewhere move the
 * insertion; an edit inside it (or the document closing) stops the stream: `stopped` says why, and
 * the text inserted so far stays.
 */
export class StreamingInsertion implements vscode.Disposable {
  private start: number;
  private shown = '';
  private queue: Promise<void> = Promise.resolve();
  /** The change our edit in flight will report, to tell it from the user's edits. */
  private expected: { rangeOffset: number; rangeLength: number; text: string } | undefined;
  private edits = 0;
  private readonly listener: vscode.Disposable;
  stopped: string | undefined;

  constructor(private readonly editor: vscode.TextEditor, insertAt: number, private readonly onStop: (reason: string) => void) {
    this.start = insertAt;
    this.listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document !== editor.document) return;
      for (const change of event.contentChanges) this.follow(change);
    });
  }

  /** The text inserted so far. */
  get text(): string {
    return this.shown;
  }

  /** Shows `next` in place of the text shown so far (queued after earlier updates). */
  update(next: string, last = false): Promise<void> {
    this.queue = this.queue.then(() => this.apply(next, last));
    return this.queue;
  }

  dispose(): void {
    this.listener.dispose();
  }

  private async apply(next: string, last: boolean): Promise<void> {
    if (this.stopped) return;
    if (this.editor.document.isClosed) return this.stop('the document was closed');
    const { keep, remove, insert } = streamEdit(this.shown, next);
    if (remove === 0 && insert === '' && (!last || this.edits === 0)) return;
    const document = this.editor.document;
    const from = document.positionAt(this.start + keep);
    const to = document.positionAt(this.start + keep + remove);
    this.expected = { rangeOffset: this.start + keep, rangeLength: remove, text: insert };
    let applied = false;
    try {
      applied = await this.editor.edit((builder) => builder.replace(new vscode.Range(from, to), insert), {
        undoStopBefore: this.edits === 0,
        undoStopAfter: last,
      });
    } catch {
      applied = false;
    } finally {
      this.expected = undefined;
    }
    if (!applied) return this.stop('the editor was closed or did not accept the edit');
    this.edits++;
    this.shown = next;
  }

  private follow(change: vscode.TextDocumentContentChangeEvent): void {
    const expected = this.expected;
    if (expected && change.rangeOffset === expected.rangeOffset && change.rangeLength === expected.rangeLength && change.text === expected.text) return;
    const moved = mapSpanThroughChange({ start: this.start, end: this.start + this.shown.length }, change);
    if (!moved) this.stop('the text being written was edited');
    else this.start = moved.start;
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.onStop(reason);
  }
}
