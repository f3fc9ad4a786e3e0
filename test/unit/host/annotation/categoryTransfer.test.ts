import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { AnnotatedDocument, TextCategories } from '../../../../src/core/data/annotation';

/**
 * Export Annotations and Import Annotations driven through their registered commands, with the
 * dialogs answered by the test: the whole host path (flush, store, format pick, file, merge, reload).
 */
const ui = vi.hoisted(() => ({
  folders: [] as string[],
  format: '' as string,
  saveTo: '' as string,
  openFile: '' as string,
  formatChoices: [] as Array<{ format: string; description?: string }>,
  messages: [] as string[],
  handlers: new Map<string, () => Promise<void>>(),
}));

vi.mock('vscode', () => {
  const uri = (fsPath: string) => ({ fsPath, scheme: 'file', toString: () => `file://${fsPath}` });
  return {
    Uri: { file: uri },
    workspace: {
      get workspaceFolders() {
        return ui.folders.map((folder) => ({ uri: uri(folder) }));
      },
    },
    window: {
      showQuickPick: async (items: Array<{ format: string; description?: string }>) => {
        ui.formatChoices = items;
        return items.find((item) => item.format === ui.format);
      },
      showSaveDialog: async () => uri(ui.saveTo),
      showOpenDialog: async () => [uri(ui.openFile)],
      showInformationMessage: async (message: string) => void ui.messages.push(message),
      showWarningMessage: async (message: string) => void ui.messages.push(message),
      showErrorMessage: async (message: string) => void ui.messages.push(message),
    },
    commands: {
      registerCommand: (name: string, handler: () => Promise<void>) => {
        ui.handlers.set(name, handler);
        return { dispose() {} };
      },
    },
  };
});

const { AnnotationStore } = await import('../../../../src/core/data/annotationStore');
const { AnnotationModel } = await import('../../../../src/host/annotation/annotationModel');
const { AnnotationPersistence } = await import('../../../../src/host/annotation/persistence');
const { registerTransferCommands, TRANSFER_COMMANDS } = await import('../../../../src/host/annotation/transferCommands');

let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-textcat-'));
  ui.messages.length = 0;
  ui.handlers.clear();
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true, maxRetries: 5 });
});

const NEWS = 'City won the derby 🙂.\n\nParliament passed the budget.\n\nRain all week.';
const NOTE = 'A quiet day.';
const para = (text: string, words: string, accept: string[], multiLabel = false): TextCategories => ({
  start: text.indexOf(words),
  end: text.indexOf(words) + words.length,
  scope: 'paragraph',
  options: ['sports', 'politics'],
  multiLabel,
  accept,
});

const DOCUMENTS: AnnotatedDocument[] = [
  {
    text: NEWS,
    spans: [{ start: 0, end: 4, label: 'ORG' }],
    meta: { path: 'news.txt' },
    categories: [
      { start: 0, end: NEWS.length, scope: 'document', options: ['news', 'blog'], multiLabel: false, accept: ['news'] },
      para(NEWS, 'City won the derby 🙂.', ['sports']),
      para(NEWS, 'Parliament passed the budget.', ['politics']),
    ],
  },
  { text: NOTE, spans: [], meta: { path: 'note.txt' }, categories: [{ start: 0, end: NOTE.length, scope: 'document', options: ['news', 'blog'], multiLabel: false, accept: ['blog'] }] },
  { text: 'Bob is here.', spans: [{ start: 0, end: 3, label: 'PER' }], meta: { path: 'spans-only.txt' } },
];

async function workspace(name: string, documents: readonly AnnotatedDocument[] = []) {
  const folderDir = path.join(root, name);
  await fs.mkdir(folderDir);
  const store = await AnnotationStore.open(folderDir);
  await Promise.all(documents.map((document) => store.put(document)));
  const reporter = { info: () => undefined, warn: () => undefined };
  const persistence = new AnnotationPersistence(reporter, 0);
  const model = new AnnotationModel(persistence, reporter, () => []);
  const log = { info: () => undefined, warn: () => undefined, show: () => undefined } as unknown as vscode.LogOutputChannel;
  ui.handlers.clear();
  registerTransferCommands({ model, persistence, log });
  ui.folders = [folderDir];
  return { folderDir, model, persistence };
}

async function run(command: string, format: string, file: string): Promise<string> {
  ui.format = format;
  ui.saveTo = file;
  ui.openFile = file;
  ui.messages.length = 0;
  await ui.handlers.get(command)!();
  return ui.messages.join('\n');
}

/** Every decision as "path scope labels: text", sorted: what a round trip must keep whatever the offsets. */
function decisions(documents: readonly AnnotatedDocument[]): string[] {
  return documents.flatMap((d) => (d.categories ?? []).map((c) => `${d.meta.path} ${c.scope} ${c.accept.join('+')}: ${d.text.slice(c.start, c.end)}`)).sort();
}

const FORMATS: Array<[string, string, boolean]> = [
  // format, file name, whether the format carries meta.path (and so folds back onto the stored documents)
  ['prodigy-textcat', 'out.jsonl', true],
  ['label-studio-choices', 'out.json', true],
  ['hf-textcat', 'out.hf.jsonl', false],
  ['csv-textcat', 'out.csv', false],
  ['tsv-textcat', 'out.tsv', false],
];

