import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TextCategories } from '../../../../src/core/data/annotation';
import { AnnotationStore } from '../../../../src/core/data/annotationStore';
import { paragraphAt, toggleCategory, type CategorySet } from '../../../../src/core/data/categoryEdits';
import { planClassificationProposals, type ClassificationResult } from '../../../../src/host/annotation/acceptClassifications';
import { AnnotationModel, type OpenDocument } from '../../../../src/host/annotation/annotationModel';
import { categoryPickRows } from '../../../../src/host/annotation/categoryChoice';
import { DocumentCategories } from '../../../../src/host/annotation/documentCategories';
import { keyHints, labelForKey } from '../../../../src/host/annotation/labelChoice';
import { AnnotationPersistence, type AnnotationReporter } from '../../../../src/host/annotation/persistence';
import { applyChanges, type TextChange } from '../../../../src/host/ner/textChanges';

const TEXT = 'City won the derby on Sunday.\n\nParliament passed the budget.\n\nRain all week.\n';

let dir: string;
let warnings: string[];
let reporter: AnnotationReporter;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-categories-'));
  warnings = [];
  reporter = { info: () => undefined, warn: (message) => warnings.push(message) };
});

// Models of the test: their pending saves are written before the folder goes.
const models: Array<{ flush(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(models.splice(0).map((model) => model.flush()));
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

class Doc implements OpenDocument {
  readonly key: string;
  readonly location: { folderDir: string; path: string };
  constructor(public text: string, name = 'news.txt') {
    this.key = `file://${dir}/${name}`;
    this.location = { folderDir: dir, path: name };
  }
  getText(): string {
    return this.text;
  }
  edit(rangeOffset: number, rangeLength: number, text: string): TextChange[] {
    const change = { rangeOffset, rangeLength, text };
    this.text = applyChanges(this.text, [change]);
    return [change];
  }
}

/** The store as a fresh process reads it (.bert-lens/annotations.jsonl from disk). */
async function readStore() {
  return (await AnnotationStore.open(dir)).list();
}

function setup() {
  const persistence = new AnnotationPersistence(reporter, 0);
  const model = new AnnotationModel(persistence, reporter, () => ['PER', 'ORG']);
  models.push(model);
  return { persistence, model };
}

const EXCLUSIVE: CategorySet = { labels: ['sports', 'politics'], exclusive: true };
const MULTI: CategorySet = { labels: ['sports', 'politics'], exclusive: false };

/** The decisions as accepted labels plus the text they cover: what must survive edits and saves. */
function covered(text: string, decisions: readonly TextCategories[]): string[] {
  return decisions.map((c) => `${c.scope}:${c.accept.join('+')}:${text.slice(c.start, c.end)}`);
}

const range = (text: string, words: string) => paragraphAt(text, text.indexOf(words))!;

describe('tracked category decisions in an open document', () => {
  it('follow edits before and inside their paragraph; the document decision always covers the whole text', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    const politics = range(TEXT, 'Parliament');
    expect(await model.setCategories(doc.key, politics, toggleCategory(undefined, politics, EXCLUSIVE, 'politics'))).toBe(true);
    const whole = { start: 0, end: TEXT.length, scope: 'document' as const };
    await model.setCategories(doc.key, whole, { ...whole, options: ['news'], multiLabel: false, accept: ['news'] });

    model.applyEdit(doc.key, doc.edit(0, 0, 'Report.\n\n'), 'edit');
    model.applyEdit(doc.key, doc.edit(doc.text.indexOf('the budget'), 0, 'finally '), 'edit');
    expect(covered(doc.text, model.categories(doc.key)!)).toEqual([`document:news:${doc.text}`, 'paragraph:politics:Parliament passed finally the budget.']);
  });

  it('a decision whose text was deleted goes, and Undo brings it back', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    const rain = range(TEXT, 'Rain');
    await model.setCategories(doc.key, rain, toggleCategory(undefined, rain, MULTI, 'sports'));
    const start = doc.text.indexOf('Rain');
    model.applyEdit(doc.key, doc.edit(start, 'Rain all week.'.length, ''), 'edit');
    expect(model.categories(doc.key)).toEqual([]);
    model.applyEdit(doc.key, doc.edit(start, 0, 'Rain all week.'), 'undo');
    expect(covered(doc.text, model.categories(doc.key)!)).toEqual(['paragraph:sports:Rain all week.']);
  });

  it('setting the same decision again changes nothing; removing one that is not there neither', () => {
    const categories = new DocumentCategories([], TEXT);
    const sports = range(TEXT, 'City');
    const decision = toggleCategory(undefined, sports, EXCLUSIVE, 'sports')!;
    expect(categories.set(sports, decision, TEXT)).toBe(true);
    expect(categories.set(sports, { ...decision }, TEXT)).toBe(false);
    expect(categories.size).toBe(1);
    expect(categories.set(range(TEXT, 'Rain'), undefined, TEXT)).toBe(false);
    // Another decision for the same range replaces it (one decision per range and scope).
    expect(categories.set(sports, toggleCategory(decision, sports, EXCLUSIVE, 'politics'), TEXT)).toBe(true);
    expect(categories.toCategories(TEXT.length).map((c) => c.accept)).toEqual([['politics']]);
  });

  it('are saved with the spans, and a span edit never drops them', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    const city = range(TEXT, 'City');
    await model.setCategories(doc.key, city, toggleCategory(toggleCategory(undefined, city, MULTI, 'sports'), city, MULTI, 'politics'));
    await model.flush();
    let [record] = await readStore();
    expect(record!.spans).toEqual([]);
    expect(record!.categories).toEqual([{ start: city.start, end: city.end, scope: 'paragraph', options: ['sports', 'politics'], multiLabel: true, accept: ['sports', 'politics'] }]);

    // Label a span, then remove it again: the record stays, with its decision.
    const outcome = await model.label(doc.key, [{ start: 0, end: 4, text: 'City' }], 'ORG');
    await model.flush();
    expect((await readStore())[0]!.spans).toEqual([{ start: 0, end: 4, label: 'ORG' }]);
    expect((await readStore())[0]!.categories).toHaveLength(1);
    await model.remove(doc.key, new Set(outcome!.added.map((s) => s.id)));
    await model.flush();
    [record] = await readStore();
    expect(record!.spans).toEqual([]);
    expect(covered(record!.text, record!.categories!)).toEqual(['paragraph:sports+politics:City won the derby on Sunday.']);

    // Removing the last decision of a document without spans removes its record.
    await model.setCategories(doc.key, city, undefined);
    await model.flush();
    expect(await readStore()).toEqual([]);
  });

  it('are read back when the document opens, and again when the store changed under it (reload after an import)', async () => {
    const store = await AnnotationStore.open(dir);
    const rain = range(TEXT, 'Rain');
    await store.put({ text: TEXT, spans: [], meta: { path: 'news.txt' }, categories: [{ ...rain, options: ['sports'], multiLabel: false, accept: ['sports'] }] });
    const { model, persistence } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    expect(covered(TEXT, model.categories(doc.key)!)).toEqual(['paragraph:sports:Rain all week.']);
    expect(await model.categoryLabels(dir)).toEqual(['sports']);

    // The store changes under the open document (as Import Annotations writes it): reloading follows it.
    const other = await persistence.storeFor(dir);
    const city = range(TEXT, 'City');
    await other.put({ text: TEXT, spans: [], meta: { path: 'news.txt' }, categories: [{ ...city, options: ['sports', 'weather'], multiLabel: false, accept: ['weather'] }] });
    await model.reloadFolder(dir);
    expect(covered(TEXT, model.categories(doc.key)!)).toEqual(['paragraph:weather:City won the derby on Sunday.']);
    expect(warnings).toEqual([]);
  });

  it('a document changed outside the editor: decisions move with their text, one whose text is gone is reported', async () => {
    const store = await AnnotationStore.open(dir);
    const city = range(TEXT, 'City');
    const rain = range(TEXT, 'Rain');
    await store.put({ text: TEXT, spans: [], meta: { path: 'news.txt' }, categories: [{ ...city, options: ['sports'], multiLabel: false, accept: ['sports'] }, { ...rain, options: ['weather'], multiLabel: false, accept: ['weather'] }] });
    const changed = `Sunday edition.\n\n${TEXT.replace('Rain all week.', 'Sunny.')}`;
    const { model } = setup();
    const doc = new Doc(changed);
    await model.open(doc);
    expect(covered(changed, model.categories(doc.key)!)).toEqual(['paragraph:sports:City won the derby on Sunday.']);
    expect(warnings).toEqual([expect.stringMatching(/news\.txt changed outside the editor; 1 text-category decision\(s\) could not be re-anchored/)]);
    const [record] = await readStore();
    expect(record!.text).toBe(changed);
    expect(covered(changed, record!.categories!)).toEqual(['paragraph:sports:City won the derby on Sunday.']);
  });

  it('a decision off its text at save time is reported and left out, the others kept', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    const city = range(TEXT, 'City');
    const rain = range(TEXT, 'Rain');
    await model.setCategories(doc.key, city, toggleCategory(undefined, city, EXCLUSIVE, 'sports'));
    await model.setCategories(doc.key, rain, toggleCategory(undefined, rain, EXCLUSIVE, 'sports'));
    // An edit the model never heard of (a lost event) replaced the first paragraph's words.
    doc.text = doc.text.replace('City won the derby on Sunday.', 'Xyzzy plugh frobozz quux 12');
    // A later change saves: the lost decision is reported, the other one moved onto its text (2 characters earlier).
    await model.label(doc.key, [{ start: doc.text.indexOf('Parliament'), end: doc.text.indexOf('Parliament') + 10, text: 'Parliament' }], 'ORG');
    await model.flush();
    const [record] = await readStore();
    expect(record!.text).toBe(doc.text);
    expect(covered(record!.text, record!.categories!)).toEqual(['paragraph:sports:Rain all week.']);
    expect(record!.categories![0]!.start).toBe(rain.start - 2);
    expect(warnings).toEqual([expect.stringMatching(/1 text-category decision\(s\) of news\.txt no longer matched the text/)]);
  });
});

