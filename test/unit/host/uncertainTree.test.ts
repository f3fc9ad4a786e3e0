import { describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { QueueCursor, type UncertainItem } from '../../../src/host/uncertainty/uncertainQueue';

// Just enough of `vscode` for the tree provider: items keep what they are given.
vi.mock('vscode', () => {
  class EventEmitter<T> {
    private listeners: Array<(value: T) => void> = [];
    event = (listener: (value: T) => void) => {
      this.listeners.push(listener);
      return { dispose() {} };
    };
    fire(value: T): void {
      for (const listener of this.listeners) listener(value);
    }
    dispose(): void {}
  }
  class TreeItem {
    description?: string;
    tooltip?: string;
    command?: unknown;
    iconPath?: unknown;
    constructor(readonly label: string, readonly collapsibleState: number) {}
  }
  class ThemeIcon {
    constructor(readonly id: string) {}
  }
  return { EventEmitter, TreeItem, ThemeIcon, TreeItemCollapsibleState: { None: 0 } };
});

const { UncertainTreeProvider, REVEAL_UNCERTAIN_COMMAND } = await import('../../../src/host/uncertainty/uncertainTree');

const item = (text: string, score: number, line: number): UncertainItem => ({ key: 'file:///ws/a.txt', label: 'a.txt', line, start: 0, end: text.length, text, score, words: 3 });

describe('Uncertain view', () => {
  it('lists the queue in order: first words, file:line · score; arrow on the current row, checks on visited ones', () => {
    const tree = new UncertainTreeProvider();
    const items = [item('Is Paris a person or a place in this very long sentence here?', 0.91, 4), item('Anna met Bob.', 0.4, 1), item('The end.', 0.1, 9)];
    const cursor = new QueueCursor(items.length);
    let fired = 0;
    tree.onDidChangeTreeData(() => fired++);
    tree.show(items, cursor, 'sentence');
    expect(fired).toBe(1);
    expect(tree.getChildren()).toEqual([0, 1, 2]);
    expect(tree.getChildren(0)).toEqual([]);
    cursor.next();
    cursor.next();
    const rows = [0, 1, 2].map((i) => tree.getTreeItem(i) as vscode.TreeItem & { iconPath: { id: string } });
    expect(rows.map((r) => [r.label, r.description])).toEqual([
      ['Is Paris a person or a place in this very long…', 'a.txt:4 · 0.910'],
      ['Anna met Bob.', 'a.txt:1 · 0.400'],
      ['The end.', 'a.txt:9 · 0.100'],
    ]);
    expect(rows.map((r) => r.iconPath.id)).toEqual(['check', 'arrow-right', 'circle-outline']);
    expect(rows[2]!.command).toEqual({ command: REVEAL_UNCERTAIN_COMMAND, title: 'Reveal sentence', arguments: [2] });
    expect(String(rows[0]!.tooltip)).toContain('#1 · uncertainty 0.9100 over 3 word(s) · a.txt:4');
    expect(tree.summary(['2 file(s) could not be read'])).toBe('3 sentence(s), most uncertain first · 2 / 3 visited · 2 file(s) could not be read');
    tree.show([], undefined, 'sentence');
    expect(tree.summary([])).toBeUndefined();
  });
});
