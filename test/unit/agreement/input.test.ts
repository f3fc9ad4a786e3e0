import { describe, expect, it } from 'vitest';
import { computeAgreement } from '../../../src/core/data/agreement';
import { detectAgreementFormat, readAgreementInput } from '../../../src/core/data/agreementInput';

const jsonl = (...records: unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('detectAgreementFormat', () => {
  it('tells the formats apart by name and first record', () => {
    expect(detectAgreementFormat('/w/.bert-lens/annotations.jsonl', '{"text":"a"}')).toBe('store');
    expect(detectAgreementFormat('x.jsonl', '{"text":"a","spans":[]}')).toBe('prodigy');
    expect(detectAgreementFormat('x.jsonl', '{"text":"a","label":"POS","answer":"accept"}')).toBe('prodigy');
    expect(detectAgreementFormat('x.jsonl', '{"text":"a","label":1}')).toBe('hf-textcat');
    expect(detectAgreementFormat('x.jsonl', '{"text":"a","label":["A","B"]}')).toBe('hf-textcat');
    expect(detectAgreementFormat('x.jsonl', '{"tokens":["a"],"ner_tags":[0]}')).toBe('hf-jsonl');
    expect(detectAgreementFormat('x.json', '[]')).toBe('label-studio');
    expect(detectAgreementFormat('x.csv', 'text,label\n')).toBe('csv');
    expect(detectAgreementFormat('x.conll', 'Ann B-PER\n')).toBe('conll');
    expect(detectAgreementFormat('dev.tsv', 'sentence\tlabel\nit is good\t1\n')).toBe('tsv');
    expect(detectAgreementFormat('ner.tsv', 'Ann\tB-PER\nsang\tO\n')).toBe('conll');
  });
});

describe('readAgreementInput', () => {
  it('reads the store in UTF-16 and Prodigy in code points: the same annotation agrees fully', () => {
    const text = '🙂 Ann met Bob';
    // UTF-16: the emoji is 2 units, so "Ann" is [3, 6); in code points it is [2, 5).
    const store = readAgreementInput(jsonl({ text, spans: [{ start: 3, end: 6, label: 'PER' }], meta: { path: 'n.txt' }, label: 'GREETING', answer: 'accept' }), { file: 'annotations.jsonl' });
    const prodigy = readAgreementInput(jsonl({ text, spans: [{ start: 2, end: 5, label: 'PER' }], meta: { path: 'n.txt' }, label: 'GREETING', answer: 'accept' }), { file: 'b.jsonl' });
    expect(store.format).toBe('store');
    expect(prodigy.format).toBe('prodigy');
    expect(store.errors).toEqual([]);
    expect(store.documents[0]!.spans).toEqual(prodigy.documents[0]!.spans);
    expect(store.documents[0]!.categories).toEqual([{ start: 0, end: text.length, scope: 'document', options: ['GREETING'], multiLabel: false, accept: ['GREETING'] }]);
    const report = computeAgreement(store.documents, prodigy.documents);
    expect(report.documents.matchedByPath).toBe(1);
    expect(report.spans.exact.overall.f1).toBe(1);
    expect(report.categories).toMatchObject({ compared: 1, agreed: 1 });
  });

  it('reads the store\'s paragraph categories', () => {
    const text = 'One.\n\nTwo.';
    const input = readAgreementInput(
      jsonl({ text, spans: [], categories: [{ start: 6, end: 10, scope: 'paragraph', options: [{ id: 'A', text: 'A' }, { id: 'B', text: 'B' }], accept: ['B'], config: { choice_style: 'single' } }], meta: { path: 'p' } }),
      { file: 'annotations.jsonl' },
    );
    expect(input.documents[0]!.categories).toEqual([{ start: 6, end: 10, scope: 'paragraph', options: ['A', 'B'], multiLabel: false, accept: ['B'] }]);
  });

  it('matches a CoNLL file with a Prodigy file by text (CoNLL words joined by spaces)', () => {
    const conll = readAgreementInput('Ann\tB-PER\nmet\tO\nBob\tB-PER\nSmith\tI-PER\n\nRome\tB-LOC\n', { file: 'a.conll' });
    const prodigy = readAgreementInput(jsonl({ text: 'Ann met Bob Smith', spans: [{ start: 0, end: 3, label: 'PER' }, { start: 8, end: 17, label: 'PER' }] }), { file: 'b.jsonl' });
    expect(conll.documents.map((d) => [d.text, d.ownPath])).toEqual([['Ann met Bob Smith', false], ['Rome', false]]);
    const report = computeAgreement(conll.documents, prodigy.documents);
    expect(report.documents).toMatchObject({ matchedByPath: 0, matchedByText: 1, onlyInA: [{ path: 'a.conll#2', line: 6 }], onlyInB: [] });
    expect(report.spans.exact.overall.f1).toBe(1);
  });

  it('reads HF token JSONL with label names, and Label Studio spans with choices', () => {
    const hf = readAgreementInput(jsonl({ tokens: ['Ann', 'sang'], ner_tags: [1, 0] }), { file: 'h.jsonl', labelNames: ['O', 'B-PER', 'I-PER'] });
    expect(hf.format).toBe('hf-jsonl');
    expect(hf.documents[0]).toMatchObject({ text: 'Ann sang', spans: [{ start: 0, end: 3, label: 'PER' }] });
    const ls = JSON.stringify([
      {
        id: 7,
        data: { text: 'Ann sang' },
        meta: { path: 'song.txt' },
        annotations: [{ result: [
          { type: 'labels', value: { start: 0, end: 3, text: 'Ann', labels: ['PER'] } },
          { type: 'choices', value: { choices: ['MUSIC'] } },
        ] }],
      },
      { id: 8, data: { text: 'No choices here' }, annotations: [{ result: [] }] },
      { id: 9, data: { text: 'Talk show' }, annotations: [{ result: [{ type: 'choices', value: { choices: ['TALK'] } }] }] },
    ]);
    const input = readAgreementInput(ls, { file: 'x.json' });
    expect(input.errors).toEqual([]);
    expect(input.documents.map((d) => [d.meta.path, d.ownPath, d.spans.length, d.categories?.[0]?.accept])).toEqual([
      ['song.txt', true, 1, ['MUSIC']],
      ['x.json#task-8', false, 0, undefined],
      ['x.json#task-9', false, 0, ['TALK']],
    ]);
    // Options: every label chosen in the file, so that "not TALK" counts as a decision on song.txt.
    expect(input.documents[0]!.categories![0]!.options).toEqual(['MUSIC', 'TALK']);
  });

  it('Prodigy: a rejected binary textcat task is a "no"; span tasks answered reject are left out, with a warning', () => {
    const input = readAgreementInput(jsonl(
      { text: 'Great film', label: 'POSITIVE', answer: 'reject', meta: { path: 'f' } },
      { text: 'Ann sang', spans: [{ start: 0, end: 3, label: 'PER' }], answer: 'reject', meta: { path: 'g' } },
    ), { file: 'p.jsonl' });
    expect(input.documents).toHaveLength(1);
    expect(input.documents[0]!.categories).toEqual([{ start: 0, end: 10, scope: 'document', options: ['POSITIVE'], multiLabel: false, accept: [] }]);
    expect(input.warnings.map((w) => w.message).join()).toMatch(/1 span task\(s\) answered reject or ignore left out/);
  });

  it('a repeated meta.path: the later record is compared and the earlier named', () => {
    const input = readAgreementInput(jsonl({ text: 'old', meta: { path: 'p' } }, { text: 'new', meta: { path: 'p' } }), { file: 'p.jsonl' });
    expect(input.documents.map((d) => d.text)).toEqual(['new']);
    expect(input.warnings).toEqual([{ file: 'p.jsonl', line: 1, message: '"p" appears again at line 2; the later record is compared' }]);
  });

  it('malformed input becomes errors with their 1-based line, never a throw', () => {
    const broken = '{"text":"ok","meta":{"path":"a"}}\n{not json\n{"text":"Ann","spans":[{"start":0,"end":9,"label":"PER"}],"meta":{"path":"b"}}\n';
    for (const file of ['p.jsonl', 'annotations.jsonl']) {
      const input = readAgreementInput(broken, { file });
      expect(input.errors.map((e) => e.line), file).toEqual([2, 3]);
      expect(input.errors[1]!.message, file).toMatch(/spans\[0\]/);
    }
    expect(readAgreementInput('', { file: 'e.jsonl' }).errors).toEqual([{ file: 'e.jsonl', line: 0, message: 'no documents found' }]);
    expect(readAgreementInput('Ann\n', { file: 'c.conll' }).errors.length).toBeGreaterThan(0);
    for (const junk of ['[', '[{"data":1}]', '{"tokens":[1]}', 'text,label\n"unclosed', '\u0000\u0001']) {
      for (const format of ['store', 'prodigy', 'hf-jsonl', 'hf-textcat', 'conll', 'label-studio', 'csv', 'tsv'] as const) {
        expect(() => readAgreementInput(junk, { file: 'j', format })).not.toThrow();
      }
    }
  });
});
