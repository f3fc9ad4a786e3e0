import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { ARCHITECTURE_OF } from '../../../src/core/bert/heads';
import { checkBaseModel } from '../../../src/core/finetune/baseModelCheck';
import { HEAD_OF_TASK } from '../../../src/core/train/trainer';
import { summarizeClassification, summarizeNerDocuments, summarizeNerSentences } from '../../../src/core/finetune/datasetSummary';
import { devCount, splitDev } from '../../../src/core/finetune/devSplit';
import { planStart, summarizeData, type FinetuneEnvironment } from '../../../src/host/finetune/startPlan';
import { DEFAULT_FIELDS } from '../../../webview/form';

const REPO = path.resolve(__dirname, '../../..');
const BASE = path.join(REPO, 'test/fixtures/models/base');
const TOKEN = path.join(REPO, 'test/fixtures/models/token-classification');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-finetune-data-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** A document with spans over the given words of its text. */
export function labelled(pathName: string, text: string, entities: Array<[string, string]>): AnnotatedDocument {
  const spans = entities.map(([word, label]) => {
    const start = text.indexOf(word);
    if (start < 0) throw new Error(`${word} not in ${text}`);
    return { start, end: start + word.length, label };
  });
  return { text, spans, meta: { path: pathName } };
}

describe('dev split', () => {
  it('holds out ceil(ratio × n), never everything, seeded', () => {
    expect(devCount(10, 0.2)).toBe(2);
    expect(devCount(11, 0.2)).toBe(3);
    expect(devCount(2, 0.9)).toBe(1);
    expect(devCount(1, 0.5)).toBe(0);
    expect(devCount(10, 0)).toBe(0);
    expect(() => devCount(10, 1)).toThrow(RangeError);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = splitDev(items, 0.2, 42);
    expect(a.dev).toHaveLength(10);
    expect([...a.train, ...a.dev].sort((x, y) => x - y)).toEqual(items);
    expect(splitDev(items, 0.2, 42)).toEqual(a);
    expect(splitDev(items, 0.2, 43).dev).not.toEqual(a.dev);
    // Each half keeps file order.
    expect(a.dev).toEqual([...a.dev].sort((x, y) => x - y));
  });
});

describe('dataset summary', () => {
  const documents = [
    labelled('a.txt', 'John lives in London\nMary visited Paris', [['John', 'PER'], ['London', 'LOC'], ['Mary', 'PER'], ['Paris', 'LOC']]),
    labelled('b.txt', 'Smith met Obama in Berlin', [['Smith', 'PER'], ['Obama', 'PER'], ['Berlin', 'LOC'], ['Berlin', 'ORG']]),
  ];

  it('counts documents, sentences and spans per label; warns for labels with < 5 examples', () => {
    const summary = summarizeNerDocuments(documents, { ratio: 0.34 });
    expect(summary.documents).toBe(2);
    expect(summary.examples).toBe(3);
    expect(summary.labelCounts).toEqual([{ label: 'PER', count: 4 }, { label: 'LOC', count: 3 }, { label: 'ORG', count: 1 }]);
    expect([summary.train, summary.dev]).toEqual([1, 2]);
    expect(summary.errors).toEqual([]);
    expect(summary.warnings.filter((w) => /fewer than 5/.test(w))).toEqual([
      '"PER" has 4 examples (fewer than 5): the model will hardly learn it.',
      '"LOC" has 3 examples (fewer than 5): the model will hardly learn it.',
      '"ORG" has 1 example (fewer than 5): the model will hardly learn it.',
    ]);
    // The overlapping ORG span cannot be encoded in BIO next to LOC: reported, not silently lost.
    expect(summary.warnings.some((w) => /widened to whole words or left out/.test(w) && /overlap/i.test(w))).toBe(true);
  });

  it('no annotations, no spans, one label', () => {
    expect(summarizeNerDocuments([], { ratio: 0.2 }).errors[0]).toMatch(/^No annotations yet/);
    expect(summarizeNerDocuments([labelled('a.txt', 'nothing here', [])], { ratio: 0.2 }).errors[0]).toMatch(/no labelled spans/);
    const one = summarizeNerDocuments([labelled('a.txt', 'John and Mary', [['John', 'PER'], ['Mary', 'PER']])], { ratio: 0 });
    expect(one.errors).toEqual([]);
    expect(one.warnings[0]).toMatch(/^Only one label \("PER"\)/);
    const classes = summarizeClassification([{ label: 'pos' }, { label: 'pos' }], [], { ratio: 0 }, 'c.tsv');
    expect(classes.errors).toEqual(['Every example has the label "pos": classification needs at least two labels.']);
  });

  it('file data: entities from B- tags, skipped records listed', () => {
    const summary = summarizeNerSentences(
      [{ tokens: ['New', 'York', 'is', 'big'], tags: ['B-LOC', 'I-LOC', 'O', 'O'], line: 1 }, { tokens: ['x'], tags: ['O'], line: 3 }],
      [{ file: 'd.conll', line: 7, message: 'bad tag' }], { examples: 4 }, 'd.conll');
    expect(summary.labelCounts).toEqual([{ label: 'LOC', count: 1 }]);
    expect([summary.train, summary.dev]).toEqual([2, 4]);
    expect(summary.warnings.at(-1)).toBe('1 records were skipped or changed: line 7: bad tag');
  });
});

