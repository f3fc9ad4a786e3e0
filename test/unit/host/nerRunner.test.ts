import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { WorkerClient } from '../../../src/host/workerClient';
import { ChangeTracker } from '../../../src/host/ner/changeTracker';
import { EntityStore } from '../../../src/host/ner/entityStore';
import type { ModelChoice } from '../../../src/host/ner/modelChoice';
import { NER_SETTING_DEFAULTS, type NerSettings } from '../../../src/host/ner/nerSettings';
import { NerRunner } from '../../../src/host/ner/nerRunner';
import { FakeDocument, fakeVscode } from './fakeVscode';
import { bundleWorker, clientFor, copyModel, SEQUENCE_CLASSIFICATION, TOKEN_CLASSIFICATION } from './workerHarness';

vi.mock('vscode', async () => (await import('./fakeVscode')).fakeVscode.module);

const TEXT = 'Angela Merkel met Emmanuel Macron in Paris.\r\nThe United Nations opened an office in 東京 🙂.\r\nBob stayed home.\r\n';

let worker: { workerPath: string; dispose(): Promise<void> };
let client: WorkerClient;
let cacheDir: string;
let store: EntityStore;
let tracker: ChangeTracker;
let model: ModelChoice;
let settings: NerSettings;
const logs: string[] = [];

beforeAll(async () => {
  worker = await bundleWorker();
  client = clientFor(worker.workerPath);
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-runner-'));
});
afterAll(async () => {
  client?.dispose();
  await worker?.dispose();
  await fs.rm(cacheDir, { recursive: true, force: true });
});
beforeEach(() => {
  store = new EntityStore();
  tracker = new ChangeTracker();
  model = { kind: 'folder', reference: TOKEN_CLASSIFICATION, description: 'folder token-classification' };
  // Strategy none, nothing ignored: every token is an entity, so edits always hit some.
  settings = { ...NER_SETTING_DEFAULTS, aggregationStrategy: 'none', ignoreLabels: [], threads: 1 };
  fakeVscode.shown.length = 0;
  fakeVscode.progressRuns.length = 0;
});

function runner(): NerRunner {
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m), show: () => {} };
  return new NerRunner({
    client, store, tracker,
    log: log as unknown as vscode.LogOutputChannel,
    settings: () => ({ settings, problems: [] }),
    chooseModel: () => model,
    cacheDir,
  });
}

const asDocument = (document: FakeDocument) => document as unknown as vscode.TextDocument;

/** What the editor would show: every stored entity with the document text at its offsets. */
function shownTexts(document: FakeDocument): Array<[string, string]> {
  return (store.get(document.uri.toString())?.entities ?? []).map((e) => [document.getText().slice(e.start, e.end), e.text]);
}

