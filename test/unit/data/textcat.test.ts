import { describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import {
  parseCsvRows,
  parseHfTextcatJsonl,
  parseLabelStudioChoices,
  parseProdigyTextcatJsonl,
  parseTextcatCsv,
  writeHfTextcatJsonl,
  writeLabelStudioChoices,
  writeProdigyTextcatJsonl,
  writeTextcatCsv,
} from '../../../src/core/data/formats/textcat';

const decisions = (records: AnnotatedDocument[]): unknown[] => records.map((r) => ({ text: r.text, ...r.categories![0], start: undefined, end: undefined, scope: undefined }));

const DOCS: AnnotatedDocument[] = [
  { text: 'He said "hi", then left.\nBye', spans: [], meta: { path: 'a' }, categories: [{ start: 0, end: 28, scope: 'document', options: ['NEG', 'POS'], multiLabel: false, accept: ['POS'] }] },
  { text: ' 🙂 padded ', spans: [], meta: { path: 'b' }, categories: [{ start: 0, end: 10, scope: 'document', options: ['NEG', 'POS'], multiLabel: false, accept: ['NEG'] }] },
];
const MULTI: AnnotatedDocument[] = [
  { text: 'goal, vote', spans: [], meta: { path: 'm' }, categories: [{ start: 0, end: 10, scope: 'document', options: ['SPORTS', 'POLITICS'], multiLabel: true, accept: ['SPORTS', 'POLITICS'] }] },
  { text: 'nothing', spans: [], meta: { path: 'n' }, categories: [{ start: 0, end: 7, scope: 'document', options: ['SPORTS', 'POLITICS'], multiLabel: true, accept: [] }] },
];

describe('text-category formats round-trip', () => {
  it('Prodigy textcat: choice and binary tasks', () => {
    const written = writeProdigyTextcatJsonl([...DOCS, ...MULTI]);
    expect(written.issues).toEqual([]);
    const read = parseProdigyTextcatJsonl(written.content);
    expect(read.errors).toEqual([]);
    expect(decisions(read.records)).toEqual(decisions([...DOCS, ...MULTI]));
    const binary = parseProdigyTextcatJsonl('{"text":"x","label":"SPAM","answer":"reject"}\n{"text":"y","label":"SPAM","answer":"ignore"}\n{"text":"z","spans":[]}\n');
    expect(binary.records.map((r) => r.categories[0].accept)).toEqual([[]]);
    expect(binary.warnings[0]!.message).toMatch(/1 task\(s\) answered "ignore"/);
    expect(binary.errors).toEqual([{ file: '<prodigy-textcat>', line: 3, message: expect.stringMatching(/no textcat fields/) }]);
  });

  it('HF JSONL: names, ids with label names, lists for multi-label', () => {
    const read = parseHfTextcatJsonl(writeHfTextcatJsonl(DOCS).content);
    expect(decisions(read.records)).toEqual(decisions(DOCS.map((d) => ({ ...d, categories: [{ ...d.categories![0]!, options: ['POS', 'NEG'] }] }))));
    const ids = writeHfTextcatJsonl(DOCS, { labelNames: ['NEG', 'POS'] });
    expect(ids.content.split('\n')[0]).toBe('{"text":"He said \\"hi\\", then left.\\nBye","label":1}');
    expect(decisions(parseHfTextcatJsonl(ids.content, { labelNames: ['NEG', 'POS'] }).records)).toEqual(decisions(DOCS));
    const multi = parseHfTextcatJsonl(writeHfTextcatJsonl(MULTI).content);
    expect(multi.records.map((r) => [r.categories[0].multiLabel, r.categories[0].accept])).toEqual([[true, ['SPORTS', 'POLITICS']], [true, []]]);
    const bad = parseHfTextcatJsonl('{"text":"a","label":5}\n{"text":"b"}\n[1]\n{"text":"c","label":0}\n', { labelNames: ['X', 'Y'] });
    expect(bad.errors.map((e) => e.line)).toEqual([1, 2, 3]);
    expect(bad.records.map((r) => r.categories[0].accept)).toEqual([['X']]);
  });

  it('CSV and TSV (RFC 4180): quotes, commas, line breaks inside fields, CRLF', () => {
    for (const delimiter of [',', '\t'] as const) {
      const written = writeTextcatCsv(DOCS, { delimiter });
      const read = parseTextcatCsv(written.content, { delimiter });
      expect(read.errors).toEqual([]);
      expect(read.records.map((r) => [r.text, r.categories[0].accept, r.line])).toEqual([[DOCS[0]!.text, ['POS'], 2], [DOCS[1]!.text, ['NEG'], 4]]);
    }
    const multi = parseTextcatCsv(writeTextcatCsv(MULTI).content, { labelSeparator: '|' });
    expect(multi.records.map((r) => r.categories[0].accept)).toEqual([['SPORTS', 'POLITICS'], []]);
    expect(parseCsvRows('a,"b ""q"" c",d\r\n"x\ny",z\n', ',', 'f').rows).toEqual([{ line: 1, fields: ['a', 'b "q" c', 'd'] }, { line: 2, fields: ['x\ny', 'z'] }]);
  });

  it('Label Studio choices', () => {
    const written = writeLabelStudioChoices([...DOCS, MULTI[0]!]);
    const read = parseLabelStudioChoices(written.content);
    expect(read.errors).toEqual([]);
    expect(read.records.map((r) => [r.meta.path, r.categories[0].accept, r.categories[0].multiLabel])).toEqual([['a', ['POS'], false], ['b', ['NEG'], false], ['m', ['SPORTS', 'POLITICS'], true]]);
  });
});

describe('hostile input: line-numbered errors, nothing thrown, valid records kept', () => {
  const hostile = [
    '',
    '\ufeff',
    '\ufeff{"text":"bom","label":"A"}\n',
    '{"text":"ok","label":"A"}\n{not json\n{"text":"ok2","label":"B"}\n',
    `${'['.repeat(100000)}${']'.repeat(100000)}\n`,
    `{"text":"deep","label":"A","meta":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}\n`,
    `{"text":"${'x'.repeat(2_000_000)}","label":"A"}\n`,
    '{"text":"a","label":"A\\tB"}\n{"text":"a","label":" A"}\n{"text":"a","label":""}\n',
    '{"text":"a","options":[{"id":{"x":1}}],"accept":"A"}\n{"text":"a","options":[{"id":"A"}],"accept":["A","A"]}\n',
    '"unterminated,\n"x",y\n',
    '[{"data":{"text":"t"},"annotations":[{"result":[{"type":"choices","value":{"choices":[1.5]}}]}]},',
    'null\n42\n"s"\n',
  ];
  const parsers = [
    (t: string) => parseProdigyTextcatJsonl(t),
    (t: string) => parseHfTextcatJsonl(t),
    (t: string) => parseTextcatCsv(t),
    (t: string) => parseTextcatCsv(t, { delimiter: '\t', labelSeparator: '|' }),
    (t: string) => parseLabelStudioChoices(t),
  ];
  it('every parser returns (never throws) on every hostile input, with lines on its errors', () => {
    for (const input of hostile) {
      for (const parse of parsers) {
        const result = parse(input);
        for (const error of result.errors) expect(Number.isInteger(error.line)).toBe(true);
        expect(result.records.length + result.errors.length).toBeGreaterThan(0);
      }
    }
  });

  it('a BOM, a malformed line and a huge field cost only themselves', () => {
    const mixed = parseHfTextcatJsonl('\ufeff{"text":"ok","label":"A"}\n{not json\n{"text":"ok2","label":"B"}\n');
    expect(mixed.records.map((r) => [r.text, r.line])).toEqual([['ok', 1], ['ok2', 3]]);
    expect(mixed.errors.map((e) => e.line)).toEqual([2]);
    const csv = parseTextcatCsv('\ufefftext,label\n"a""b",X\nbad"quote,Y\n"never closed,Z\n');
    expect(csv.records.map((r) => r.text)).toEqual(['a"b']);
    expect(csv.errors.map((e) => e.line)).toEqual([3, 4]);
    const huge = parseTextcatCsv(`text,label\n"${'y'.repeat(1_000_000)}",Z\n`);
    expect(huge.records[0]!.text).toHaveLength(1_000_000);
  });

  it('exports leave out (and name) what the format cannot hold', () => {
    const none: AnnotatedDocument = { text: 't', spans: [], meta: { path: 'p' } };
    expect(writeHfTextcatJsonl([none]).issues).toEqual(['p: no document categories; left out']);
    expect(writeHfTextcatJsonl([{ ...DOCS[0]!, categories: [{ ...DOCS[0]!.categories![0]!, accept: [] }] }]).issues[0]).toMatch(/no label accepted/);
    const deep = { ...DOCS[0]!, meta: { path: 'a', nested: JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) as unknown } };
    expect(writeProdigyTextcatJsonl([deep]).issues[0]).toMatch(/nested too deeply/);
  });
});
