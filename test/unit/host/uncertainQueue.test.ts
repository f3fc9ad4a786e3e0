// The host side of "Next Uncertain" without VS Code: settings, which model and options a ranking
// uses, the queue built from a job result, finding an item again after edits, the cursor, and the
// bounded choice of workspace documents; plus the package.json contributions the code relies on.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NER_SETTING_DEFAULTS } from '../../../src/host/ner/nerSettings';
import { TASK_SETTING_DEFAULTS } from '../../../src/host/tasks/shared/taskSettings';
import { rankModel, rankPlan } from '../../../src/host/uncertainty/rankPlan';
import { firstWords, itemDescription, locateItem, QueueCursor, queueItems } from '../../../src/host/uncertainty/uncertainQueue';
import { readUncertaintySettings, UNCERTAINTY_SETTING_DEFAULTS, UNCERTAINTY_SETTINGS } from '../../../src/host/uncertainty/uncertaintySettings';
import { chooseDocuments, MAX_DOCUMENTS, MAX_FILE_CHARS, type CandidateFile } from '../../../src/host/uncertainty/workspaceDocuments';

const ROOT = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    views: Record<string, Array<{ id: string; name: string }>>;
    menus: Record<string, Array<{ command: string; when?: string; group?: string }>>;
    configuration: { properties: Record<string, { default: unknown; enum?: string[] }> };
  };
};

describe('uncertainty settings', () => {
  it('reads the package.json defaults and falls back per value with a reason', () => {
    const properties = manifest.contributes.configuration.properties;
    expect(properties[UNCERTAINTY_SETTINGS[0]]!.default).toBe(UNCERTAINTY_SETTING_DEFAULTS.measure);
    expect(properties[UNCERTAINTY_SETTINGS[1]]!.default).toBe(UNCERTAINTY_SETTING_DEFAULTS.reduction);
    expect(properties[UNCERTAINTY_SETTINGS[2]]!.default).toBe(UNCERTAINTY_SETTING_DEFAULTS.task);
    expect(properties['bertLens.annotation.uncertainty']!.enum).toEqual(['entropy', 'margin']);
    expect(readUncertaintySettings(() => undefined)).toEqual({ settings: UNCERTAINTY_SETTING_DEFAULTS, problems: [] });
    const values: Record<string, unknown> = { 'bertLens.annotation.uncertainty': 'margin', 'bertLens.annotation.uncertaintyReduction': 'median', 'bertLens.annotation.uncertaintyTask': 'classification' };
    const read = readUncertaintySettings((name) => values[name]);
    expect(read.settings).toEqual({ measure: 'margin', reduction: 'max', task: 'classification' });
    expect(read.problems).toEqual(['bertLens.annotation.uncertaintyReduction must be one of max, mean, got "median"']);
  });
});

describe('rank plan', () => {
  const context = { bundledRoot: '/ext/models', bundledDescription: (name: string) => `bundled ${name}`, workspaceFolder: '/ws', isDirectory: (p: string) => p === '/ws/runs/best' };

  it('NER: sentences, the Recognize Entities model and windows, each sentence alone', () => {
    const ner = { ...NER_SETTING_DEFAULTS, maxLength: 128, stride: 16, batchSize: 4 };
    const plan = rankPlan({ measure: 'margin', reduction: 'mean', task: 'ner' }, ner, TASK_SETTING_DEFAULTS);
    expect(plan).toEqual({
      task: 'ner', modelSetting: 'bertLens.ner.model', unit: 'sentence',
      options: { measure: 'margin', reduction: 'mean', batchSize: 4, maxLength: 128, stride: 16, packing: 'isolated' },
    });
    expect(rankModel(plan, ner, TASK_SETTING_DEFAULTS, context)).toEqual({ kind: 'bundled', reference: path.join('/ext/models', 'ner'), description: 'bundled ner' });
    // What Use for NER writes: a workspace-relative run folder.
    expect(rankModel(plan, { ...ner, model: './runs/best' }, TASK_SETTING_DEFAULTS, context)).toMatchObject({ kind: 'folder', reference: '/ws/runs/best' });
  });

  it('classification: paragraphs, the classification model and function_to_apply', () => {
    const tasks = { ...TASK_SETTING_DEFAULTS, classification: { ...TASK_SETTING_DEFAULTS.classification, model: 'owner/topic', functionToApply: 'sigmoid' as const } };
    const plan = rankPlan({ measure: 'entropy', reduction: 'max', task: 'classification' }, NER_SETTING_DEFAULTS, tasks);
    expect(plan).toMatchObject({ task: 'classification', modelSetting: 'bertLens.classification.model', unit: 'paragraph', options: { functionToApply: 'sigmoid', measure: 'entropy' } });
    expect(rankModel(plan, NER_SETTING_DEFAULTS, tasks, context)).toEqual({ kind: 'hub', reference: 'owner/topic', description: 'hub owner/topic' });
    expect(rankModel(plan, NER_SETTING_DEFAULTS, TASK_SETTING_DEFAULTS, context)).toMatchObject({ kind: 'bundled', reference: path.join('/ext/models', 'sentiment') });
  });
});

