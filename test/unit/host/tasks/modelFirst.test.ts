// Every task command checks its model before it asks for input or complains about the input: with
// no model set, QA shows no question box and Fill Mask does not ask for a [MASK] line; each says
// which setting to fill, with Open Settings.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { ChangeTracker } from '../../../../src/host/ner/changeTracker';
import { Classification } from '../../../../src/host/tasks/classification/classification';
import { fillMask } from '../../../../src/host/tasks/fillMask/fillMaskCommand';
import { continueText } from '../../../../src/host/tasks/generation/continueTextCommand';
import { scoreMultipleChoice } from '../../../../src/host/tasks/multipleChoice/multipleChoiceCommand';
import { predictNextSentence } from '../../../../src/host/tasks/nsp/nspCommand';
import { QuestionAnswering } from '../../../../src/host/tasks/qa/questionAnswering';
import { TaskRunner } from '../../../../src/host/tasks/shared/taskRunner';
import { TASK_SETTING_DEFAULTS, type TaskSettings } from '../../../../src/host/tasks/shared/taskSettings';
import type { WorkerClient } from '../../../../src/host/workerClient';
import { FakeDocument } from '../fakeVscode';

const fake = vi.hoisted(() => ({ inputBoxes: [] as unknown[], editor: undefined as unknown, jobs: [] as unknown[] }));

vi.mock('vscode', async () => {
  const { fakeVscode } = await import('../fakeVscode');
  const disposable = { dispose() {} };
  const window = fakeVscode.module.window as Record<string, unknown>;
  Object.defineProperty(window, 'activeTextEditor', { get: () => fake.editor });
  Object.assign(window, {
    visibleTextEditors: [],
    showInputBox: (options: unknown) => { fake.inputBoxes.push(options); return Promise.resolve(undefined); },
    showQuickPick: () => Promise.resolve(undefined),
    createTextEditorDecorationType: () => disposable,
    createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
  });
  return {
    ...fakeVscode.module,
    ThemeColor: class { constructor(readonly id: string) {} },
    OverviewRulerLane: { Center: 2 },
    DecorationRangeBehavior: { ClosedClosed: 1 },
    StatusBarAlignment: { Left: 1, Right: 2 },
  };
});

const { fakeVscode } = await import('../fakeVscode');

/** An editor on `text` with the cursor at `cursor` (positions are offsets in this fake). */
function editorOn(text: string, cursor: number) {
  const document = Object.assign(new FakeDocument(text), { offsetAt: (position: number) => position, positionAt: (offset: number) => offset });
  const selection = { isEmpty: true, start: cursor, end: cursor, active: cursor, anchor: cursor };
  return { document, selection, selections: [selection] };
}

/** The settings as they are on a fresh install: every model setting empty. */
const settings = (): TaskSettings => structuredClone(TASK_SETTING_DEFAULTS);

function runner(): TaskRunner {
  const client = { run: (...args: unknown[]) => { fake.jobs.push(args); return Promise.reject(new Error('no job expected')); } } as unknown as WorkerClient;
  const log = { info() {}, warn() {}, error() {}, show() {} } as unknown as vscode.LogOutputChannel;
  return new TaskRunner({
    client, tracker: new ChangeTracker(), log, cacheDir: '/tmp/unused',
    modelContext: () => ({ bundledRoot: '/ext/models', bundledDescription: () => 'bundled', workspaceFolder: undefined, isDirectory: () => false }),
  });
}

beforeEach(() => {
  fake.inputBoxes.length = 0;
  fake.jobs.length = 0;
  fakeVscode.shown.length = 0;
});

function expectNoModelMessage(setting: string): void {
  expect(fakeVscode.shown).toHaveLength(1);
  expect(fakeVscode.shown[0]!.kind).toBe('error');
  expect(fakeVscode.shown[0]!.actions).toContain('Open Settings');
  expect(fakeVscode.shown[0]!.message).toContain(`set ${setting} to`);
  expect(fake.jobs).toEqual([]);
}

describe('task commands without a model', () => {
  it('Ask a Question says there is no QA model before asking for the question', async () => {
    fake.editor = editorOn('The harbour of Hamburg opened a terminal.', 0);
    await new QuestionAnswering(runner(), settings).ask();
    expect(fake.inputBoxes).toEqual([]);
    expectNoModelMessage('bertLens.qa.model');
  });

  it('Fill Mask on a line without [MASK] says there is no fill-mask model, not "put the cursor on a [MASK] line"', async () => {
    fake.editor = editorOn('\n\nno mask on this line', 0);
    await fillMask(runner(), settings);
    expectNoModelMessage('bertLens.fillMask.model');
  });

  it('Next Sentence, Multiple Choice and Continue Text name their setting before judging the text', async () => {
    fake.editor = editorOn('', 0);
    await predictNextSentence(runner(), settings);
    expectNoModelMessage('bertLens.nsp.model');
    fakeVscode.shown.length = 0;
    await scoreMultipleChoice(runner(), settings);
    expectNoModelMessage('bertLens.multipleChoice.model');
    fakeVscode.shown.length = 0;
    await continueText(runner(), settings);
    expectNoModelMessage('bertLens.generation.model');
  });

  it('classification has its bundled model: an empty document gets the input message, no model error', async () => {
    fake.editor = editorOn('   ', 0);
    await new Classification(runner(), settings).classifyParagraphs();
    expect(fakeVscode.shown).toEqual([{ kind: 'info', message: 'BERT Lens: nothing to classify, the document is empty.', actions: [] }]);
  });

  it('a relative model path without a workspace folder is reported before the question too', async () => {
    fake.editor = editorOn('Some text.', 0);
    await new QuestionAnswering(runner(), () => ({ ...settings(), qa: { ...settings().qa, model: './my-qa' } })).ask();
    expect(fake.inputBoxes).toEqual([]);
    expect(fakeVscode.shown[0]).toMatchObject({ kind: 'error', actions: expect.arrayContaining(['Open Settings']) });
    expect(fakeVscode.shown[0]!.message).toContain('bertLens.qa.model is a relative path');
  });
});