describe('text categories: Export Annotations then Import Annotations', () => {
  it.each(FORMATS)('%s: every decision is written; imported into a new workspace, each is a record of its own text', async (format, name) => {
    const source = await workspace('source', DOCUMENTS);
    const file = path.join(root, name);
    const exported = await run(TRANSFER_COMMANDS.exportAnnotations, format, file);
    expect(ui.formatChoices.find((choice) => choice.format === format)?.description).toBe('text categories');
    // news.txt: its own decision and two paragraph records; note.txt: one; the spans-only document none.
    expect(exported).toMatch(new RegExp(`^BERT Lens: exported 4 text-category decision\\(s\\) to ${name.replace(/\./g, '\\.')}; 1 record\\(s\\) could not`));
    await fs.access(file);
    expect(source.folderDir).not.toBe(root);

    const target = await workspace('target');
    const imported = await run(TRANSFER_COMMANDS.importAnnotations, 'auto-detected', file);
    // The detected format is offered first.
    expect(ui.formatChoices[0]).toMatchObject({ format, description: 'detected' });
    const message = await run(TRANSFER_COMMANDS.importAnnotations, format, file);
    expect(imported).toBe('');
    expect(message).toMatch(/^BERT Lens: Imported .*: 4 new document\(s\), 0 merged, 4 text-category decision\(s\) added\.$/);
    const stored = (await AnnotationStore.open(target.folderDir)).list();
    expect(stored.map((d) => [d.text, d.categories!.map((c) => c.accept.join('+'))]).sort()).toEqual([
      [NEWS, ['news']],
      [NOTE, ['blog']],
      ['City won the derby 🙂.', ['sports']],
      ['Parliament passed the budget.', ['politics']],
    ].sort());
  });

  it.each(FORMATS.filter(([, , paths]) => paths))('%s back into the same workspace: paragraph records fold onto their documents, nothing added or overwritten', async (format, name) => {
    const { folderDir } = await workspace('same', DOCUMENTS);
    const file = path.join(root, name);
    await run(TRANSFER_COMMANDS.exportAnnotations, format, file);
    const before = (await AnnotationStore.open(folderDir)).list();
    const message = await run(TRANSFER_COMMANDS.importAnnotations, format, file);
    expect(message).toMatch(/0 new document\(s\), 0 merged, 0 text-category decision\(s\) added, 2 already present/);
    const after = (await AnnotationStore.open(folderDir)).list();
    expect(after.map((d) => d.meta.path).sort()).toEqual(['news.txt', 'note.txt', 'spans-only.txt']);
    expect(decisions(after)).toEqual(decisions(before));
  });

  it('an import never overwrites a stored decision: a different one is reported, a new range is added', async () => {
    const { folderDir, model } = await workspace('keep', DOCUMENTS);
    // The editor has news.txt open: the import must show in it too.
    const key = `file://${folderDir}/news.txt`;
    await model.open({ key, location: { folderDir, path: 'news.txt' }, getText: () => NEWS });
    const rain = para(NEWS, 'Rain all week.', ['sports']);
    const lines = [
      // The document's own decision, changed: the stored "news" is kept.
      { text: NEWS, options: [{ id: 'news' }, { id: 'blog' }], accept: ['blog'], meta: { path: 'news.txt' } },
      // A paragraph that has no decision yet: added onto news.txt.
      { text: 'Rain all week.', options: [{ id: 'sports' }, { id: 'politics' }], accept: ['sports'], meta: { path: 'news.txt#x', source_path: 'news.txt', start: rain.start, end: rain.end, scope: 'paragraph' } },
      // A paragraph decided otherwise: the stored "politics" is kept.
      { text: 'Parliament passed the budget.', options: [{ id: 'sports' }, { id: 'politics' }], accept: ['sports'], meta: { path: 'news.txt#y', source_path: 'news.txt', start: NEWS.indexOf('Parliament'), end: NEWS.indexOf('Parliament') + 29, scope: 'paragraph' } },
      // Claims a range that no longer holds its text: imported as a record of its own.
      { text: 'Snow all week.', options: [{ id: 'sports' }], accept: ['sports'], meta: { path: 'news.txt#z', source_path: 'news.txt', start: rain.start, end: rain.end, scope: 'paragraph' } },
    ];
    const file = path.join(root, 'mixed.jsonl');
    await fs.writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n'));
    const message = await run(TRANSFER_COMMANDS.importAnnotations, 'prodigy-textcat', file);
    expect(message).toMatch(/1 new document\(s\), 1 merged, 2 text-category decision\(s\) added, 2 record\(s\) or span\(s\) skipped/);
    const news = (await AnnotationStore.open(folderDir)).get('news.txt')!;
    expect(decisions([news])).toEqual([
      'news.txt document news: ' + NEWS,
      'news.txt paragraph politics: Parliament passed the budget.',
      'news.txt paragraph sports: City won the derby 🙂.',
      'news.txt paragraph sports: Rain all week.',
    ]);
    expect(news.spans).toEqual([{ start: 0, end: 4, label: 'ORG' }]);
    expect((await AnnotationStore.open(folderDir)).get('news.txt#z')?.text).toBe('Snow all week.');
    // The open document took the new decision.
    expect(model.categories(key)!.map((c) => `${c.scope} ${c.accept.join('+')}`)).toEqual(['document news', 'paragraph sports', 'paragraph politics', 'paragraph sports']);
  });
});