describe('queue items', () => {
  const docs = [
    { key: 'file:///ws/a.txt', label: 'a.txt', text: 'First one.\r\nSecond 🙂 one here.\n\nThird.' },
    { key: 'file:///ws/b.md', label: 'b.md', text: 'Only sentence.' },
  ];
  const units = [
    { text: 0, start: 0, end: 10, score: 0.1 },
    { text: 0, start: 12, end: 31, score: 0.9, words: 4 }, // 'Second ' 7 + 🙂 2 (UTF-16) + ' one here.' 10
    { text: 0, start: 33, end: 39, score: 0.5 },
    { text: 1, start: 0, end: 14, score: 0.9 },
  ];

  it('follow the ranking, with file, line (CRLF counted once) and the unit text', () => {
    const items = queueItems(docs, units, [1, 3, 2, 0]);
    expect(items.map((i) => [i.label, i.line, i.text, i.score])).toEqual([
      ['a.txt', 2, 'Second 🙂 one here.', 0.9],
      ['b.md', 1, 'Only sentence.', 0.9],
      ['a.txt', 4, 'Third.', 0.5],
      ['a.txt', 1, 'First one.', 0.1],
    ]);
    expect(items[0]!.words).toBe(4);
    expect(itemDescription(items[0]!)).toBe('a.txt:2 · 0.900');
    expect(queueItems(docs, [{ text: 5, start: 0, end: 1, score: 1 }], [0])).toEqual([]);
  });

  it('show the first whole words on one line', () => {
    expect(firstWords('Short.')).toBe('Short.');
    expect(firstWords('The talks were\nabout trade and the harbour of Hamburg in the spring of that year.', 40)).toBe('The talks were about trade and the…');
    expect(firstWords('x'.repeat(100), 10)).toBe(`${'x'.repeat(10)}…`);
  });

  it('are found again after edits before them, and not when their own text changed', () => {
    const item = { start: 12, end: 31, text: 'Second 🙂 one here.' };
    const text = docs[0]!.text;
    expect(locateItem(text, item)).toEqual({ start: 12, end: 31 });
    expect(locateItem(`Inserted. ${text}`, item)).toEqual({ start: 22, end: 41 }); // 'Inserted. ' is 10
    expect(locateItem(text.slice(5), item)).toEqual({ start: 7, end: 26 });
    // Two occurrences, at 0 (a copy pasted in front, 20 characters) and at 32: the one nearest the old
    // start 12 wins (a heuristic: the text alone cannot tell which one the ranking saw).
    expect(locateItem(`Second 🙂 one here. ${text}`, item)).toEqual({ start: 0, end: 19 });
    expect(locateItem(`${'z'.repeat(40)}${text}Second 🙂 one here.`, item)).toEqual({ start: 52, end: 71 });
    expect(locateItem(text.replace('here', 'there'), item)).toBeUndefined();
  });
});

