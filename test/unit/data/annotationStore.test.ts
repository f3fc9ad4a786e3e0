import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { AnnotationStore, InvalidDocumentError, LabelInUseError } from '../../../src/core/data/annotationStore';

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-store-'));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const doc = (p: string, text: string, spans: AnnotatedDocument['spans'] = []): AnnotatedDocument => ({ text, spans, meta: { path: p } });
const storeFile = (name: string): string => path.join(workspace, '.bert-lens', name);

describe('AnnotationStore basics', () => {
  it('creates nothing on open, then writes Prodigy-shaped records and the label set', async () => {
    const store = await AnnotationStore.open(workspace);
    await expect(fs.access(path.join(workspace, '.bert-lens'))).rejects.toThrow();
    const warnings = await store.put(doc('src/b.txt', 'Paris and Berlin', [{ start: 10, end: 16, label: 'LOC' }, { start: 0, end: 5, label: 'LOC' }]));
    expect(warnings).toEqual([]);
    await store.put(doc('a.txt', 'Ada', [{ start: 0, end: 3, label: 'PER' }]));
    const lines = (await fs.readFile(storeFile('annotations.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { meta: { path: string } }).meta.path)).toEqual(['a.txt', 'src/b.txt']);
    expect(JSON.parse(lines[1]!)).toEqual({
      text: 'Paris and Berlin',
      spans: [
        { start: 0, end: 5, label: 'LOC' },
        { start: 10, end: 16, label: 'LOC' },
      ],
      meta: { path: 'src/b.txt', sha256: createHash('sha256').update(Buffer.from('Paris and Berlin', 'utf8')).digest('hex') },
      answer: 'accept',
    });
    expect(JSON.parse(await fs.readFile(storeFile('labels.json'), 'utf8'))).toEqual({ labels: ['LOC', 'PER'] });
    const reopened = await AnnotationStore.open(workspace);
    expect(reopened.problems).toEqual([]);
    expect(reopened.list()).toEqual(store.list());
    expect(reopened.get('a.txt')!.meta.sha256).toBe(store.get('a.txt')!.meta.sha256);
  });

  it('returns copies: mutating a result does not change the store', async () => {
    const store = await AnnotationStore.open(workspace);
    await store.put(doc('a.txt', 'Ada', [{ start: 0, end: 3, label: 'PER' }]));
    store.get('a.txt')!.spans.pop();
    expect(store.get('a.txt')!.spans).toHaveLength(1);
  });

  it('refuses unusable spans and returns overlap warnings', async () => {
    const store = await AnnotationStore.open(workspace);
    await expect(store.put(doc('a.txt', 'abc', [{ start: 1, end: 9, label: 'X' }]))).rejects.toBeInstanceOf(InvalidDocumentError);
    expect(store.has('a.txt')).toBe(false);
    const warnings = await store.put(doc('a.txt', 'New York', [{ start: 0, end: 8, label: 'LOC' }, { start: 4, end: 8, label: 'LOC' }]));
    expect(warnings.map((w) => w.kind)).toEqual(['overlap']);
  });

  it('deletes records', async () => {
    const store = await AnnotationStore.open(workspace);
    await store.put(doc('a.txt', 'a'));
    expect(await store.delete('a.txt')).toBe(true);
    expect(await store.delete('a.txt')).toBe(false);
    expect((await AnnotationStore.open(workspace)).paths()).toEqual([]);
  });

  it('keeps unknown top-level keys of stored records', async () => {
    await fs.mkdir(path.join(workspace, '.bert-lens'));
    await fs.writeFile(storeFile('annotations.jsonl'), '{"text":"Ada","spans":[],"meta":{"path":"a.txt","user":"me"},"_input_hash":7,"answer":"accept"}\n');
    const store = await AnnotationStore.open(workspace);
    await store.put({ ...store.get('a.txt')!, spans: [{ start: 0, end: 3, label: 'PER' }] });
    const record = JSON.parse(await fs.readFile(storeFile('annotations.jsonl'), 'utf8')) as Record<string, unknown>;
    expect(record._input_hash).toBe(7);
    expect(record.meta).toMatchObject({ path: 'a.txt', user: 'me' });
  });
});

describe('labels', () => {
  it('adds, renames (merging), and removes labels, guarding labels in use', async () => {
    const store = await AnnotationStore.open(workspace);
    expect(await store.addLabel('PER')).toBe(true);
    expect(await store.addLabel('PER')).toBe(false);
    await expect(store.addLabel('bad\tlabel')).rejects.toThrow(/tab/);
    await store.put(doc('a.txt', 'Ada in Paris', [{ start: 0, end: 3, label: 'PERSON' }, { start: 7, end: 12, label: 'GPE' }]));
    expect(store.labels()).toEqual(['PER', 'PERSON', 'GPE']);
    expect(await store.renameLabel('PERSON', 'PER')).toBe(1);
    expect(await store.renameLabel('GPE', 'LOC')).toBe(1);
    expect(store.labels()).toEqual(['PER', 'LOC']);
    expect(store.get('a.txt')!.spans.map((s) => s.label)).toEqual(['PER', 'LOC']);
    await expect(store.renameLabel('NOPE', 'X')).rejects.toThrow(/no label "NOPE"/);
    expect(await store.renameLabel('PER', 'PER')).toBe(0);
    expect(store.labels()).toEqual(['PER', 'LOC']);
    await expect(store.removeLabel('LOC')).rejects.toBeInstanceOf(LabelInUseError);
    expect(await store.removeLabel('LOC', { deleteSpans: true })).toBe(1);
    const reopened = await AnnotationStore.open(workspace);
    expect(reopened.labels()).toEqual(['PER']);
    expect(reopened.get('a.txt')!.spans).toEqual([{ start: 0, end: 3, label: 'PER' }]);
  });

  it('preserves a corrupt labels.json before replacing it', async () => {
    await fs.mkdir(path.join(workspace, '.bert-lens'));
    await fs.writeFile(storeFile('labels.json'), '{"labels": [oops');
    const store = await AnnotationStore.open(workspace);
    expect(store.problems[0]!.file).toBe(storeFile('labels.json'));
    await store.addLabel('X');
    expect(await fs.readFile(storeFile('labels.rejected.json'), 'utf8')).toBe('{"labels": [oops');
    expect(JSON.parse(await fs.readFile(storeFile('labels.json'), 'utf8'))).toEqual({ labels: ['X'] });
  });
});

describe('corrupt lines', () => {
  const good = (p: string, text = 'Ada'): string => JSON.stringify({ text, spans: [{ start: 0, end: 3, label: 'PER' }], meta: { path: p } });
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);

  async function writeStore(): Promise<Buffer> {
    await fs.mkdir(path.join(workspace, '.bert-lens'));
    const content = Buffer.concat([
      Buffer.from(`${good('a.txt')}\n{"text": "cut off\n`),
      invalidUtf8,
      Buffer.from(`\n${JSON.stringify({ text: 'Bo', spans: [{ start: 0, end: 2, label: 'PER' }, { start: 1, end: 5, label: 'X' }], meta: { path: 'b.txt' } })}\n`),
      Buffer.from(`${good('c.txt', 'Old')}\n${good('c.txt', 'New')}\r\n\n`),
    ]);
    await fs.writeFile(storeFile('annotations.jsonl'), content);
    return content;
  }

  it('are reported with line numbers and loaded around', async () => {
    const content = await writeStore();
    const store = await AnnotationStore.open(workspace);
    expect(store.problems.map((p) => [p.line, p.message.split(';')[0]])).toEqual([
      [2, expect.stringContaining('not valid JSON')],
      [3, 'line is not valid UTF-8'],
      [4, 'spans[1]: [1, 5) is outside the text (length 2)'],
      [5, 'record for "c.txt" is superseded by line 6'],
    ]);
    expect(store.paths()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    expect(store.get('b.txt')!.spans).toEqual([{ start: 0, end: 2, label: 'PER' }]);
    expect(store.get('c.txt')!.text).toBe('New');
    // Opening alone changes nothing on disk.
    expect(await fs.readFile(storeFile('annotations.jsonl'))).toEqual(content);
  });

  it('are moved byte for byte to annotations.rejected.jsonl by the first write, once', async () => {
    const content = await writeStore();
    const lines = content.toString('latin1').split('\n');
    const store = await AnnotationStore.open(workspace);
    await store.put(doc('d.txt', 'Dee'));
    const rejected = await fs.readFile(storeFile('annotations.rejected.jsonl'));
    expect(rejected).toEqual(Buffer.concat([Buffer.from(`${lines[1]}\n`, 'latin1'), invalidUtf8, Buffer.from(`\n${lines[3]}\n${lines[4]}\n`, 'latin1')]));
    const reopened = await AnnotationStore.open(workspace);
    expect(reopened.problems).toEqual([]);
    expect(reopened.paths()).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt']);
    await reopened.put(doc('e.txt', 'E'));
    expect(await fs.readFile(storeFile('annotations.rejected.jsonl'))).toEqual(rejected);
  });

  it('are not duplicated when a crash between the two writes left them in both files', async () => {
    await writeStore();
    await (await AnnotationStore.open(workspace)).put(doc('d.txt', 'Dee'));
    const once = await fs.readFile(storeFile('annotations.jsonl'));
    const rejected = await fs.readFile(storeFile('annotations.rejected.jsonl'));
    // The state a kill between "rejected file written" and "store rewritten" leaves behind:
    await fs.writeFile(storeFile('annotations.jsonl'), Buffer.concat([once, Buffer.from('{"text": "cut off\n')]));
    const store = await AnnotationStore.open(workspace);
    expect(store.problems).toHaveLength(1);
    await store.put(doc('e.txt', 'E'));
    expect(await fs.readFile(storeFile('annotations.rejected.jsonl'))).toEqual(rejected);
  });
});

describe('writes', () => {
  it('serializes concurrent mutations and commits each of them', async () => {
    const store = await AnnotationStore.open(workspace);
    const operations: Array<Promise<unknown>> = [];
    for (let i = 0; i < 200; i++) {
      operations.push(store.put(doc(`f${i % 50}.txt`, `text ${i}`, [{ start: 0, end: 4, label: `L${i % 3}` }])));
      if (i % 7 === 0) operations.push(store.delete(`f${(i + 3) % 50}.txt`));
    }
    await Promise.all(operations);
    const reopened = await AnnotationStore.open(workspace);
    expect(reopened.problems).toEqual([]);
    expect(reopened.list()).toEqual(store.list());
    expect(reopened.get('f49.txt')!.text).toBe('text 199');
    expect(reopened.labels()).toEqual(['L0', 'L1', 'L2']);
  });

  it('a failed write rejects, keeps the change in memory, and flush retries it', async () => {
    const store = await AnnotationStore.open(workspace);
    await fs.mkdir(storeFile('annotations.jsonl'), { recursive: true }); // rename onto a directory fails
    await expect(store.put(doc('a.txt', 'Ada'))).rejects.toThrow();
    expect(store.get('a.txt')!.text).toBe('Ada');
    await fs.rm(storeFile('annotations.jsonl'), { recursive: true });
    await store.flush();
    expect((await AnnotationStore.open(workspace)).get('a.txt')!.text).toBe('Ada');
    const leftovers = (await fs.readdir(path.join(workspace, '.bert-lens'))).filter((n) => n.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('removes temp files of writers that no longer run, keeps those of live ones', async () => {
    await fs.mkdir(path.join(workspace, '.bert-lens'));
    let deadPid = 4_000_000;
    while (deadPid < 4_100_000) {
      try {
        process.kill(deadPid, 0);
        deadPid++;
      } catch {
        break;
      }
    }
    const dead = storeFile(`.annotations.jsonl.${deadPid}.0123456789ab.tmp`);
    const live = storeFile(`.annotations.jsonl.${process.ppid}.0123456789ab.tmp`);
    await fs.writeFile(dead, 'partial');
    await fs.writeFile(live, 'partial');
    await AnnotationStore.open(workspace);
    await expect(fs.access(dead)).rejects.toThrow();
    await fs.access(live);
  });
});

describe('re-anchoring through the store', () => {
  it('maps stored spans onto changed text and reports what was lost, writing nothing', async () => {
    const store = await AnnotationStore.open(workspace);
    await store.put(doc('a.txt', 'Ada met Bo in Rome.', [{ start: 0, end: 3, label: 'PER' }, { start: 8, end: 10, label: 'PER' }, { start: 14, end: 18, label: 'LOC' }]));
    const result = store.reanchor('a.txt', 'Lady Ada met Cy in Rome today.')!;
    expect(result.changed).toBe(true);
    expect(result.document.spans.map((s) => result.document.text.slice(s.start, s.end))).toEqual(['Ada', 'Rome']);
    expect(result.lost.map((l) => l.text)).toEqual(['Bo']);
    expect(store.get('a.txt')!.text).toBe('Ada met Bo in Rome.');
    await store.put(result.document);
    expect(store.get('a.txt')!.meta.sha256).toBe(result.document.meta.sha256);
    expect(store.reanchor('missing.txt', '')).toBeUndefined();
  });
});
