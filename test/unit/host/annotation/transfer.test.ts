import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../../src/core/data/annotation';
import { AnnotationStore } from '../../../../src/core/data/annotationStore';
import { parseLabelNames } from '../../../../src/core/data/formats/labelNames';
import {
  describeImport,
  exportDocuments,
  hfTagsAreIntegers,
  labelNamesFileFor,
  mergeIntoStore,
  NER_FORMATS,
  parseImport,
} from '../../../../src/host/annotation/transfer';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-transfer-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const span = (text: string, word: string, label: string, from = 0) => ({ start: text.indexOf(word, from), end: text.indexOf(word, from) + word.length, label });

// Emoji and CJK: Prodigy and Label Studio count code points, the store UTF-16 units.
const NEWS = 'Angela Merkel met Emmanuel Macron in Paris 🙂.\nThe 東京 office opened on Friday.';
const NOTE = 'Bob works for Acme Corp.';
const DOCUMENTS: AnnotatedDocument[] = [
  { text: NEWS, spans: [span(NEWS, 'Angela Merkel', 'PER'), span(NEWS, 'Paris', 'LOC'), span(NEWS, '東京', 'LOC')], meta: { path: 'news.txt' } },
  { text: NOTE, spans: [span(NOTE, 'Bob', 'PER'), span(NOTE, 'Acme Corp', 'ORG')], meta: { path: 'docs/note.txt' } },
];

/** Spans as label + covered text, per document: what a round trip must keep whatever the offsets. */
function labelled(documents: readonly AnnotatedDocument[]): string[][] {
  return documents.map((document) => document.spans.map((s) => `${s.label}:${document.text.slice(s.start, s.end)}`));
}

describe('export then import, per format', () => {
  it.each(NER_FORMATS)('%s keeps every span (texts and labels; paths too where the format carries them)', async (format) => {
    const output = exportDocuments(DOCUMENTS, format);
    expect(output.documents).toBe(2);
    expect(output.spans).toBe(5);
    expect(output.issues).toEqual([]);
    const file = path.join(dir, `out${format === 'label-studio' ? '.json' : format === 'conll' ? '.conll' : '.jsonl'}`);
    await fs.writeFile(file, output.content);
    const parsed = parseImport({ text: output.content, file, pathBase: 'out', format: 'auto', ...(output.labelNames ? { labelNames: output.labelNames } : {}) });
    expect(parsed.format).toBe(format);
    expect(parsed.errors).toEqual([]);
    if (format === 'prodigy' || format === 'label-studio') {
      // Character formats: the same documents under the same paths.
      expect(parsed.documents.map((d) => d.meta.path)).toEqual(['news.txt', 'docs/note.txt']);
      expect(parsed.documents.map((d) => d.text)).toEqual([NEWS, NOTE]);
      expect(parsed.documents.map((d) => d.spans)).toEqual(DOCUMENTS.map((d) => d.spans));
    } else {
      // Word formats: words joined by spaces, one sentence per line; the same labelled words (each
      // CJK ideograph is a word of its own, as in BERT's BasicTokenizer).
      expect(labelled(parsed.documents).flat()).toEqual(['PER:Angela Merkel', 'LOC:Paris', 'LOC:東 京', 'PER:Bob', 'ORG:Acme Corp']);
    }
  });

  it('HF token JSONL writes integer tags and the label names they index (for a file beside it)', () => {
    const output = exportDocuments(DOCUMENTS, 'hf-jsonl');
    expect(output.labelNames).toEqual(['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG']);
    const first = JSON.parse(output.content.split('\n')[0]!);
    expect(first).toEqual({ id: 'news.txt#1', tokens: ['Angela', 'Merkel', 'met', 'Emmanuel', 'Macron', 'in', 'Paris', '🙂', '.'], ner_tags: [1, 2, 0, 0, 0, 0, 3, 0, 0] });
    expect(hfTagsAreIntegers(output.content)).toBe(true);
    expect(hfTagsAreIntegers('{"tokens": ["a"], "ner_tags": ["O"]}\n')).toBe(false);
    expect(labelNamesFileFor('/x/train.jsonl')).toBe('/x/train.label_names.json');
    expect(labelNamesFileFor('/x/train')).toBe('/x/train.label_names.json');
    expect(parseLabelNames(JSON.stringify({ label_names: output.labelNames })).labelNames).toEqual(output.labelNames);
  });

  it('reports spans the word formats cannot represent (not on word boundaries, overlapping) and leaves them out', () => {
    const text = 'Parisian Emmanuel Macron';
    const documents: AnnotatedDocument[] = [
      { text, spans: [{ start: 0, end: 5, label: 'LOC' }, span(text, 'Emmanuel Macron', 'PER'), span(text, 'Macron', 'PER')], meta: { path: 'a.txt' } },
    ];
    for (const format of ['conll', 'hf-jsonl'] as const) {
      const output = exportDocuments(documents, format);
      expect(output.issues).toHaveLength(2);
      expect(output.issues[0]).toMatch(/^a\.txt: span 0 skipped/);
      expect(output.issues[1]).toMatch(/^a\.txt: span 2 skipped/);
    }
    expect(exportDocuments(documents, 'conll').content).toBe('-DOCSTART-\t-X-\tO\tO\n\nParisian\tO\nEmmanuel\tB-PER\nMacron\tI-PER\n');
    expect(exportDocuments(documents, 'prodigy').issues).toEqual([]);
  });
});

