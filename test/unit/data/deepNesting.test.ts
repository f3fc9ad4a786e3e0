import { describe, expect, it } from 'vitest';
import { parseLabelStudioJson, writeLabelStudioJson } from '../../../src/core/data/formats/labelStudio';
import { parseProdigyJsonl, writeProdigyJsonl } from '../../../src/core/data/formats/prodigy';
import { parseLabelNames } from '../../../src/core/data/formats/labelNames';
import { parseClassificationJsonl } from '../../../src/core/data/formats/classification';
import { parseHfTokenJsonl } from '../../../src/core/data/formats/hfTokenJsonl';
import { parseHfTextcatJsonl, parseLabelStudioChoices, parseProdigyTextcatJsonl } from '../../../src/core/data/formats/textcat';
import type { ParseIssue } from '../../../src/core/data/parseResult';
import { parseStoreFile, serializeStoredRecord } from '../../../src/core/data/storeRecord';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../../src/core/util/jsonDepth';

const nested = (depth: number): string => '{"k":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('deeply nested store lines', () => {
  it('rejects the deep line with its file and line, keeps the others, and every later save still works', () => {
    const good = JSON.stringify({ text: 'Paris', spans: [{ start: 0, end: 5, label: 'LOC' }], meta: { path: 'b.txt' }, answer: 'accept' });
    const deep = `{"text":"x","spans":[],"meta":{"path":"a.txt"},"extra":${nested(10_000)}}`;
    const result = parseStoreFile(Buffer.from(`${deep}\n${good}\n`), 'store.jsonl');
    expect([...result.records.keys()]).toEqual(['b.txt']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ file: 'store.jsonl', line: 1 });
    expect(result.problems[0]!.message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
    expect(Buffer.from(result.rejectedLines[0]!).toString('utf8')).toBe(deep);
    for (const record of result.records.values()) expect(() => serializeStoredRecord(record)).not.toThrow();
  });

  it('measures depth without recursion, at any depth', () => {
    expect(exceedsJsonDepth(JSON.parse(nested(200_000)))).toBe(true);
    expect(exceedsJsonDepth(JSON.parse(nested(MAX_JSON_DEPTH - 1)))).toBe(false);
    expect(exceedsJsonDepth([[1], { a: [2] }], 3)).toBe(false);
    expect(exceedsJsonDepth([[1], { a: [[2]] }], 3)).toBe(true);
  });
});

describe('deeply nested label files', () => {
  it('parseLabelNames answers with an error instead of overflowing the stack', () => {
    const text = '{"features":{"label":' + '{"feature":'.repeat(20_000) + '{"names":["A"]}' + '}'.repeat(20_000) + '}}';
    const result = parseLabelNames(text, 'dataset_info.json');
    expect(result.labelNames).toEqual([]);
    expect(result.errors[0]).toMatchObject({ file: 'dataset_info.json' });
    expect(result.errors[0]!.message).toContain('nested deeper than');
    expect(parseLabelNames('{"features":{"label":{"feature":{"names":["A","B"]}}}}').labelNames).toEqual(['A', 'B']);
  });
});

describe('exporting a deeply nested meta', () => {
  const deepDocument = { text: 'Paris', spans: [{ start: 0, end: 5, label: 'LOC' }], meta: { path: 'a.txt', source: 'web', tree: JSON.parse(nested(20_000)) as unknown } };
  const plain = { text: 'Berlin', spans: [], meta: { path: 'b.txt' } };

  it('the Prodigy writer leaves the deep value out, names it, and writes every document', () => {
    const result = writeProdigyJsonl([deepDocument, plain]);
    expect(result.issues).toEqual(['a.txt: meta.tree is nested too deeply to export; left out']);
    const back = parseProdigyJsonl(result.content, { file: 'out.jsonl' });
    expect(back.records.map((record) => record.meta)).toEqual([{ path: 'a.txt', source: 'web' }, { path: 'b.txt' }]);
  });

  it('the Label Studio writer leaves the deep value out, names it, and writes every document', () => {
    const result = writeLabelStudioJson([deepDocument, plain]);
    expect(result.issues).toEqual(['a.txt: meta.tree is nested too deeply to export; left out']);
    const back = parseLabelStudioJson(result.content, { file: 'out.json' });
    expect(back.records.map((record) => [record.meta.path, record.meta.source, record.spans.length])).toEqual([['a.txt', 'web', 1], ['b.txt', undefined, 0]]);
  });
});

