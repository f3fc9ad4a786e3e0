// TaskRunner against the real worker process with a fake vscode module: progress with Cancel,
// edits recorded from the moment the text was taken, closed documents, superseded runs, one-line failures.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { ChangeTracker } from '../../../../src/host/ner/changeTracker';
import { placeAnswers } from '../../../../src/host/tasks/qa/answers';
import { reanchorSpans } from '../../../../src/host/tasks/shared/anchoredSpans';
import { TaskRunner } from '../../../../src/host/tasks/shared/taskRunner';
import { TASK_SETTING_DEFAULTS } from '../../../../src/host/tasks/shared/taskSettings';
import type { WorkerClient } from '../../../../src/host/workerClient';
import { FakeDocument, fakeVscode } from '../fakeVscode';
import { bundleWorker, clientFor } from '../workerHarness';

vi.mock('vscode', async () => (await import('../fakeVscode')).fakeVscode.module);

const FIXTURES = path.resolve(__dirname, '../../../fixtures/models');
const runtime = { ...TASK_SETTING_DEFAULTS.runtime, threads: 1 };

let worker: { workerPath: string; dispose(): Promise<void> };
let client: WorkerClient;
let cacheDir: string;
let tracker: ChangeTracker;
const logs: string[] = [];

beforeAll(async () => {
  worker = await bundleWorker();
  client = clientFor(worker.workerPath);
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-task-runner-'));
});
afterAll(async () => {
  client?.dispose();
  await worker?.dispose();
  await fs.rm(cacheDir, { recursive: true, force: true });
});
beforeEach(() => {
  tracker = new ChangeTracker();
  fakeVscode.shown.length = 0;
  fakeVscode.progressRuns.length = 0;
  fakeVscode.executed.length = 0;
});

function runner(): TaskRunner {
  const log = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m), show: () => {} };
  return new TaskRunner({
    client, tracker, cacheDir,
    log: log as unknown as vscode.LogOutputChannel,
    modelContext: () => ({ bundledRoot: path.resolve(__dirname, '../../../../models'), bundledDescription: () => 'bundled (untrained demo)', workspaceFolder: FIXTURES, isDirectory: () => true }),
  });
}

const asDocument = (document: FakeDocument) => document as unknown as vscode.TextDocument;
const TEXT = 'Intro 🙂\r\n\r\nThe harbour of Hamburg opened a terminal.\r\nIts director is Anna Weber.\r\n';

