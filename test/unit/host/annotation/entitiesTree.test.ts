import { describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { AnnotationTreeSource, EntityFilter } from '../../../../src/host/annotation/annotationTree';
import type { TrackedCategories } from '../../../../src/host/annotation/documentCategories';
import type { TrackedSpan } from '../../../../src/host/annotation/trackedSpans';

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
    id?: string;
    description?: string;
    tooltip?: string;
    contextValue?: string;
    command?: unknown;
    iconPath?: unknown;
    constructor(
      readonly label: string,
      readonly collapsibleState: number,
    ) {}
  }
  class ThemeIcon {
    constructor(readonly id: string, readonly color?: unknown) {}
  }
  class ThemeColor {
    constructor(readonly id: string) {}
  }
  class Range {
    constructor(readonly start: unknown, readonly end: unknown) {}
  }
  return { EventEmitter, TreeItem, ThemeIcon, ThemeColor, Range, TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 } };
});

const { EntitiesTreeProvider } = await import('../../../../src/host/ner/entitiesTree');
const { EntityStore } = await import('../../../../src/host/ner/entityStore');
const { entitiesFromResults } = await import('../../../../src/host/ner/entities');

const TEXT = 'Angela Merkel met Emmanuel Macron in Paris.';
const URI = 'file:///ws/news.txt';

function setup(filter: EntityFilter, categories?: TrackedCategories[]) {
  const document = {
    uri: { toString: () => URI },
    // Positions carry their offset so that getText(range) can slice the text.
    positionAt: (offset: number) => ({ line: offset > 20 ? 1 : 0, character: 0, offset }),
    getText: (range?: { start: { offset: number }; end: { offset: number } }) => (range ? TEXT.slice(range.start.offset, range.end.offset) : TEXT),
  } as unknown as vscode.TextDocument;
  const store = new EntityStore();
  const results = [
    { entity_group: 'PER', score: 0.9, word: 'angela merkel', start: 0, end: 13 },
    { entity_group: 'LOC', score: 0.8, word: 'paris', start: 37, end: 42 },
  ];
  store.set(URI, {
    model: { reference: '/m', dir: '/m', source: 'local', head: 'token-classification', labels: ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'], quantized: false, graphSource: 'folder' },
    modelDescription: 'test model',
    entities: entitiesFromResults([results], [{ offset: 0, text: TEXT }], TEXT),
  });
  const spans: TrackedSpan[] = [
    { id: 1, start: 18, end: 33, label: 'PER', text: 'Emmanuel Macron' },
    { id: 2, start: 37, end: 42, label: 'CITY', text: 'Paris' },
  ];
  const source: AnnotationTreeSource = {
    filter: () => filter,
    spans: (key) => (key === URI ? spans : undefined),
    ...(categories ? { categories: (key: string) => (key === URI ? categories : undefined) } : {}),
    slots: () => new Map([['PER', 'PER'], ['CITY', 'palette0']]),
  };
  const tree = new EntitiesTreeProvider(store, source);
  tree.show(document);
  return tree;
}

type Tree = ReturnType<typeof setup>;
type Node = ReturnType<Tree['getChildren']>[number];

/** The tree as lines of "label description", children indented. */
function render(tree: Tree, node?: Node, depth = 0): string[] {
  return tree.getChildren(node).flatMap((child) => {
    const item = tree.getTreeItem(child) as unknown as { label: string; description?: string; contextValue?: string };
    return [`${'  '.repeat(depth)}${item.label} ${item.description ?? ''} [${item.contextValue ?? ''}]`.trimEnd(), ...render(tree, child, depth + 1)];
  });
}

describe('the Entities view with annotations', () => {
  it('"all": an Annotations group by label first (the person\'s own work), then the prediction groups', () => {
    const tree = setup('all');
    expect(render(tree)).toEqual([
      'Annotations 2 [bertLens.annotations]',
      '  PER 1 [bertLens.annotationGroup]',
      '    Emmanuel Macron line 1 [bertLens.annotation]',
      '  CITY 1 [bertLens.annotationGroup]',
      '    Paris line 2 [bertLens.annotation]',
      'PER 1 [bertLens.entityGroup]',
      '  Angela Merkel line 1 · 0.90 [bertLens.entity]',
      'LOC 1 [bertLens.entityGroup]',
      '  Paris line 2 · 0.80 [bertLens.entity]',
    ]);
    expect(tree.summary()).toBe('2 entities · model: test model · 2 annotations');
  });

  it('"predictions" and "annotations" show one kind only, annotations at the top level', () => {
    const predictions = setup('predictions');
    expect(render(predictions).filter((line) => !line.startsWith(' '))).toEqual(['PER 1 [bertLens.entityGroup]', 'LOC 1 [bertLens.entityGroup]']);
    expect(predictions.summary()).toBe('2 entities · model: test model');
    const annotations = setup('annotations');
    expect(render(annotations)).toEqual([
      'PER 1 [bertLens.annotationGroup]',
      '  Emmanuel Macron line 1 [bertLens.annotation]',
      'CITY 1 [bertLens.annotationGroup]',
      '  Paris line 2 [bertLens.annotation]',
    ]);
    expect(annotations.summary()).toBe('2 annotations');
  });

  it('an annotation row reveals its span and carries the context value its menu items need', () => {
    const tree = setup('annotations');
    const [group] = tree.getChildren();
    const [row] = tree.getChildren(group);
    const item = tree.getTreeItem(row!) as unknown as { command: { command: string; arguments: unknown[] } };
    expect(item.command).toMatchObject({ command: 'bertLens.revealAnnotation', arguments: [URI, 1] });
  });
});

describe('text categories in the Annotations tree', () => {
  const CATEGORIES: TrackedCategories[] = [
    { id: -7, start: 0, end: TEXT.length, scope: 'document', options: ['news', 'blog'], multiLabel: false, accept: ['news'] },
    { id: 31, start: 18, end: 42, scope: 'selection', options: ['politics', 'sports'], multiLabel: true, accept: ['politics', 'sports'] },
    { id: 32, start: 0, end: 13, scope: 'paragraph', options: ['<b>x</b>'], multiLabel: false, accept: [] },
  ];

  it('a Text categories group leads the annotations: accepted labels, scope, line and the text covered', () => {
    const tree = setup('all', CATEGORIES);
    expect(render(tree).slice(0, 5)).toEqual([
      'Annotations 5 [bertLens.annotations]',
      '  Text categories 3 [bertLens.categories]',
      '    news document [bertLens.category]',
      '    politics, sports selection · line 1 · Emmanuel Macron in Paris [bertLens.category]',
      '    none of <b>x</b> paragraph · line 1 · Angela Merkel [bertLens.category]',
    ]);
    expect(render(tree)[5]).toBe('  PER 1 [bertLens.annotationGroup]');
    expect(tree.summary()).toBe('2 entities · model: test model · 2 annotations · 3 text categories');
  });

  it('a category row reveals its range by id and says whether the choice was exclusive; predictions alone show none', () => {
    const tree = setup('annotations', CATEGORIES);
    const [group] = tree.getChildren();
    const rows = tree.getChildren(group);
    const items = rows.map((row) => tree.getTreeItem(row) as unknown as { command: { command: string; arguments: unknown[] }; tooltip: string });
    expect(items[1]!.command).toMatchObject({ command: 'bertLens.revealAnnotation', arguments: [URI, 31] });
    expect(items[1]!.tooltip).toBe('multi-label choice among politics, sports');
    expect(items[0]!.tooltip).toBe('exclusive choice among news, blog');
    expect(setup('predictions', CATEGORIES).summary()).toBe('2 entities · model: test model');
  });
});