describe('NerRunner', () => {
  it('stores entities for the whole document with a cancellable notification whose bar reaches 100%', async () => {
    const document = new FakeDocument(TEXT);
    await runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    const entry = store.get(document.uri.toString())!;
    expect(entry.modelDescription).toBe('folder token-classification');
    expect(entry.entities.length).toBeGreaterThan(15);
    for (const [atOffsets, text] of shownTexts(document)) expect(atOffsets).toBe(text);
    const [run] = fakeVscode.progressRuns;
    expect(run).toMatchObject({ cancellable: true, location: 15, title: 'BERT Lens: recognizing entities in doc.txt' });
    expect(run!.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0)).toBeCloseTo(100, 6);
    expect(fakeVscode.shown).toEqual([{ kind: 'status', message: `BERT Lens: ${entry.entities.length} entities in doc.txt`, actions: [] }]);
  });

  it('moves results through edits made while the model ran, drops those whose text was edited, and never misplaces one', async () => {
    const document = new FakeDocument(TEXT);
    const key = document.uri.toString();
    const running = runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    // The user types while the worker computes: a line at the top, and over "ari" of "Paris" (one [UNK] token).
    tracker.record(key, [document.edit(0, 0, 'Breaking:\r\n')]);
    const ari = document.getText().indexOf('Paris') + 1;
    tracker.record(key, [document.edit(ari, 3, 'ARI')]);
    await running;
    const shown = shownTexts(document);
    expect(shown.length).toBeGreaterThan(15);
    for (const [atOffsets, text] of shown) expect(atOffsets).toBe(text);
    // Tokens after the inserted line moved with it (the fixture's tiny vocabulary splits most words).
    expect(shown.map(([, text]) => text)).toEqual(expect.arrayContaining(['er', 'United', 'Nations', '東', '🙂']));
    const entities = store.get(key)!.entities;
    expect(entities.filter((e) => e.start < ari + 3 && e.end > ari)).toEqual([]);
    expect(logs.at(-2)).toMatch(/doc\.txt changed while the model ran: \d+ entities moved with their text, 1 dropped \(their text was edited\)/);
    expect(tracker.trackedDocuments).toBe(0);
  });

  it('drops the results when the document was closed while the model ran', async () => {
    const document = new FakeDocument(TEXT);
    const running = runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    document.isClosed = true;
    tracker.documentClosed(document.uri.toString());
    await running;
    expect(store.has(document.uri.toString())).toBe(false);
  });

  it('re-analyses a selection: entities inside it are replaced, the others stay', async () => {
    const document = new FakeDocument(TEXT);
    const key = document.uri.toString();
    const run = runner();
    await run.recognize({ document: asDocument(document), selections: [], interactive: true });
    const before = store.get(key)!.entities;
    const lineTwo = { start: TEXT.indexOf('The United'), end: TEXT.indexOf('Bob') };
    await run.recognize({ document: asDocument(document), selections: [lineTwo], interactive: true });
    const after = store.get(key)!.entities;
    const outside = (e: { start: number; end: number }) => e.end <= lineTwo.start || e.start >= lineTwo.end;
    expect(after.filter(outside).map((e) => e.id)).toEqual(before.filter(outside).map((e) => e.id));
    const inside = after.filter((e) => !outside(e));
    expect(inside.length).toBeGreaterThan(3);
    expect(inside.every((e) => !before.some((b) => b.id === e.id))).toBe(true);
    for (const [atOffsets, text] of shownTexts(document)) expect(atOffsets).toBe(text);
  });

  it('answers an empty or whitespace-only document or selection with a short message and no job', async () => {
    const starts = client.startCount;
    const pending = client.pendingJobs;
    for (const text of ['', '  \r\n\t ']) {
      await runner().recognize({ document: asDocument(new FakeDocument(text)), selections: [], interactive: true });
    }
    await runner().recognize({ document: asDocument(new FakeDocument('Ann   Bob')), selections: [{ start: 3, end: 6 }], interactive: true });
    expect(fakeVscode.shown).toEqual([
      { kind: 'info', message: 'BERT Lens: nothing to analyse, the document is empty.', actions: [] },
      { kind: 'info', message: 'BERT Lens: nothing to analyse, the document is empty.', actions: [] },
      { kind: 'info', message: 'BERT Lens: nothing to analyse, the selection is empty.', actions: [] },
    ]);
    expect(fakeVscode.progressRuns).toEqual([]);
    expect([client.startCount, client.pendingJobs]).toEqual([starts, pending]);
  });

  it('refuses binary content with a warning', async () => {
    await runner().recognize({ document: asDocument(new FakeDocument('\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR')), selections: [], interactive: true });
    expect(fakeVscode.shown).toEqual([{ kind: 'warning', message: expect.stringContaining('doc.txt looks like binary data'), actions: [] }]);
    expect(fakeVscode.progressRuns).toEqual([]);
  });

  it('names the missing file of a broken model folder and offers the setting; the next run works', async () => {
    const broken = await copyModel(TOKEN_CLASSIFICATION);
    await fs.rm(path.join(broken, 'config.json'));
    model = { kind: 'folder', reference: broken, description: 'folder broken' };
    const document = new FakeDocument(TEXT);
    await runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    expect(fakeVscode.shown).toEqual([{
      kind: 'error',
      message: `BERT Lens: the NER model (folder broken) cannot be loaded: ${path.join(broken, 'config.json')} is missing: a model folder needs config.json (HF layout)`,
      actions: ['Open Settings', 'Show Log'],
    }]);
    expect(store.has(document.uri.toString())).toBe(false);
    model = { kind: 'folder', reference: TOKEN_CLASSIFICATION, description: 'ok' };
    await runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    expect(store.has(document.uri.toString())).toBe(true);
    await fs.rm(broken, { recursive: true });
  });

  it('says which head is needed for a model with another head', async () => {
    model = { kind: 'folder', reference: SEQUENCE_CLASSIFICATION, description: 'folder sequence-classification' };
    await runner().recognize({ document: asDocument(new FakeDocument(TEXT)), selections: [], interactive: true });
    expect(fakeVscode.shown).toHaveLength(1);
    expect(fakeVscode.shown[0]!.message).toMatch(/^BERT Lens: .* is a BertForSequenceClassification .*; this needs a token-classification head \(BertForTokenClassification\)/);
  });

  it('cancels from the notification\'s Cancel button: a short message, nothing stored', async () => {
    const document = new FakeDocument('Angela Merkel visited Paris. '.repeat(20000));
    const running = runner().recognize({ document: asDocument(document), selections: [], interactive: true });
    await expect.poll(() => fakeVscode.progressRuns[0]?.reports.some((r) => (r.increment ?? 0) > 0) ?? false, { timeout: 60_000 }).toBe(true);
    fakeVscode.progressRuns[0]!.cancel();
    await running;
    expect(fakeVscode.shown).toEqual([{ kind: 'info', message: 'BERT Lens: entity recognition cancelled.', actions: [] }]);
    expect(store.has(document.uri.toString())).toBe(false);
  });

  it('lets a newer run on the same document supersede an older one without a cancellation message', async () => {
    const document = new FakeDocument(TEXT);
    const run = runner();
    const first = run.recognize({ document: asDocument(document), selections: [], interactive: true });
    const second = run.recognize({ document: asDocument(document), selections: [{ start: 0, end: 13 }], interactive: true });
    await Promise.all([first, second]);
    expect(fakeVscode.shown.filter((s) => s.kind !== 'status')).toEqual([]);
    const entities = store.get(document.uri.toString())!.entities;
    expect(entities.every((e) => e.end <= 13)).toBe(true);
    expect(run.isRunning(asDocument(document))).toBe(false);
  });

  it('runs in the background (status bar progress, no notification) for a save-triggered run', async () => {
    const document = new FakeDocument(TEXT);
    await runner().recognize({ document: asDocument(document), selections: [], interactive: false });
    expect(fakeVscode.progressRuns[0]).toMatchObject({ location: 10, cancellable: false });
    expect(fakeVscode.shown).toEqual([]);
    expect(store.has(document.uri.toString())).toBe(true);
  });
});