describe('TaskRunner', () => {
  it('runs a QA job with a cancellable notification whose bar reaches 100%, and answers that land on their text after edits', async () => {
    const document = new FakeDocument(TEXT);
    const contextOffset = TEXT.indexOf('The harbour');
    const context = TEXT.slice(contextOffset);
    const run = runner().run({
      task: 'qa', kind: 'answerQuestion', payload: { question: 'Who is the director?', context, options: { topK: 3 } },
      modelSetting: 'question-answering', runtime, document: asDocument(document), title: 'BERT Lens: answering',
    });
    // Typed while the model runs: before the context, and inside it.
    tracker.record(document.uri.toString(), [document.edit(0, 0, 'NEW ')]);
    const outcome = await run;
    expect(outcome).toBeDefined();
    const { result, model, edits } = outcome!;
    expect(model).toMatchObject({ kind: 'folder', reference: path.join(FIXTURES, 'question-answering') });
    expect(edits.changes).toEqual([{ rangeOffset: 0, rangeLength: 0, text: 'NEW ' }]);
    const placed = placeAnswers(result.answers, contextOffset, TEXT);
    const { kept } = reanchorSpans(placed.answers, edits.changes, document.getText());
    expect(kept).toHaveLength(placed.answers.length);
    for (const answer of kept) expect(document.getText().slice(answer.start, answer.end)).toBe(answer.text);
    edits.dispose();
    expect(tracker.trackedDocuments).toBe(0);
    const [progress] = fakeVscode.progressRuns;
    expect(progress).toMatchObject({ cancellable: true, location: 15, title: 'BERT Lens: answering' });
    expect(progress!.reports.reduce((sum, r) => sum + (r.increment ?? 0), 0)).toBeCloseTo(100, 6);
    expect(fakeVscode.shown).toEqual([]);
  });

  it('Cancel in the notification ends the job without a result or an error message', async () => {
    const document = new FakeDocument(TEXT);
    const run = runner().run({
      task: 'generation', kind: 'generate', payload: { prompt: 'The harbour', options: { maxNewTokens: 40 } },
      modelSetting: 'causal-lm', runtime, document: asDocument(document), title: 'BERT Lens: continuing',
      onProgress: (event) => {
        if (event.phase === 'token' && event.count === 2) fakeVscode.progressRuns.at(-1)!.cancel();
        return undefined;
      },
    });
    expect(await run).toBeUndefined();
    expect(fakeVscode.shown).toEqual([{ kind: 'status', message: 'BERT Lens: Continue Text cancelled.', actions: [] }]);
    expect(tracker.trackedDocuments).toBe(0);
  });

  it('bad input is one warning line; an empty model setting for a task without a bundled model offers the setting', async () => {
    const document = asDocument(new FakeDocument(TEXT));
    expect(await runner().run({
      task: 'fillMask', kind: 'fillMask', payload: { text: 'no mask here', options: {} }, modelSetting: 'masked-lm', runtime, document, title: 't',
    })).toBeUndefined();
    expect(fakeVscode.shown).toEqual([{ kind: 'warning', message: "BERT Lens: no [MASK] in the text: put the model's mask token [MASK] where a word should be predicted", actions: [] }]);
    fakeVscode.shown.length = 0;
    fakeVscode.progressRuns.length = 0;
    expect(await runner().run({
      task: 'multipleChoice', kind: 'chooseAnswer', payload: { prompt: 'Q', choices: ['a', 'b'] }, modelSetting: '', runtime, document, title: 't',
    })).toBeUndefined();
    expect(fakeVscode.shown).toHaveLength(1);
    expect(fakeVscode.shown[0]).toMatchObject({ kind: 'error', actions: ['Open Settings', 'Show Log'] });
    expect(fakeVscode.shown[0]!.message).toMatch(/^BERT Lens: multiple choice has no bundled model: set bertLens\.multipleChoice\.model to a multiple-choice BERT/);
    expect(fakeVscode.progressRuns).toHaveLength(0);
  });

  it('a model with another head: one error line naming the head and the model, with Open Settings', async () => {
    const document = asDocument(new FakeDocument(TEXT));
    expect(await runner().run({
      task: 'classification', kind: 'classifyTexts', payload: { texts: ['x'], options: {} }, modelSetting: 'question-answering', runtime, document, title: 't',
    })).toBeUndefined();
    expect(fakeVscode.shown).toHaveLength(1);
    expect(fakeVscode.shown[0]).toMatchObject({ kind: 'error', actions: ['Open Settings', 'Show Log'] });
    expect(fakeVscode.shown[0]!.message).toContain('BertForQuestionAnswering');
    expect(fakeVscode.shown[0]!.message).toContain(path.join(FIXTURES, 'question-answering'));
  });

  it('the empty classification setting uses the bundled sentiment model', async () => {
    const document = asDocument(new FakeDocument(TEXT));
    const outcome = await runner().run({
      task: 'classification', kind: 'classifyParagraphs', payload: { text: TEXT, options: { topK: null } }, modelSetting: '', runtime, document, title: 't',
    });
    expect(outcome?.model).toMatchObject({ kind: 'bundled', description: 'bundled (untrained demo)' });
    expect(outcome?.result.paragraphs.map((p) => TEXT.slice(p.start, p.end))).toEqual(['Intro 🙂', 'The harbour of Hamburg opened a terminal.\r\nIts director is Anna Weber.']);
    expect(outcome?.result.model.labels).toEqual(['NEGATIVE', 'POSITIVE']);
    outcome?.edits.dispose();
  });

  it('a newer run on the same document supersedes the older; a closed document drops the result', async () => {
    const document = new FakeDocument(TEXT);
    const tasks = runner();
    const request = { task: 'nsp' as const, kind: 'nextSentence' as const, payload: { a: 'A b.', b: 'C d.' }, modelSetting: 'next-sentence', runtime, document: asDocument(document), title: 't' };
    const first = tasks.run(request);
    const second = tasks.run(request);
    expect(await first).toBeUndefined();
    const kept = await second;
    expect(kept?.result.prediction.isNextProbability).toBeGreaterThan(0);
    kept?.edits.dispose();
    expect(fakeVscode.shown).toEqual([]);

    const closing = tasks.run(request);
    document.isClosed = true;
    tracker.documentClosed(document.uri.toString());
    expect(await closing).toBeUndefined();
    expect(tracker.trackedDocuments).toBe(0);
  });
});
