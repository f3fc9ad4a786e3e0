import * as vscode from 'vscode';
import { firstWords, itemDescription, type QueueCursor, type UncertainItem } from './uncertainQueue';

export const REVEAL_UNCERTAIN_COMMAND = 'bertLens.revealUncertain';

/** Rows shown at most; the rest of the queue is still reached by Next Uncertain. */
const MAX_ROWS = 500;

/**
 * The Uncertain view: the ranked queue, most uncertain first. Each row is the unit's first words,
 * with file, line and score; the current item has an arrow, visited ones a check. Clicking a row
 * reveals and selects that sentence or paragraph.
 */
export class UncertainTreeProvider implements vscode.TreeDataProvider<number>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<number | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private items: readonly UncertainItem[] = [];
  private cursor: QueueCursor | undefined;
  private what = 'sentence';

  show(items: readonly UncertainItem[], cursor: QueueCursor | undefined, what: string): void {
    this.items = items;
    this.cursor = cursor;
    this.what = what;
    this.changed.fire(undefined);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getChildren(element?: number): number[] {
    if (element !== undefined) return [];
    return this.items.slice(0, MAX_ROWS).map((_, i) => i);
  }

  getTreeItem(index: number): vscode.TreeItem {
    const item = this.items[index]!;
    const row = new vscode.TreeItem(firstWords(item.text), vscode.TreeItemCollapsibleState.None);
    row.description = itemDescription(item);
    const words = item.words === undefined ? '' : ` over ${item.words} word(s)`;
    row.tooltip = `#${index + 1} · uncertainty ${item.score.toFixed(4)}${words} · ${item.label}:${item.line}\n\n${item.text.length > 600 ? `${item.text.slice(0, 600)}…` : item.text}`;
    row.iconPath = this.cursor?.position === index
      ? new vscode.ThemeIcon('arrow-right')
      : this.cursor?.isVisited(index) ? new vscode.ThemeIcon('check') : new vscode.ThemeIcon('circle-outline');
    row.command = { command: REVEAL_UNCERTAIN_COMMAND, title: `Reveal ${this.what}`, arguments: [index] };
    row.contextValue = 'bertLens.uncertainItem';
    return row;
  }

  /** The view's message: what the queue holds and how far the user got. */
  summary(omitted: readonly string[]): string | undefined {
    if (this.items.length === 0) return undefined;
    const shown = this.items.length > MAX_ROWS ? ` (first ${MAX_ROWS} listed)` : '';
    const progress = this.cursor ? ` · ${this.cursor.visitedCount} / ${this.items.length} visited` : '';
    const note = omitted.length > 0 ? ` · ${omitted.join('; ')}` : '';
    return `${this.items.length} ${this.what}(s), most uncertain first${shown}${progress}${note}`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
