// "Next Uncertain" end to end without VS Code: the command ranks the active document and a workspace
// file with the bundled NER model (the rankUncertain job run in process), then each call selects the
// next most uncertain sentence; a change of bertLens.ner.model (what Use for NER writes) ranks again.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rankMostUncertain } from '../../../src/core/active/uncertainty';
import type { JobContext } from '../../../src/worker/jobHandler';
import { jobRegistry } from '../../../src/worker/jobs';
import { ModelCache } from '../../../src/worker/modelCache';

const fake = vi.hoisted(() => ({
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  config: {} as Record<string, unknown>,
  configListeners: [] as Array<(event: { affectsConfiguration(name: string): boolean }) => void>,
  shown: [] as Array<{ uri: string; start: number; end: number }>,
  messages: [] as string[],
  progressRuns: 0,
  editor: undefined as unknown,
  documents: [] as unknown[],
  files: new Map<string, string>(),
  view: { message: undefined as string | undefined, description: undefined as string | undefined },
}));

vi.mock('vscode', () => {
  const disposable = { dispose() {} };
  class EventEmitter<T> {
    private listeners: Array<(value: T) => void> = [];
    event = (listener: (value: T) => void) => {
      this.listeners.push(listener);
      return disposable;
    };
    fire(value: T): void {
      for (const listener of this.listeners) listener(value);
    }
    dispose(): void {}
  }
  class TreeItem {
    constructor(readonly label: string, readonly collapsibleState: number) {}
  }
  class ThemeIcon {
    constructor(readonly id: string) {}
  }
  class Range {
    constructor(readonly start: number, readonly end: number) {}
  }
  const message = (text: string) => {
    fake.messages.push(text);
    return Promise.resolve(undefined);
  };
  return {
    EventEmitter, TreeItem, ThemeIcon, Range,
    TreeItemCollapsibleState: { None: 0 },
    ProgressLocation: { Notification: 15 },
    TextEditorRevealType: { InCenterIfOutsideViewport: 2 },
    Uri: { parse: (value: string) => ({ toString: () => value, fsPath: value.replace('file://', '') }) },
    commands: {
      registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
        fake.commands.set(id, handler);
        return disposable;
      },
      executeCommand: () => Promise.resolve(),
    },
    window: {
      createTreeView: () => Object.assign(fake.view, disposable),
      get activeTextEditor() {
        return fake.editor;
      },
      withProgress: (_options: unknown, task: (progress: unknown, token: unknown) => Promise<unknown>) => {
        fake.progressRuns++;
        return task({ report() {} }, { onCancellationRequested: () => disposable });
      },
      showTextDocument: (document: { uri: { toString(): string } }, options: { selection: Range }) => {
        fake.shown.push({ uri: document.uri.toString(), start: options.selection.start, end: options.selection.end });
        return Promise.resolve({ revealRange() {} });
      },
      showInformationMessage: message,
      showWarningMessage: message,
      showErrorMessage: message,
      setStatusBarMessage: (text: string) => {
        fake.messages.push(text);
        return disposable;
      },
    },
    workspace: {
      getConfiguration: () => ({ get: (name: string) => fake.config[name] }),
      onDidChangeConfiguration: (listener: (event: { affectsConfiguration(name: string): boolean }) => void) => {
        fake.configListeners.push(listener);
        return disposable;
      },
      get workspaceFolders() {
        return [{ uri: { scheme: 'file', fsPath: '/ws' } }];
      },
      getWorkspaceFolder: () => ({ uri: { scheme: 'file', fsPath: '/ws' } }),
      get textDocuments() {
        return fake.documents;
      },
      asRelativePath: (uri: { toString(): string }) => uri.toString().replace('file:///ws/', ''),
      findFiles: () => Promise.resolve([...fake.files.keys()].map((key) => ({ toString: () => key }))),
      fs: { readFile: (uri: { toString(): string }) => Promise.resolve(new TextEncoder().encode(fake.files.get(uri.toString()))) },
      openTextDocument: (uri: { toString(): string }) => Promise.resolve(fakeDocument(uri.toString(), fake.files.get(uri.toString())!)),
    },
  };
});

