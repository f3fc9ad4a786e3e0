import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { CategorySet } from '../../../../src/core/data/categoryEdits';
import type { ClassificationResult } from '../../../../src/host/annotation/acceptClassifications';

/**
 * The text-category commands as registered, on a fake editor: Alt+n (categoryWithKey), Label
 * Paragraph / Document with Categories (the quick pick answered by the test), Accept
 * Classifications; the decisions end up in the model and in .bert-lens/annotations.jsonl.
 */
interface FakeQuickPick {
  items: Array<{ label: string; row?: { value: string } | undefined; picked?: boolean }>;
  selectedItems: FakeQuickPick['items'];
  activeItems: FakeQuickPick['items'];
  value: string;
  canSelectMany: boolean;
  title?: string;
  accept(): void;
  type(value: string): void;
}

const ui = vi.hoisted(() => ({
  editor: undefined as unknown,
  status: [] as string[],
  messages: [] as string[],
  handlers: new Map<string, (...args: unknown[]) => Promise<void>>(),
  folder: '',
  /** What the person does with a quick pick once it shows. */
  onPick: undefined as undefined | ((pick: FakeQuickPick) => void),
}));

vi.mock('vscode', () => {
  class ThemeIcon {
    constructor(readonly id: string) {}
  }
  const createQuickPick = () => {
    const listeners = { accept: [] as Array<() => void>, value: [] as Array<(v: string) => void>, hide: [] as Array<() => void>, button: [] as Array<(e: unknown) => void> };
    const pick = {
      items: [], selectedItems: [], activeItems: [], value: '', canSelectMany: false, title: undefined, placeholder: undefined, matchOnDetail: false,
      onDidAccept: (fn: () => void) => listeners.accept.push(fn),
      onDidChangeValue: (fn: (v: string) => void) => listeners.value.push(fn),
      onDidHide: (fn: () => void) => listeners.hide.push(fn),
      onDidTriggerItemButton: (fn: (e: unknown) => void) => listeners.button.push(fn),
      accept: () => listeners.accept.forEach((fn) => fn()),
      type: (value: string) => {
        pick.value = value;
        listeners.value.forEach((fn) => fn(value));
      },
      show: () => queueMicrotask(() => (ui.onPick ? ui.onPick(pick as unknown as FakeQuickPick) : listeners.hide.forEach((fn) => fn()))),
      dispose: () => undefined,
    };
    return pick;
  };
  return {
    ThemeIcon,
    window: {
      get activeTextEditor() {
        return ui.editor;
      },
      createQuickPick,
      setStatusBarMessage: (message: string) => void ui.status.push(message),
      showInformationMessage: async (message: string) => void ui.messages.push(message),
      showWarningMessage: async (message: string) => void ui.messages.push(message),
      showErrorMessage: async (message: string) => void ui.messages.push(message),
    },
    workspace: {
      getWorkspaceFolder: () => ({ uri: { scheme: 'file', fsPath: ui.folder } }),
    },
    commands: {
      registerCommand: (name: string, handler: (...args: unknown[]) => Promise<void>) => {
        ui.handlers.set(name, handler);
        return { dispose() {} };
      },
      executeCommand: async () => undefined,
    },
  };
});

const { AnnotationStore } = await import('../../../../src/core/data/annotationStore');
const { AnnotationModel } = await import('../../../../src/host/annotation/annotationModel');
const { AnnotationPersistence } = await import('../../../../src/host/annotation/persistence');
const { registerCategoryCommands, CATEGORY_COMMANDS } = await import('../../../../src/host/annotation/categoryCommands');

const TEXT = 'Port expansion approved\n\nThe port authority approved the terminal.\nWork starts in May.\n\n\nThe minister welcomed it.\n';
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-category-commands-'));
  ui.folder = dir;
  ui.status.length = 0;
  ui.messages.length = 0;
  ui.handlers.clear();
  ui.onPick = undefined;
});