describe('Alt+1–9 and the category quick pick', () => {
  it('Alt+n names the n-th label of the set; keys outside 1–9 or past the set name none', () => {
    const labels = ['sports', 'politics', 'weather'];
    expect([1, 2, 3].map((key) => labelForKey(labels, key))).toEqual(labels);
    expect(labelForKey(labels, 4)).toBeUndefined();
    expect(labelForKey(labels, 0)).toBeUndefined();
    expect(labelForKey(labels, 1.5)).toBeUndefined();
    const ten = Array.from({ length: 10 }, (_, i) => `c${i}`);
    expect(labelForKey(ten, 9)).toBe('c8');
    expect(labelForKey(ten, 10)).toBeUndefined();
  });

  it('the status bar tooltip lists which Alt+key gives which category', () => {
    const hints = keyHints(['PER'], ['sports', 'politics']);
    expect(hints.tooltip).toContain('Alt+1 → sports');
    expect(hints.tooltip).toContain('Alt+2 → politics');
    expect(keyHints(['PER']).tooltip).not.toContain('Alt+');
  });

  it('quick pick rows: Alt+n notes, the accepted ones picked, and a typed new label offered first (invalid ones refused)', () => {
    const current: TextCategories = { start: 0, end: 4, scope: 'paragraph', options: ['sports', 'politics'], multiLabel: true, accept: ['politics'] };
    const { rows } = categoryPickRows(['sports', 'politics'], current);
    expect(rows.map((r) => [r.value, r.picked, r.description])).toEqual([['sports', false, 'Alt+1'], ['politics', true, 'Alt+2 · current']]);
    const typed = categoryPickRows(['sports'], undefined, ' weather ');
    expect(typed.rows[0]).toMatchObject({ value: 'weather', isNew: true, picked: true });
    expect(categoryPickRows(['sports'], undefined, 'sports').rows).toHaveLength(1);
    expect(categoryPickRows(['sports'], undefined, 'a\tb').validationMessage).toMatch(/^Not a valid label/);
  });
});

