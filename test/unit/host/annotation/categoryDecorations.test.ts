import { describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { TextCategories } from '../../../../src/core/data/annotation';

// Just enough of `vscode` for the badge decorations: the type's options and what is set are kept.
const created = vi.hoisted(() => ({ options: [] as unknown[] }));
vi.mock('vscode', () => {
  class ThemeColor {
    constructor(readonly id: string) {}
  }
  class Range {
    constructor(readonly start: unknown, readonly end: unknown) {}
  }
  return {
    ThemeColor,
    Range,
    DecorationRangeBehavior: { ClosedOpen: 1 },
    window: {
      createTextEditorDecorationType: (options: unknown) => {
        created.options.push(options);
        return { dispose() {} };
      },
    },
  };
});

const { CategoryDecorations } = await import('../../../../src/host/annotation/categoryDecorations');

describe('category badges in the editor', () => {
  it('puts each badge as plain after-text at the end of its paragraph (the document\'s after the first line)', () => {
    const text = 'Title line\n\nFirst paragraph.\n\nSecond <b>one</b>.';
    const decorations = new CategoryDecorations();
    const set: Array<{ options: vscode.DecorationOptions[] }> = [];
    const editor = {
      document: { getText: () => text, positionAt: (offset: number) => ({ offset }) },
      setDecorations: (_type: unknown, options: vscode.DecorationOptions[]) => set.push({ options }),
    } as unknown as vscode.TextEditor;
    const para = (words: string, accept: string[]): TextCategories => ({ start: text.indexOf(words), end: text.indexOf(words) + words.length, scope: 'paragraph', options: ['a', '<i>b</i>'], multiLabel: true, accept });
    decorations.render(editor, [
      para('Second <b>one</b>.', ['<i>b</i>']),
      para('First paragraph.', ['a']),
      { start: 0, end: text.length, scope: 'document', options: ['news'], multiLabel: false, accept: ['news'] },
    ]);
    expect(set).toHaveLength(1);
    const rendered = set[0]!.options.map((o) => [(o.range.start as unknown as { offset: number }).offset, o.renderOptions!.after!.contentText]);
    expect(rendered).toEqual([
      [text.indexOf('\n'), ' \u25b8 document: news '],
      [text.indexOf('First paragraph.') + 'First paragraph.'.length, ' \u25b8 a '],
      [text.length, ' \u25b8 <i>b</i> '],
    ]);
    // A boxed badge (a border), told apart from the italic score of Classify Each Paragraph.
    expect(created.options[0]).toMatchObject({ after: { border: '1px solid' } });
    decorations.dispose();
  });
});