describe('importing into the workspace store', () => {
  async function storeWith(documents: AnnotatedDocument[]): Promise<AnnotationStore> {
    const store = await AnnotationStore.open(dir);
    for (const document of documents) await store.put(document);
    return store;
  }

  it('adds new documents, merges spans into a stored document with the same text, and keeps one with another text', async () => {
    const store = await storeWith([DOCUMENTS[0]!, { text: 'Other text.', spans: [{ start: 0, end: 5, label: 'X' }], meta: { path: 'docs/note.txt' } }]);
    const incoming = [
      { ...DOCUMENTS[0]!, spans: [span(NEWS, 'Paris', 'LOC'), span(NEWS, 'Friday', 'DATE')], line: 1 },
      { ...DOCUMENTS[1]!, line: 2 },
      { text: 'New one.', spans: [{ start: 0, end: 3, label: 'X' }], meta: { path: 'new.txt' }, line: 3 },
    ];
    const report = await mergeIntoStore(store, incoming, '/in/data.jsonl');
    expect(report).toMatchObject({ added: 1, merged: 1, unchanged: 0, spansAdded: 2 });
    expect([...report.paths].sort()).toEqual(['new.txt', 'news.txt']);
    expect(report.rejected).toEqual([{ file: '/in/data.jsonl', line: 2, message: expect.stringMatching(/^docs\/note\.txt: already in the workspace annotations with a different text/) }]);
    expect(labelled(store.list())).toEqual([['X:Other'], ['X:New'], ['PER:Angela Merkel', 'LOC:Paris', 'LOC:東京', 'DATE:Friday']]);
    // The same import again changes nothing.
    const again = await mergeIntoStore(store, incoming, '/in/data.jsonl');
    expect(again).toMatchObject({ added: 0, merged: 0, unchanged: 2, spansAdded: 0 });
    // Everything is on disk.
    const reopened = await AnnotationStore.open(dir);
    expect(labelled(reopened.list())).toEqual(labelled(store.list()));
  });

  it('malformed input loses nothing stored: bad lines are errors with file and line, the valid records are imported', async () => {
    const store = await storeWith([DOCUMENTS[1]!]);
    const file = path.join(dir, 'broken.jsonl');
    const lines = [
      JSON.stringify({ text: 'Good one.', spans: [{ start: 0, end: 4, label: 'X' }], meta: { path: 'good.txt' } }),
      '{"text": "cut off',
      JSON.stringify({ text: 'Bad span.', spans: [{ start: 5, end: 50, label: 'X' }], meta: { path: 'bad.txt' } }),
      JSON.stringify({ text: 'Dup.', spans: [], meta: { path: 'good.txt' } }),
      '[1, 2]',
    ];
    const parsed = parseImport({ text: `${lines.join('\n')}\n`, file, pathBase: 'broken.jsonl', format: 'auto' });
    expect(parsed.format).toBe('prodigy');
    expect(parsed.errors.map((e) => [e.file, e.line])).toEqual([[file, 2], [file, 3], [file, 5]]);
    const report = await mergeIntoStore(store, parsed.documents, file);
    expect(report.rejected).toEqual([{ file, line: 4, message: expect.stringMatching(/^good\.txt: a record with this meta\.path was already imported from line 1/) }]);
    expect(store.paths()).toEqual(['bad.txt', 'docs/note.txt', 'good.txt']);
    expect(labelled([store.get('docs/note.txt')!])).toEqual(labelled([DOCUMENTS[1]!]));
    expect(store.get('bad.txt')!.spans).toEqual([]);
    expect(describeImport(parsed, report)).toBe('Imported Prodigy JSONL: 2 new document(s), 0 merged, 1 span(s) added, 4 record(s) or span(s) skipped (see the output channel).');
  });

  it('imports CoNLL per -DOCSTART- document when the file has them, per sentence otherwise, with stable paths', () => {
    const conll = '-DOCSTART- -X- O O\n\nBob B-PER\nruns O\n\nAlice B-PER\n\n-DOCSTART- -X- O O\n\nParis B-LOC\n';
    const byDocument = parseImport({ text: conll, file: '/in/a.conll', pathBase: 'data/a.conll', format: 'conll' });
    expect(byDocument.documents.map((d) => [d.meta.path, d.text, d.line])).toEqual([['data/a.conll#1', 'Bob runs\nAlice', 3], ['data/a.conll#2', 'Paris', 10]]);
    const bySentence = parseImport({ text: 'Bob B-PER\nruns O\n\nAlice B-PER\n', file: '/in/b.conll', pathBase: 'b.conll', format: 'conll' });
    expect(bySentence.documents.map((d) => d.meta.path)).toEqual(['b.conll#1', 'b.conll#2']);
  });

  it('needs label names for integer HF tags: without them every record is an error naming its line', () => {
    const text = '{"tokens": ["Bob"], "ner_tags": [1]}\n{"tokens": ["Paris"], "ner_tags": [3]}\n';
    const without = parseImport({ text, file: '/in/x.jsonl', pathBase: 'x.jsonl', format: 'hf-jsonl' });
    expect(without.documents).toEqual([]);
    expect(without.errors.map((e) => e.line)).toEqual([1, 2]);
    const withNames = parseImport({ text, file: '/in/x.jsonl', pathBase: 'x.jsonl', format: 'hf-jsonl', labelNames: ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'] });
    expect(withNames.documents.map((d) => [d.meta.path, labelled([d])[0]])).toEqual([['x.jsonl#1', ['PER:Bob']], ['x.jsonl#2', ['LOC:Paris']]]);
  });

  it('names Label Studio tasks without meta.path after the imported file, not its absolute path', () => {
    const tasks = [{ id: 4, data: { text: 'Bob' }, annotations: [{ result: [{ type: 'labels', value: { start: 0, end: 3, text: 'Bob', labels: ['PER'] } }] }] }];
    const parsed = parseImport({ text: JSON.stringify(tasks), file: '/abs/in/export.json', pathBase: 'export.json', format: 'auto' });
    expect(parsed.format).toBe('label-studio');
    expect(parsed.documents.map((d) => d.meta.path)).toEqual(['export.json#task-4']);
  });
});