function fakeDocument(key: string, text: string) {
  return { uri: { toString: () => key }, getText: () => text, positionAt: (offset: number) => offset };
}

const { registerUncertainty, NEXT_UNCERTAIN_COMMAND } = await import('../../../src/host/uncertainty/registerUncertainty');

const REPO = path.resolve(__dirname, '../../..');
let cacheDir: string;
let models: ModelCache;
const jobs: unknown[] = [];

beforeAll(async () => {
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-next-uncertain-'));
  models = new ModelCache();
});
afterAll(async () => {
  await models?.dispose();
  await fs.rm(cacheDir, { recursive: true, force: true });
});

const ACTIVE = 'Angela Merkel met Emmanuel Macron in Paris. Zorblat vintered the quenk of Mulvany.';
const FILE = 'Microsoft opened an office in Nairobi.\n\nThe weather was fine.';

describe('Next Uncertain', () => {
  it('ranks the active document and the workspace files, then selects the sentences most uncertain first', async () => {
    const active = fakeDocument('file:///ws/active.txt', ACTIVE);
    fake.editor = { document: active };
    fake.documents = [active];
    fake.files.set('file:///ws/notes.md', FILE);
    fake.files.set('file:///ws/active.txt', 'the disk copy is not read: the open document is');
    const client = {
      run: async (kind: string, payload: unknown, options: { signal?: AbortSignal; onProgress?: (p: unknown) => void }) => {
        jobs.push(payload);
        expect(kind).toBe('rankUncertain');
        const handler = jobRegistry.rankUncertain;
        const context = { signal: options.signal ?? new AbortController().signal, progress: (p: unknown) => options.onProgress?.(p), onControl() {}, log() {}, models } as unknown as JobContext<never>;
        return handler.run(handler.validate(payload), context);
      },
    };
    const context = { asAbsolutePath: (p: string) => path.join(REPO, p), globalStorageUri: { fsPath: cacheDir } };
    const log = { info() {}, warn() {}, error() {}, show() {} };
    registerUncertainty(context as never, { client: client as never, log: log as never });

    await fake.commands.get(NEXT_UNCERTAIN_COMMAND)!();
    const payload = jobs[0] as { task: string; texts: string[]; options: { measure: string } };
    expect(payload.task).toBe('ner');
    expect(payload.texts).toEqual([ACTIVE, FILE]);
    expect(payload.options.measure).toBe('entropy');

    // The order the job's scores give, worked out again from the job itself.
    const direct = await jobRegistry.rankUncertain.run(jobRegistry.rankUncertain.validate({ ...payload }), {
      signal: new AbortController().signal, progress() {}, onControl() {}, log() {}, models,
    } as unknown as JobContext<never>);
    const order = rankMostUncertain(direct.units.map((u) => u.score)).map((i) => direct.units[i]!);
    const keys = ['file:///ws/active.txt', 'file:///ws/notes.md'];
    const expected = order.map((u) => ({ uri: keys[u.text]!, start: u.start, end: u.end }));
    expect(expected).toHaveLength(4);
    expect(fake.shown).toEqual([expected[0]]);
    for (let i = 1; i < 4; i++) await fake.commands.get(NEXT_UNCERTAIN_COMMAND)!();
    expect(fake.shown).toEqual(expected);
    expect(fake.view.message).toBe('4 sentence(s), most uncertain first · 4 / 4 visited');
    await fake.commands.get(NEXT_UNCERTAIN_COMMAND)!();
    expect(fake.messages.at(-1)).toContain('all 4 sentence(s) of the queue visited');
    expect(fake.progressRuns).toBe(1);

    // Use for NER writes bertLens.ner.model: the queue is ranked again with that model.
    for (const listener of fake.configListeners) listener({ affectsConfiguration: (name) => name === 'bertLens.ner.model' });
    await vi.waitFor(() => expect(fake.view.message).toBe('4 sentence(s), most uncertain first · 0 / 4 visited'), { timeout: 20_000 });
    expect(fake.progressRuns).toBe(2);
    for (const listener of fake.configListeners) listener({ affectsConfiguration: (name) => name === 'bertLens.qa.model' });
    expect(fake.progressRuns).toBe(2);
  });
});