// Models of the test: their pending saves are written before the folder goes.
const models: Array<{ flush(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(models.splice(0).map((model) => model.flush()));
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** An editor on TEXT with the selection [anchor, active) given as offsets. */
function editorAt(anchor: number, active = anchor) {
  const fsPath = path.join(dir, 'port.txt');
  const position = (offset: number) => ({ offset });
  const document = {
    uri: { scheme: 'file', fsPath, toString: () => `file://${fsPath}` },
    isUntitled: false,
    getText: () => TEXT,
    offsetAt: (p: { offset: number }) => p.offset,
    positionAt: (offset: number) => ({ ...position(offset), line: TEXT.slice(0, offset).split('\n').length - 1 }),
  };
  const [from, to] = [Math.min(anchor, active), Math.max(anchor, active)];
  ui.editor = { document, selection: { start: position(from), end: position(to), active: position(active), isEmpty: from === to } };
  return document.uri.toString();
}

function setup(set: CategorySet, results: ClassificationResult[] = []) {
  const reporter = { info: () => undefined, warn: () => undefined };
  const persistence = new AnnotationPersistence(reporter, 0);
  const model = new AnnotationModel(persistence, reporter, () => []);
  models.push(model);
  const log = { info: () => undefined, warn: () => undefined } as unknown as vscode.LogOutputChannel;
  registerCategoryCommands({ model, categorySet: () => set, classifications: { results: () => results }, log });
  const run = (command: string, ...args: unknown[]) => ui.handlers.get(command)!(...args);
  return { model, run };
}

async function stored(): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const document = (await AnnotationStore.open(dir)).get('port.txt');
  return (document?.categories ?? []).map((c) => `${c.scope} ${c.accept.join('+')}: ${TEXT.slice(c.start, c.end)}`);
}

const PARAGRAPH = 'The port authority approved the terminal.\nWork starts in May.';
const EXCLUSIVE: CategorySet = { labels: ['shipping', 'politics'], exclusive: true };

describe('Alt+n (categoryWithKey)', () => {
  it('labels the paragraph under the cursor, replaces the exclusive category, and takes it off again', async () => {
    const { model, run } = setup(EXCLUSIVE);
    const key = editorAt(TEXT.indexOf('starts'));
    await run(CATEGORY_COMMANDS.categoryWithKey, 1);
    await model.flush();
    expect(await stored()).toEqual([`paragraph shipping: ${PARAGRAPH}`]);
    expect(ui.status.at(-1)).toBe('BERT Lens: paragraph labelled shipping');
    await run(CATEGORY_COMMANDS.categoryWithKey, 2);
    await model.flush();
    expect(await stored()).toEqual([`paragraph politics: ${PARAGRAPH}`]);
    expect(model.categories(key)!.map((c) => c.options)).toEqual([['shipping', 'politics']]);
    await run(CATEGORY_COMMANDS.categoryWithKey, 2);
    await model.flush();
    expect(await stored()).toEqual([]);
    expect(ui.status.at(-1)).toBe('BERT Lens: categories of the paragraph removed');
  });

  it('labels a selection (trimmed) when there is one; multi-label keys add up', async () => {
    const { model, run } = setup({ labels: ['shipping', 'politics'], exclusive: false });
    const start = TEXT.indexOf('The minister') - 1;
    editorAt(start, start + ' The minister welcomed'.length);
    await run(CATEGORY_COMMANDS.categoryWithKey, 2);
    await run(CATEGORY_COMMANDS.categoryWithKey, 1);
    await model.flush();
    expect(await stored()).toEqual(['selection politics+shipping: The minister welcomed']);
  });

  it('says why nothing happened: a key past the set, the cursor on a blank line', async () => {
    const { run } = setup(EXCLUSIVE);
    editorAt(TEXT.indexOf('May.') + 5);
    await run(CATEGORY_COMMANDS.categoryWithKey, 1);
    expect(ui.status.at(-1)).toMatch(/put the cursor in a paragraph first/);
    await run(CATEGORY_COMMANDS.categoryWithKey, 3);
    expect(ui.status.at(-1)).toMatch(/^BERT Lens: no category on Alt\+3: the category set has 2 label\(s\)/);
    expect(await stored()).toEqual([]);
  });

  it('offers the labels the workspace\'s decisions already use after the configured ones', async () => {
    const { model, run } = setup({ labels: [], exclusive: true });
    editorAt(2);
    ui.onPick = (pick) => {
      pick.type('headline');
      pick.activeItems = [pick.items.find((item) => item.row?.value === 'headline')!];
      pick.accept();
    };
    await run(CATEGORY_COMMANDS.categorizeParagraph);
    await model.flush();
    expect(await stored()).toEqual(['paragraph headline: Port expansion approved']);
    // "headline" is now Alt+1.
    editorAt(TEXT.indexOf('minister'));
    await run(CATEGORY_COMMANDS.categoryWithKey, 1);
    await model.flush();
    expect(await stored()).toEqual(['paragraph headline: Port expansion approved', 'paragraph headline: The minister welcomed it.']);
  });
});

describe('Label Document with Categories and Accept Classifications', () => {
  it('the document decision from the quick pick covers the whole text', async () => {
    const { model, run } = setup(EXCLUSIVE);
    editorAt(0);
    ui.onPick = (pick) => {
      expect(pick.canSelectMany).toBe(false);
      pick.activeItems = [pick.items.find((item) => item.row?.value === 'politics')!];
      pick.accept();
    };
    await run(CATEGORY_COMMANDS.categorizeDocument);
    await model.flush();
    expect(await stored()).toEqual([`document politics: ${TEXT}`]);
  });

  it('accepts the checked proposals as decisions, keeping a paragraph the person already labelled', async () => {
    const paragraphs = ['Port expansion approved', PARAGRAPH, 'The minister welcomed it.'];
    const results: ClassificationResult[] = [{
      scope: 'paragraphs', scoreKind: 'sigmoid', threshold: 0.5, labels: ['shipping', 'politics'], modelDescription: 'm',
      spans: paragraphs.map((words, i) => ({ start: TEXT.indexOf(words), end: TEXT.indexOf(words) + words.length, text: words, results: [{ label: 'shipping', score: i === 2 ? 0.2 : 0.9 }, { label: 'politics', score: i === 0 ? 0.1 : 0.7 }] })),
    }];
    const { model, run } = setup(EXCLUSIVE, results);
    editorAt(TEXT.indexOf('minister'));
    await run(CATEGORY_COMMANDS.categoryWithKey, 1); // the person's own: shipping
    ui.onPick = (pick) => {
      expect(pick.canSelectMany).toBe(true);
      expect(pick.title).toBe('Accept Classifications: 2 prediction(s), 1 kept as you labelled them');
      // Uncheck the second proposal: only the first is accepted.
      pick.selectedItems = pick.selectedItems.slice(0, 1);
      pick.accept();
    };
    await run(CATEGORY_COMMANDS.acceptClassifications);
    await model.flush();
    expect(await stored()).toEqual(['paragraph shipping: Port expansion approved', 'paragraph shipping: The minister welcomed it.']);
    expect(ui.status.at(-1)).toBe('BERT Lens: 1 classification(s) accepted as text categories');
  });

  it('without classification results it says what to run', async () => {
    const { run } = setup(EXCLUSIVE);
    editorAt(0);
    await run(CATEGORY_COMMANDS.acceptClassifications);
    expect(ui.messages).toEqual([expect.stringMatching(/no classification results to accept\. Run Classify Each Paragraph or Classify Document first/)]);
  });
});