describe('readers reject a record nested too deeply, with its file and line, and load the others', () => {
  const deep = nested(5_000);
  type Reader = (text: string, file: string) => { records: unknown[]; errors: ParseIssue[] };
  // Each format: a reader, and a valid record whose `meta`-like field can carry the deep value.
  const jsonl: Array<[string, Reader, (extra: string) => string]> = [
    ['Prodigy', (t, file) => parseProdigyJsonl(t, { file }), (extra) => `{"text":"Paris","spans":[{"start":0,"end":5,"label":"LOC"}],"meta":{"x":${extra}}}`],
    ['HF token JSONL', (t, file) => parseHfTokenJsonl(t, { file }), (extra) => `{"tokens":["Paris"],"ner_tags":["B-LOC"],"x":${extra}}`],
    ['Prodigy textcat', (t, file) => parseProdigyTextcatJsonl(t, { file }), (extra) => `{"text":"a","label":"SPAM","answer":"accept","meta":{"x":${extra}}}`],
    ['HF textcat JSONL', (t, file) => parseHfTextcatJsonl(t, { file }), (extra) => `{"text":"a","label":"POS","x":${extra}}`],
    ['classification JSONL', (t, file) => parseClassificationJsonl(t, { file }), (extra) => `{"text":"a","label":"POS","x":${extra}}`],
  ];

  it.each(jsonl)('%s', (_, read, line) => {
    const result = read(`${line('1')}\n${line(deep)}\n${line('2')}\n`, 'data.jsonl');
    expect(result.records).toHaveLength(2);
    expect(result.errors).toEqual([{ file: 'data.jsonl', line: 2, message: `nested deeper than ${MAX_JSON_DEPTH} levels; skipped` }]);
  });

  const task = (extra: string, choices = false): string =>
    choices
      ? `{"data":{"text":"a"},"annotations":[{"result":[{"type":"choices","value":{"choices":["POS"]}}]}],"meta":{"x":${extra}}}`
      : `{"id":1,"data":{"text":"Paris"},"annotations":[{"result":[{"type":"labels","value":{"start":0,"end":5,"text":"Paris","labels":["LOC"]}}]}],"meta":{"x":${extra}}}`;
  const arrays: Array<[string, Reader, boolean]> = [
    ['Label Studio', (t, file) => parseLabelStudioJson(t, { file }), false],
    ['Label Studio choices', (t, file) => parseLabelStudioChoices(t, { file }), true],
  ];

  it.each(arrays)('%s, pretty-printed and on one line, also next to a broken task', (_, read, choices) => {
    const pretty = `[\n${task('1', choices)},\n${task(deep, choices)},\n${task('2', choices)}\n]\n`;
    const prettyResult = read(pretty, 'tasks.json');
    expect(prettyResult.records).toHaveLength(2);
    expect(prettyResult.errors).toEqual([{ file: 'tasks.json', line: 3, message: `element 1 is nested deeper than ${MAX_JSON_DEPTH} levels; skipped` }]);
    const broken = `[${task('1', choices)},${task(deep, choices)},${task('2', choices).slice(1)},${task('3', choices)}]`;
    const brokenResult = read(broken, 'tasks.json');
    expect(brokenResult.records).toHaveLength(2);
    expect(brokenResult.errors.map((error) => [error.file, error.line])).toEqual([['tasks.json', 1], ['tasks.json', 1]]);
    expect(brokenResult.errors[0]!.message).toContain(`element 1 is nested deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