describe('Accept Classifications proposals', () => {
  const paragraphs = (scoreKind: ClassificationResult['scoreKind'], scores: Array<Record<string, number>>, threshold = 0.5): ClassificationResult => ({
    scope: 'paragraphs',
    scoreKind,
    threshold,
    labels: ['sports', 'politics', 'weather'],
    modelDescription: 'test-model',
    spans: ['City won the derby on Sunday.', 'Parliament passed the budget.', 'Rain all week.'].slice(0, scores.length).map((words, i) => ({
      start: TEXT.indexOf(words),
      end: TEXT.indexOf(words) + words.length,
      text: words,
      results: Object.entries(scores[i]!).map(([label, score]) => ({ label, score })),
    })),
  });

  it('softmax: the top label accepted, an exclusive decision with the model\'s labels as options', () => {
    const plan = planClassificationProposals([paragraphs('softmax', [{ sports: 0.7, politics: 0.2, weather: 0.1 }, { sports: 0.3, politics: 0.36, weather: 0.34 }])], [], TEXT.length);
    expect(plan.proposals.map((p) => [p.text, p.categories.accept, p.categories.multiLabel, p.categories.scope])).toEqual([
      ['City won the derby on Sunday.', ['sports'], false, 'paragraph'],
      ['Parliament passed the budget.', ['politics'], false, 'paragraph'],
    ]);
    expect(plan.proposals[0]!.categories.options).toEqual(['sports', 'politics', 'weather']);
    expect(TEXT.slice(plan.proposals[1]!.categories.start, plan.proposals[1]!.categories.end)).toBe('Parliament passed the budget.');
  });

  it('sigmoid (HF function_to_apply "sigmoid", multi-label): every label at or above the threshold, possibly none', () => {
    const scores = [{ sports: 0.9, politics: 0.6, weather: 0.1 }, { sports: 0.2, politics: 0.49, weather: 0.3 }, { sports: 0.5, politics: 0.05, weather: 0.51 }];
    const plan = planClassificationProposals([paragraphs('sigmoid', scores)], [], TEXT.length);
    expect(plan.proposals.map((p) => [p.categories.accept, p.categories.multiLabel])).toEqual([
      [['sports', 'politics'], true],
      [[], true],
      [['sports', 'weather'], true],
    ]);
    const strict = planClassificationProposals([paragraphs('sigmoid', scores, 0.8)], [], TEXT.length);
    expect(strict.proposals.map((p) => p.categories.accept)).toEqual([['sports'], [], []]);
  });

  it('regression scores are skipped with a reason; a range the person already decided is a conflict, kept over the proposal', () => {
    const regression = { ...paragraphs('none', [{ sports: 3.2 }]) };
    const mine: TextCategories = { ...range(TEXT, 'Parliament'), options: ['politics'], multiLabel: false, accept: ['politics'] };
    const plan = planClassificationProposals([regression, paragraphs('softmax', [{ sports: 0.9 }, { sports: 0.8 }])], [mine], TEXT.length);
    expect(plan.skipped).toEqual([expect.stringContaining('test-model holds raw scores (regression)')]);
    expect(plan.proposals.map((p) => p.conflict)).toEqual([undefined, mine]);
  });

  it('a document result proposes a document decision over the whole text', () => {
    const result: ClassificationResult = { scope: 'document', scoreKind: 'softmax', threshold: 0.5, labels: ['news', 'blog'], modelDescription: 'm', spans: [{ start: 0, end: 10, text: TEXT, results: [{ label: 'news', score: 0.4 }, { label: 'blog', score: 0.6 }] }] };
    const [proposal] = planClassificationProposals([result], [], TEXT.length).proposals;
    expect(proposal!.categories).toEqual({ start: 0, end: TEXT.length, scope: 'document', options: ['news', 'blog'], multiLabel: false, accept: ['blog'] });
  });
});
