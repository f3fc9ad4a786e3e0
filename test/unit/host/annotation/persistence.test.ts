import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnnotationStore } from '../../../../src/core/data/annotationStore';
import { AnnotationModel, type OpenDocument } from '../../../../src/host/annotation/annotationModel';
import { AnnotationPersistence, type AnnotationReporter } from '../../../../src/host/annotation/persistence';
import { applyChanges, type TextChange } from '../../../../src/host/ner/textChanges';

const TEXT = 'Angela Merkel met Emmanuel Macron in Paris.\nThe talks ended on Friday.\n';

let dir: string;
let reports: { infos: string[]; warnings: Array<{ message: string; details: readonly string[] }> };
let reporter: AnnotationReporter;
let puts: number;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-annotation-'));
  reports = { infos: [], warnings: [] };
  reporter = {
    info: (message) => reports.infos.push(message),
    warn: (message, details = []) => reports.warnings.push({ message, details }),
  };
  puts = 0;
});

afterEach(async () => {
  vi.useRealTimers();
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** Opens stores the normal way, counting puts (each debounced save is one). */
async function countingOpen(folderDir: string): Promise<AnnotationStore> {
  const store = await AnnotationStore.open(folderDir);
  const put = store.put.bind(store);
  store.put = (document) => {
    puts++;
    return put(document);
  };
  return store;
}

async function readStore(): Promise<Array<{ text: string; spans: Array<{ start: number; end: number; label: string }>; meta: { path: string } }>> {
  let content: string;
  try {
    content = await fs.readFile(path.join(dir, '.bert-lens', 'annotations.jsonl'), 'utf8');
  } catch {
    return [];
  }
  return content.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

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
  /** Edits the text and returns the change as VS Code reports it. */
  edit(rangeOffset: number, rangeLength: number, text: string): TextChange[] {
    const change = { rangeOffset, rangeLength, text };
    this.text = applyChanges(this.text, [change]);
    return [change];
  }
}

function setup(delayMs = 400) {
  const persistence = new AnnotationPersistence(reporter, delayMs, countingOpen);
  const model = new AnnotationModel(persistence, reporter, () => ['PER', 'ORG', 'LOC']);
  return { persistence, model };
}

const at = (text: string, word: string) => ({ start: text.indexOf(word), end: text.indexOf(word) + word.length, text: word });

describe('saving annotations to the workspace store', () => {
  it('debounces saves: none before the delay, one write for a burst of changes, flushed on close', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { model } = setup(400);
    const doc = new Doc(TEXT);
    await model.open(doc);
    await model.label(doc.key, [at(TEXT, 'Paris')], 'LOC');
    model.applyEdit(doc.key, doc.edit(0, 0, 'Yesterday '), 'edit');
    await model.label(doc.key, [at(doc.text, 'Angela Merkel')], 'PER');
    await vi.advanceTimersByTimeAsync(399);
    expect(puts).toBe(0);
    expect(await readStore()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await model.flush();
    expect(puts).toBe(1);
    const [record] = await readStore();
    expect(record!.meta.path).toBe('news.txt');
    expect(record!.text).toBe(doc.text);
    expect(record!.spans.map((s) => `${s.label}:${record!.text.slice(s.start, s.end)}`)).toEqual(['PER:Angela Merkel', 'LOC:Paris']);

    // An edit, then closing before the delay: the close writes it.
    model.applyEdit(doc.key, doc.edit(0, 10, ''), 'edit');
    await model.close(doc.key);
    expect(puts).toBe(2);
    expect((await readStore())[0]!.text).toBe(TEXT);
  });

  it('removes the record when the last span goes, and Undo brings it back on disk', async () => {
    const { model } = setup(0);
    const doc = new Doc(TEXT);
    await model.open(doc);
    await model.label(doc.key, [at(TEXT, 'Paris')], 'LOC');
    await model.flush();
    expect((await readStore()).length).toBe(1);
    const paris = at(doc.text, 'Paris');
    const outcome = model.applyEdit(doc.key, doc.edit(paris.start, 5, ''), 'edit');
    expect(outcome?.removed.map((s) => s.text)).toEqual(['Paris']);
    await model.flush();
    expect(await readStore()).toEqual([]);
    const undo = model.applyEdit(doc.key, doc.edit(paris.start, 0, 'Paris'), 'undo');
    expect(undo?.restored.map((s) => s.text)).toEqual(['Paris']);
    await model.flush();
    expect((await readStore())[0]!.spans).toEqual([{ start: paris.start, end: paris.end, label: 'LOC' }]);
  });

  it('re-anchors a document changed outside the editor, reports what it lost, and stores the moved spans', async () => {
    const store = await AnnotationStore.open(dir);
    await store.put({ text: TEXT, spans: [{ ...at(TEXT, 'Angela Merkel'), label: 'PER' }, { ...at(TEXT, 'Friday'), label: 'DATE' }], meta: { path: 'news.txt' } });
    const changed = `BERLIN — ${TEXT.replace('on Friday', 'early')}`;
    const { model } = setup();
    const doc = new Doc(changed);
    const annotations = await model.open(doc);
    expect(annotations!.spans.map((s) => [s.label, s.text, s.start])).toEqual([['PER', 'Angela Merkel', changed.indexOf('Angela')]]);
    expect(reports.warnings).toHaveLength(1);
    expect(reports.warnings[0]!.message).toMatch(/news\.txt changed outside the editor; 1 annotation\(s\) could not be re-anchored/);
    expect(reports.warnings[0]!.details).toEqual([expect.stringMatching(/^news\.txt: DATE "Friday" \[\d+, \d+\) — its text "Friday" no longer appears/)]);
    const [record] = await readStore();
    expect(record!.text).toBe(changed);
    expect(record!.spans).toEqual([{ start: changed.indexOf('Angela'), end: changed.indexOf('Angela') + 13, label: 'PER' }]);
    // Opening it again: same text, nothing to report.
    await model.close(doc.key);
    await model.open(new Doc(changed));
    expect(reports.warnings).toHaveLength(1);
  });

  it('reports problems of the store files once per folder, with file and line', async () => {
    await fs.mkdir(path.join(dir, '.bert-lens'));
    await fs.writeFile(path.join(dir, '.bert-lens', 'annotations.jsonl'), `{"text": "a b", "spans": [], "meta": {"path": "x.txt"}}\nnot json\n`);
    const { model } = setup();
    await model.open(new Doc(TEXT, 'a.txt'));
    await model.open(new Doc(TEXT, 'b.txt'));
    expect(reports.warnings).toHaveLength(1);
    expect(reports.warnings[0]!.details).toEqual([expect.stringMatching(/annotations\.jsonl:2: not valid JSON/)]);
  });

  it('reports spans removed by a reload from disk, not those removed by an edit', async () => {
    const { model } = setup(0);
    const doc = new Doc(TEXT);
    await model.open(doc);
    await model.label(doc.key, [at(TEXT, 'Friday')], 'DATE');
    const line = TEXT.indexOf('The talks');
    model.applyEdit(doc.key, doc.edit(line, TEXT.length - line, 'The talks go on.\n'), 'edit', true);
    expect(reports.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/news\.txt was reloaded from disk .* 1 annotation\(s\) whose text is gone were removed\. Undo brings them back\./)]);
    expect(reports.warnings[0]!.details).toEqual([expect.stringContaining('DATE "Friday"')]);
    // An ordinary deletion is no news.
    await model.label(doc.key, [at(doc.text, 'Paris')], 'LOC');
    model.applyEdit(doc.key, doc.edit(doc.text.indexOf('Paris'), 5, ''), 'edit');
    expect(reports.warnings).toHaveLength(1);
  });

  it('checks spans against the text before saving: a span off its text is moved to it, or reported', async () => {
    const { model } = setup(0);
    const doc = new Doc(TEXT);
    await model.open(doc);
    await model.label(doc.key, [at(TEXT, 'Paris'), at(TEXT, 'Friday')], 'X');
    // Edits the model never heard of (as if an event was lost).
    doc.text = `Note. ${doc.text.replace('Friday', 'Monday')}`;
    await model.labels(dir);
    model.applyEdit(doc.key, [], 'edit');
    await model.label(doc.key, [at(doc.text, 'Note')], 'X');
    await model.flush();
    const [record] = await readStore();
    expect(record!.spans.map((s) => record!.text.slice(s.start, s.end))).toEqual(['Note', 'Paris']);
    expect(reports.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/1 annotation\(s\) of news\.txt no longer matched the text/)]);
  });

  it('reports a failed write once, keeps the change, and saves it when writing works again', async () => {
    const { model } = setup(0);
    const doc = new Doc(TEXT);
    await model.open(doc);
    // A file where the .bert-lens folder should be: every write fails.
    await fs.writeFile(path.join(dir, '.bert-lens'), 'in the way');
    await model.label(doc.key, [at(TEXT, 'Paris')], 'LOC');
    await model.flush();
    await model.label(doc.key, [at(TEXT, 'Friday')], 'DATE');
    await model.flush();
    expect(reports.warnings.map((w) => w.message)).toEqual([expect.stringMatching(/could not save annotations .* kept in memory/)]);
    await fs.rm(path.join(dir, '.bert-lens'));
    await model.label(doc.key, [at(TEXT, 'Angela')], 'PER');
    await model.flush();
    expect((await readStore())[0]!.spans.map((s) => s.label)).toEqual(['PER', 'LOC', 'DATE']);
    expect(reports.infos).toContain('annotations saved again after an earlier failure');
  });

  it('deletes a label only after confirmation, from the set, the store and the open documents; renames everywhere', async () => {
    const { model } = setup(0);
    const doc = new Doc(TEXT);
    const other = new Doc(TEXT, 'other.txt');
    await model.open(doc);
    await model.open(other);
    await model.label(doc.key, [at(TEXT, 'Paris')], 'LOC');
    await model.label(other.key, [at(TEXT, 'Angela Merkel')], 'PER');
    await model.label(other.key, [at(TEXT, 'Friday')], 'LOC');
    expect(await model.labels(dir)).toEqual(['LOC', 'PER', 'ORG']);

    const asked: number[] = [];
    expect(await model.deleteLabel(dir, 'LOC', async (count) => (asked.push(count), false))).toBeUndefined();
    expect(model.get(doc.key)!.spans).toHaveLength(1);
    expect(await model.deleteLabel(dir, 'LOC', async (count) => (asked.push(count), true))).toBe(2);
    expect(asked).toEqual([2, 2]);
    expect(model.get(doc.key)!.spans).toEqual([]);
    expect(model.get(other.key)!.spans.map((s) => s.label)).toEqual(['PER']);
    await model.flush();
    expect((await readStore()).map((r) => [r.meta.path, r.spans.map((s) => s.label)])).toEqual([['other.txt', ['PER']]]);

    expect(await model.renameLabel(dir, 'PER', 'PERSON')).toBe(1);
    expect(model.get(other.key)!.spans.map((s) => s.label)).toEqual(['PERSON']);
    await model.flush();
    expect((await readStore())[0]!.spans.map((s) => s.label)).toEqual(['PERSON']);
    expect(JSON.parse(await fs.readFile(path.join(dir, '.bert-lens', 'labels.json'), 'utf8')).labels).toEqual(['PERSON']);
  });

  it('moves records with a renamed file or folder', async () => {
    const { model, persistence } = setup(0);
    const doc = new Doc(TEXT, 'docs/a.txt');
    await model.open(doc);
    await model.label(doc.key, [at(TEXT, 'Paris')], 'LOC');
    expect(await persistence.rename(dir, 'docs', 'notes')).toBe(1);
    await model.flush();
    expect((await readStore()).map((r) => r.meta.path)).toEqual(['notes/a.txt']);
  });
});