describe('queue cursor', () => {
  it('walks the unvisited items in order, after the one clicked, and says when all were seen', () => {
    const cursor = new QueueCursor(4);
    expect(cursor.next()).toBe(0);
    cursor.visit(2); // a click in the tree
    expect(cursor.next()).toBe(3);
    expect(cursor.next()).toBe(1); // wraps round to the first unvisited
    expect(cursor.visitedCount).toBe(4);
    expect(cursor.next()).toBeUndefined();
    expect(() => cursor.visit(4)).toThrow(RangeError);
    expect(new QueueCursor(0).next()).toBeUndefined();
  });
});

describe('workspace documents', () => {
  const file = (label: string, text: string | undefined, reads: string[]): CandidateFile => ({
    key: `file:///ws/${label}`, label, read: async () => {
      reads.push(label);
      return text;
    },
  });

  it('takes the active document first, then files by path; blank, unreadable and too large files are left out', async () => {
    const reads: string[] = [];
    const active = { key: 'file:///ws/b.txt', label: 'b.txt', text: 'Unsaved edit.' };
    const chosen = await chooseDocuments(active, [
      file('c.md', 'C.', reads), file('b.txt', 'On disk.', reads), file('a.txt', 'A.', reads),
      file('blank.txt', ' \n ', reads), file('bad.txt', undefined, reads), file('big.txt', 'x'.repeat(MAX_FILE_CHARS + 1), reads),
    ]);
    expect(chosen.documents.map((d) => [d.label, d.text])).toEqual([['b.txt', 'Unsaved edit.'], ['a.txt', 'A.'], ['c.md', 'C.']]);
    expect(reads).not.toContain('b.txt'); // the active document's own text, not the disk's
    expect(chosen.omitted).toEqual([expect.stringContaining('1 file(s) over'), '1 file(s) could not be read']);
  });

  it('stops reading at MAX_DOCUMENTS and says how many were left out', async () => {
    const reads: string[] = [];
    const files = Array.from({ length: MAX_DOCUMENTS + 7 }, (_, i) => file(`f${String(i).padStart(3, '0')}.txt`, `Text ${i}.`, reads));
    const chosen = await chooseDocuments(undefined, files);
    expect(chosen.documents).toHaveLength(MAX_DOCUMENTS);
    expect(reads).toHaveLength(MAX_DOCUMENTS);
    expect(chosen.omitted).toEqual([`7 file(s) beyond the first ${MAX_DOCUMENTS} left out`]);
  });
});

describe('package.json contributions of Next Uncertain', () => {
  it('contributes the commands the code registers, the Uncertain view in the BERT Lens container, and its buttons', () => {
    const code = readFileSync(path.join(ROOT, 'src/host/uncertainty/registerUncertainty.ts'), 'utf8') + readFileSync(path.join(ROOT, 'src/host/uncertainty/uncertainTree.ts'), 'utf8');
    const commands = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
    for (const id of ['bertLens.nextUncertain', 'bertLens.refreshUncertain', 'bertLens.revealUncertain']) {
      expect(code, id).toContain(`'${id}'`);
      expect(commands.get(id), id).toMatchObject({ category: 'BERT Lens' });
    }
    expect(commands.get('bertLens.nextUncertain')!.title).toBe('Next Uncertain');
    expect(code).toContain("UNCERTAIN_VIEW = 'bertLens.uncertain'");
    expect(manifest.contributes.views.bertLens!.find((v) => v.id === 'bertLens.uncertain')?.name).toBe('Uncertain');
    const title = manifest.contributes.menus['view/title']!.filter((m) => m.when === 'view == bertLens.uncertain').map((m) => m.command);
    expect(title).toEqual(['bertLens.nextUncertain', 'bertLens.refreshUncertain']);
    expect(manifest.contributes.menus.commandPalette!.find((m) => m.command === 'bertLens.revealUncertain')?.when).toBe('false');
  });
});
