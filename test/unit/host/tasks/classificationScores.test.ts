// "Show Classification Scores" after Classify Each Paragraph: the paragraph under the cursor (or,
// away from every paragraph, all of them) instead of "no classification for this document".
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import type { LabelScore } from '../../../../src/core/tasks/textClassification/postprocess';
import { ChangeTracker } from '../../../../src/host/ner/changeTracker';
import { Classification } from '../../../../src/host/tasks/classification/classification';
import type { ClassificationInfo, ClassifiedSpan } from '../../../../src/host/tasks/classification/paragraphPlan';
import { scoresToShow } from '../../../../src/host/tasks/classification/scoresToShow';
import { TaskRunner } from '../../../../src/host/tasks/shared/taskRunner';
import { TASK_SETTING_DEFAULTS } from '../../../../src/host/tasks/shared/taskSettings';
import type { WorkerClient } from '../../../../src/host/workerClient';
import { FakeDocument } from '../fakeVscode';

const fake = vi.hoisted(() => ({ editor: undefined as unknown, picks: [] as Array<{ items: Array<{ label: string; kind?: number }>; options: { title: string } }> }));

vi.mock('vscode', async () => {
  const { fakeVscode } = await import('../fakeVscode');
  const disposable = { dispose() {} };
  const window = fakeVscode.module.window as Record<string, unknown>;
  Object.defineProperty(window, 'activeTextEditor', { get: () => fake.editor });
  Object.assign(window, {
    visibleTextEditors: [],
    showQuickPick: (items: never, options: never) => { fake.picks.push({ items, options }); return Promise.resolve(undefined); },
    createTextEditorDecorationType: () => disposable,
    createStatusBarItem: () => ({ ...disposable, show() {}, hide() {} }),
  });
  return {
    ...fakeVscode.module,
    ThemeColor: class { constructor(readonly id: string) {} },
    DecorationRangeBehavior: { ClosedOpen: 3 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    QuickPickItemKind: { Separator: -1, Default: 0 },
  };
});

const { fakeVscode } = await import('../fakeVscode');

const REVIEWS = 'Great battery, I love it.\n\nThe screen cracked in a week.\n\nIt is a phone.';
const paragraphStarts = [0, REVIEWS.indexOf('The screen'), REVIEWS.indexOf('It is')];
const scores: LabelScore[][] = [
  [{ label: 'POSITIVE', score: 0.97 }, { label: 'NEGATIVE', score: 0.03 }],
  [{ label: 'NEGATIVE', score: 0.91 }, { label: 'POSITIVE', score: 0.09 }],
  [{ label: 'POSITIVE', score: 0.55 }, { label: 'NEGATIVE', score: 0.45 }],
];

function editorAt(document: FakeDocument & { offsetAt(p: number): number }, cursor: number) {
  const selection = { isEmpty: true, start: cursor, end: cursor, active: cursor, anchor: cursor };
  return { document, selection, selections: [selection] };
}

async function classifiedParagraphs() {
  const document = Object.assign(new FakeDocument(REVIEWS), { offsetAt: (p: number) => p, positionAt: (o: number) => o });
  const paragraphs = paragraphStarts.map((start, i) => ({ start, end: REVIEWS.indexOf('\n\n', start) === -1 ? REVIEWS.length : REVIEWS.indexOf('\n\n', start), results: scores[i]! }));
  const client = {
    run: () => Promise.resolve({ model: { labels: ['NEGATIVE', 'POSITIVE'] }, paragraphs, scoreKind: 'softmax' }),
  } as unknown as WorkerClient;
  const runner = new TaskRunner({
    client, tracker: new ChangeTracker(), cacheDir: '/tmp/unused',
    log: { info() {}, warn() {}, error() {}, show() {} } as unknown as vscode.LogOutputChannel,
    modelContext: () => ({ bundledRoot: '/ext/models', bundledDescription: () => 'bundled SST-2 sentiment', workspaceFolder: undefined, isDirectory: () => false }),
  });
  const classification = new Classification(runner, () => structuredClone(TASK_SETTING_DEFAULTS));
  fake.editor = editorAt(document, 0);
  await classification.classifyParagraphs();
  expect(classification.paragraphs.get(document.uri.toString())?.spans).toHaveLength(3);
  return { classification, document };
}

const labelsOf = (pick: (typeof fake.picks)[number]) => pick.items.map((item) => item.label);

beforeEach(() => {
  fake.picks.length = 0;
  fakeVscode.shown.length = 0;
});

describe('Show Classification Scores after Classify Each Paragraph', () => {
  it('lists the scores of the paragraph under the cursor', async () => {
    const { classification, document } = await classifiedParagraphs();
    fakeVscode.shown.length = 0;
    fake.editor = editorAt(document, paragraphStarts[1]! + 4);
    await classification.showScores();
    expect(fakeVscode.shown.filter((s) => s.kind !== 'status')).toEqual([]);
    expect(fake.picks).toHaveLength(1);
    expect(labelsOf(fake.picks[0]!)).toEqual(['$(check) NEGATIVE', '$(blank) POSITIVE']);
    expect(fake.picks[0]!.options.title).toMatch(/^Classification of the paragraph: softmax/);
  });

  it('the cursor at the end of a paragraph\'s last line still counts as in it', async () => {
    const { classification, document } = await classifiedParagraphs();
    fake.editor = editorAt(document, REVIEWS.indexOf('\n\n'));
    await classification.showScores();
    expect(labelsOf(fake.picks[0]!)).toEqual(['$(check) POSITIVE', '$(blank) NEGATIVE']);
  });

  it('with the cursor between paragraphs, every paragraph is listed under its own separator', async () => {
    const { classification, document } = await classifiedParagraphs();
    fake.editor = editorAt(document, REVIEWS.indexOf('\n\n') + 1);
    await classification.showScores();
    const separators = fake.picks[0]!.items.filter((item) => item.kind === -1).map((item) => item.label);
    expect(separators).toEqual(['Great battery, I love it.', 'The screen cracked in a week.', 'It is a phone.']);
  });
});

describe('scoresToShow', () => {
  const info: ClassificationInfo = { scoreKind: 'softmax', threshold: 0.5, modelDescription: 'm', labels: ['A'], scope: 'paragraphs' };
  const span = (start: number, end: number): ClassifiedSpan => ({ start, end, text: 'x'.repeat(end - start), results: [{ label: 'A', score: 1 }] });
  const paragraphs = { info, spans: [span(0, 10), span(20, 30)] };
  const texts = { info: { ...info, scope: 'document' as const }, spans: [span(0, 30)] };

  it('prefers the paragraph under the cursor, then the selection/document result, then every paragraph', () => {
    expect(scoresToShow(texts, paragraphs, 25)).toEqual({ info, spans: [paragraphs.spans[1]] });
    expect(scoresToShow(texts, paragraphs, 15)).toBe(texts);
    expect(scoresToShow(undefined, paragraphs, 15)).toBe(paragraphs);
    expect(scoresToShow(undefined, paragraphs, undefined)).toBe(paragraphs);
    expect(scoresToShow(undefined, undefined, 5)).toBeUndefined();
    expect(scoresToShow({ info: texts.info, spans: [] }, undefined, 5)).toBeUndefined();
  });

  it('the status-bar item (preferTexts) lists its selection/document result even inside a paragraph', () => {
    expect(scoresToShow(texts, paragraphs, 25, true)).toBe(texts);
    expect(scoresToShow(undefined, paragraphs, 25, true)).toEqual({ info, spans: [paragraphs.spans[1]] });
  });
});