describe('start checks', () => {
  const env = (documents: AnnotatedDocument[], workspaceDir: string | null = work): FinetuneEnvironment => ({
    workspaceDir: workspaceDir ?? undefined,
    bundledModel: () => TOKEN,
    loadDocuments: async () => documents,
    createRunDir: async (task) => {
      const dir = path.join(work, 'runs', `${task}-${Date.now()}-${Math.random()}`);
      await fs.mkdir(dir, { recursive: true });
      return dir;
    },
    hub: {},
  });
  const docs = [labelled('a.txt', 'John lives in London\nMary visited Paris\nObama met Smith', [['John', 'PER'], ['London', 'LOC'], ['Mary', 'PER'], ['Paris', 'LOC']])];

  it('refuses to start without annotations, with field errors, or without a workspace', async () => {
    const none = await planStart(DEFAULT_FIELDS, env([]));
    expect(none.payload).toBeUndefined();
    expect(none.notices).toEqual([{ level: 'error', text: expect.stringMatching(/^Cannot start: No annotations yet/) }]);
    const bad = await planStart({ ...DEFAULT_FIELDS, learning_rate: 'fast' }, env(docs));
    expect(bad.notices[0]!.text).toMatch(/^Cannot start: learning_rate must be a number/);
    const noWorkspace = await planStart(DEFAULT_FIELDS, env(docs, null));
    expect(noWorkspace.notices[0]!.text).toMatch(/Open a folder/);
  });

  it('refuses a base model without safetensors, and says when a new head is initialized', async () => {
    const onnxOnly = path.join(work, 'onnx-only');
    await fs.cp(TOKEN, onnxOnly, { recursive: true });
    await fs.rm(path.join(onnxOnly, 'model.safetensors'));
    const refused = await planStart({ ...DEFAULT_FIELDS, baseModelKind: 'folder', baseModel: onnxOnly }, env(docs));
    expect(refused.payload).toBeUndefined();
    expect(refused.notices.find((n) => n.level === 'error')!.text).toMatch(/has no model\.safetensors: fine-tuning needs the weights as safetensors/);

    const fromBase = await planStart({ ...DEFAULT_FIELDS, baseModelKind: 'folder', baseModel: BASE }, env(docs));
    expect(fromBase.payload).toBeDefined();
    expect(fromBase.notices.some((n) => n.level === 'warning' && /a new BertForTokenClassification head is initialized/.test(n.text))).toBe(true);

    const missing = await planStart({ ...DEFAULT_FIELDS, baseModelKind: 'folder', baseModel: './no/such/model' }, env(docs));
    expect(missing.notices.find((n) => n.level === 'error')!.text).toMatch(/Model folder not found: .*no\/such\/model/);
  });

  it('builds the job payload: documents, resolved paths, HF arguments, a fresh run folder', async () => {
    const plan = await planStart({ ...DEFAULT_FIELDS, learning_rate: '1e-3', trainLayers: 'top', topLayers: '1' }, env(docs));
    expect(plan.notices.filter((n) => n.level === 'error')).toEqual([]);
    const payload = plan.payload!;
    expect(payload.task).toBe('ner');
    expect(payload.model.reference).toBe(TOKEN);
    expect(payload.data).toEqual({ kind: 'documents', documents: docs });
    expect(payload.dev).toEqual({ kind: 'ratio', ratio: 0.2 });
    expect(payload.args.learning_rate).toBe(1e-3);
    expect(payload.trainLayers).toBe(1);
    expect((await fs.stat(payload.outputDir)).isDirectory()).toBe(true);
  });

  it('a data file: its summary, and the dev set from a folder', async () => {
    await fs.writeFile(path.join(work, 'train.conll'), 'John B-PER\nlives O\n\nParis B-LOC\n\nbad line with too many\n');
    await fs.mkdir(path.join(work, 'dev'), { recursive: true });
    await fs.writeFile(path.join(work, 'dev', 'a.conll'), 'Mary B-PER\n\nBerlin B-LOC\n');
    await fs.writeFile(path.join(work, 'dev', 'b.conll'), 'Obama B-PER\n');
    const summary = await summarizeData({ ...DEFAULT_FIELDS, dataSource: 'file', dataFile: 'train.conll', devKind: 'path', devPath: 'dev' }, env([]));
    expect(summary!.source).toBe('train.conll');
    expect(summary!.labelCounts.map((c) => c.label).sort()).toEqual(['LOC', 'PER']);
    expect(summary!.dev).toBe(3);
    const missing = await summarizeData({ ...DEFAULT_FIELDS, dataSource: 'file', dataFile: 'nope.conll' }, env([]));
    expect(missing!.errors[0]).toMatch(/nope\.conll: no such file/);
  });

  it('classification from the workspace annotations: a clear refusal without text categories, else the categories as examples', async () => {
    const classify = { ...DEFAULT_FIELDS, task: 'classify', dataSource: 'store', baseModelKind: 'folder', baseModel: BASE };
    // Spans only: nothing to classify.
    const refused = await planStart(classify, env(docs));
    expect(refused.payload).toBeUndefined();
    expect(refused.notices).toEqual([{ level: 'error', text: expect.stringMatching(/^Cannot start: The workspace annotations have no text categories: label paragraphs or documents with "Label Paragraph with Categories…"/) }]);

    const text = 'Great match.\n\nDull film.\n\nLovely goal.\n\nBoring plot.\n\nWhat a save.\n\nWeak ending.';
    const paragraphs = text.split('\n\n');
    const categorized: AnnotatedDocument = {
      text,
      spans: [],
      meta: { path: 'reviews.txt' },
      categories: paragraphs.map((words, i) => ({ start: text.indexOf(words), end: text.indexOf(words) + words.length, scope: 'paragraph' as const, options: ['pos', 'neg'], multiLabel: false, accept: [i % 2 === 0 ? 'pos' : 'neg'] })),
    };
    const summary = await summarizeData({ ...classify, devRatio: '0' }, env([categorized, ...docs]));
    expect(summary!.source).toBe('workspace annotations (text categories)');
    expect(summary!.examples).toBe(6);
    expect(summary!.documents).toBe(1);
    expect(Object.fromEntries(summary!.labelCounts.map((c) => [c.label, c.count]))).toEqual({ pos: 3, neg: 3 });
    const plan = await planStart(classify, env([categorized]));
    expect(plan.notices.filter((n) => n.level === 'error')).toEqual([]);
    expect(plan.payload!.task).toBe('classify');
    expect(plan.payload!.data).toMatchObject({ kind: 'documents', documents: [categorized] });
    expect(plan.payload!.data).not.toHaveProperty('unit');

    // Examples from whole documents only: these decisions are all paragraphs.
    const documentsOnly = await planStart({ ...classify, categoryUnit: 'document' }, env([categorized]));
    expect(documentsOnly.payload).toBeUndefined();
    expect(documentsOnly.notices).toEqual([{ level: 'error', text: expect.stringMatching(/^Cannot start: The workspace annotations have no text categories on whole documents/) }]);
    const withDocument: AnnotatedDocument = { ...categorized, categories: [...categorized.categories!, { start: 0, end: text.length, scope: 'document', options: ['review'], multiLabel: false, accept: ['review'] }] };
    const paragraphsOnly = await summarizeData({ ...classify, devRatio: '0', categoryUnit: 'paragraph' }, env([withDocument]));
    expect(paragraphsOnly!.examples).toBe(6);
    expect((await summarizeData({ ...classify, devRatio: '0', categoryUnit: 'all' }, env([withDocument])))!.examples).toBe(7);
    const paragraphPlan = await planStart({ ...classify, categoryUnit: 'paragraph' }, env([withDocument]));
    expect(paragraphPlan.payload!.data).toMatchObject({ kind: 'documents', unit: 'paragraph' });
  });

  it('checkBaseModel on the fixtures', async () => {
    const token = await checkBaseModel(TOKEN, 'ner', ['PER', 'FOOD'], 512);
    expect(token.errors).toEqual([]);
    expect(token.warnings.join('\n')).toMatch(/max_seq_length 512 is more than the model's max_position_embeddings \(64\)/);
    expect(token.warnings.join('\n')).toMatch(/Label "FOOD" is new to the model/);
    // The head named in the warning is the trainer's head for the task.
    const classify = await checkBaseModel(TOKEN, 'classify', ['pos', 'neg']);
    expect(classify.warnings[0]).toContain(`a new ${ARCHITECTURE_OF[HEAD_OF_TASK.classify]} head`);
    expect((await checkBaseModel(TOKEN, 'ner', ['PER'])).warnings).toEqual([]);
  });
});
