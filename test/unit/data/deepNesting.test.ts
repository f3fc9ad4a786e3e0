import { describe, expect, it } from 'vitest';
import { parseLabelStudioJson, writeLabelStudioJson } from '../../../src/core/data/formats/labelStudio';
import { parseProdigyJsonl, writeProdigyJsonl } from '../../../src/core/data/formats/prodigy';
import { parseLabelNames } from '../../../src/core/data/formats/labelNames';
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
