import { describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { parseLabelStudioJson, writeLabelStudioJson } from '../../../src/core/data/formats/labelStudio';
import { fixture } from './helpers/fixtures';

describe('parseLabelStudioJson', () => {
  const result = parseLabelStudioJson(fixture('labelstudio-sample.json'), { file: 'ls.json' });

  it('reads "labels" results with code-point offsets, verified against value.text', () => {
    const task = result.records[0]!;
    expect(task.line).toBe(2);
    expect(task.spans.map((s) => [task.text.slice(s.start, s.end), s.label])).toEqual([
      ['Barack Obama', 'PER'],
      ['Paris', 'LOC'],
    ]);
    expect(task.meta.path).toBe('ls.json#task-1');
  });

  it('reads an older export with UTF-16 offsets (auto), skipping a cancelled annotation', () => {
    const task = result.records[1]!;
    expect(task.spans.map((s) => task.text.slice(s.start, s.end))).toEqual(['Berlin']);
  });

  it('reports non-span results and malformed tasks with their line', () => {
    expect(result.records).toHaveLength(2);
    expect(result.errors).toEqual([{ file: 'ls.json', line: 28, message: 'task 2: expected an object with data.text as a string; task skipped' }]);
    expect(result.warnings.map((w) => w.message)).toEqual([
      '1 result(s) of type "choices" are not text spans and were not imported (first in the task at this line)',
    ]);
  });

  it('keeps the valid tasks of a file with a malformed one', () => {
    const text = '[\n{"data": {"text": "a b"}, "annotations": []},\n{"data": {"text": oops}},\n{"data": {"text": "c"}}\n]';
    const broken = parseLabelStudioJson(text, { file: 'b.json' });
    expect(broken.records.map((r) => r.text)).toEqual(['a b', 'c']);
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]!.line).toBe(3);
  });

  it('rejects a region whose offsets do not cover its text', () => {
    const text = JSON.stringify([{ data: { text: 'hello world' }, annotations: [{ result: [{ type: 'labels', value: { start: 0, end: 5, text: 'world', labels: ['X'] } }] }] }]);
    const read = parseLabelStudioJson(text);
    expect(read.records[0]!.spans).toEqual([]);
    expect(read.errors[0]!.message).toContain('does not cover its text "world"');
  });
});

describe('Label Studio round trip', () => {
  it('write → read returns the same documents, with code-point offsets on disk', () => {
    const documents: AnnotatedDocument[] = [
      { text: '😀😀 Ada Lovelace, London', spans: [{ start: 5, end: 17, label: 'PER' }, { start: 19, end: 25, label: 'LOC' }], meta: { path: 'a.txt', sha256: 'abc' } },
      { text: 'plain', spans: [], meta: { path: 'b.txt' } },
    ];
    const written = writeLabelStudioJson(documents);
    const tasks = JSON.parse(written.content) as Array<{ annotations: Array<{ result: Array<{ value: { start: number; text: string } }> }> }>;
    expect(tasks[0]!.annotations[0]!.result[0]!.value).toMatchObject({ start: 3, text: 'Ada Lovelace' });
    const read = parseLabelStudioJson(written.content);
    expect(read.errors).toEqual([]);
    expect(read.records.map(({ text, spans, meta }) => ({ text, spans, meta }))).toEqual(documents);
  });
});
