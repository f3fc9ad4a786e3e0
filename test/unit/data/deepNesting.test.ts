import { describe, expect, it } from 'vitest';
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
