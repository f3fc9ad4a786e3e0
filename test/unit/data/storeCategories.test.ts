import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotatedDocument, TextCategories } from '../../../src/core/data/annotation';
import { AnnotationStore, InvalidDocumentError } from '../../../src/core/data/annotationStore';
import { parseStoreFile, readStoredRecord, serializeStoredRecord } from '../../../src/core/data/storeRecord';

let workspace: string;
beforeEach(() => {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-textcat-'));
});
afterEach(() => rmSync(workspace, { recursive: true, force: true }));

const storeFile = (name: string): string => path.join(workspace, '.bert-lens', name);
const TEXT = 'Match report.\n\nThe striker scored twice.';

const whole = (accept: string[], options = ['SPORTS', 'POLITICS'], multiLabel = false): TextCategories => ({ start: 0, end: TEXT.length, scope: 'document', options, multiLabel, accept });

describe('text categories in the store', () => {
  it('writes the document decision in Prodigy textcat shape and ranges under "categories", and reads them back', async () => {
    const store = await AnnotationStore.open(workspace);
    const document: AnnotatedDocument = {
      text: TEXT,
      spans: [],
      meta: { path: 'a.txt' },
      categories: [
        { start: 15, end: TEXT.length, scope: 'paragraph', options: ['POSITIVE'], multiLabel: false, accept: [] },
        whole(['SPORTS', 'POLITICS'], ['SPORTS', 'POLITICS', 'ECONOMY'], true),
      ],
    };
    await store.put(document);
    const line = JSON.parse((await fs.readFile(storeFile('annotations.jsonl'), 'utf8')).trim()) as Record<string, unknown>;
    expect(line.options).toEqual([{ id: 'SPORTS', text: 'SPORTS' }, { id: 'POLITICS', text: 'POLITICS' }, { id: 'ECONOMY', text: 'ECONOMY' }]);
    expect(line.accept).toEqual(['SPORTS', 'POLITICS']);
    expect(line.config).toEqual({ choice_style: 'multiple' });
    expect(line.answer).toBe('accept');
    expect(line.categories).toEqual([{ start: 15, end: TEXT.length, scope: 'paragraph', label: 'POSITIVE', answer: 'reject' }]);
    const reopened = await AnnotationStore.open(workspace);
    expect(reopened.problems).toEqual([]);
    // put sorts decisions by range: the document's [0, 40) comes before the paragraph's [15, 40).
    expect(reopened.get('a.txt')!.categories).toEqual([document.categories![1], document.categories![0]]);
    expect(reopened.categoryLabels()).toEqual(['SPORTS', 'POLITICS', 'ECONOMY', 'POSITIVE']);
  });

  it('reads a Prodigy binary textcat task {"label","answer"} as a one-option exclusive decision', () => {
    const accepted = readStoredRecord({ text: 'abc', label: 'SPAM', answer: 'accept', meta: { path: 'x' } });
    expect(accepted.problems).toEqual([]);
    expect(accepted.record!.document.categories).toEqual([{ start: 0, end: 3, scope: 'document', options: ['SPAM'], multiLabel: false, accept: ['SPAM'] }]);
    const rejected = readStoredRecord({ text: 'abc', label: 'SPAM', answer: 'reject', meta: { path: 'x' } });
    expect(rejected.record!.document.categories![0]!.accept).toEqual([]);
    // Written back as it came: the answer carries the decision.
    const written = JSON.parse(serializeStoredRecord(rejected.record!)) as Record<string, unknown>;
    expect([written.label, written.answer]).toEqual(['SPAM', 'reject']);
    expect(written.extras).toBeUndefined();
  });

  it('loads a store file written before categories existed exactly as before', () => {
    const old = '{"text":"Ada","spans":[{"start":0,"end":3,"label":"PER"}],"meta":{"path":"a.txt","sha256":"x"},"answer":"accept","_input_hash":7}\n';
    const parsed = parseStoreFile(new TextEncoder().encode(old), 'annotations.jsonl');
    expect(parsed.problems).toEqual([]);
    const record = parsed.records.get('a.txt')!;
    expect(record.document.categories).toBeUndefined();
    const again = JSON.parse(serializeStoredRecord(record)) as Record<string, unknown>;
    expect(again).toEqual({ ...(JSON.parse(old) as object), meta: { path: 'a.txt', sha256: again.meta && (again.meta as { sha256: string }).sha256 } });
    expect(again.categories).toBeUndefined();
  });

  it('reports unusable textcat fields with their line, keeps the rest of the record and preserves the line', () => {
    const lines = [
      '{"text":"abc","spans":[],"meta":{"path":"a"},"options":[{"id":"A"}],"accept":["B"]}',
      '{"text":"abc","spans":[],"meta":{"path":"b"},"categories":[{"start":0,"end":9,"scope":"selection","label":"A","answer":"accept"},{"start":1,"end":2,"scope":"selection","label":"A"}]}',
      '{"text":"abc","spans":[],"meta":{"path":"c"},"options":[{"id":"A"},{"id":"B"}],"accept":["A","B"],"config":{"choice_style":"single"}}',
    ].join('\n');
    const parsed = parseStoreFile(new TextEncoder().encode(lines), 'annotations.jsonl');
    expect(parsed.problems.map((p) => [p.line, p.message.split(';')[0]])).toEqual([
      [1, 'document categories: accepted label "B" is not among the options'],
      [2, 'categories[0]: [0, 9) is outside the text (length 3)'],
      [3, 'document categories: an exclusive choice accepts at most one label, got 2'],
    ]);
    expect(parsed.rejectedLines).toHaveLength(3);
    expect(parsed.records.get('a')!.extras.accept).toEqual(['B']);
    expect(parsed.records.get('b')!.document.categories).toEqual([{ start: 1, end: 2, scope: 'selection', options: ['A'], multiLabel: false, accept: ['A'] }]);
  });

  it('refuses to store unusable decisions (InvalidDocumentError) and writes nothing', async () => {
    const store = await AnnotationStore.open(workspace);
    const bad = (categories: TextCategories[]): AnnotatedDocument => ({ text: TEXT, spans: [], meta: { path: 'a.txt' }, categories });
    await expect(store.put(bad([{ ...whole([]), end: 3 }]))).rejects.toThrow(InvalidDocumentError);
    await expect(store.put(bad([whole(['SPORTS', 'POLITICS'])]))).rejects.toThrow(/at most one/);
    await expect(store.put(bad([whole(['SPORTS']), whole(['POLITICS'])]))).rejects.toThrow(/repeat the document range/);
    await expect(store.put(bad([{ start: 0, end: 0, scope: 'selection', options: ['A'], multiLabel: false, accept: [] }]))).rejects.toThrow(/not before/);
    await expect(fs.access(storeFile('annotations.jsonl'))).rejects.toThrow();
  });

  it('moves decisions when the text changes outside the editor', async () => {
    const store = await AnnotationStore.open(workspace);
    await store.put({ text: TEXT, spans: [], meta: { path: 'a.txt' }, categories: [whole(['SPORTS']), { start: 15, end: 40, scope: 'paragraph', options: ['A', 'B'], multiLabel: false, accept: ['B'] }] });
    const changed = `Intro.\n\n${TEXT}`;
    const moved = store.reanchor('a.txt', changed)!;
    expect(moved.lostCategories).toEqual([]);
    expect(moved.document.categories!.map((c) => [c.scope, c.start, c.end])).toEqual([['document', 0, changed.length], ['paragraph', 23, 48]]);
    expect(changed.slice(23, 48)).toBe('The striker scored twice.');
  });
});
