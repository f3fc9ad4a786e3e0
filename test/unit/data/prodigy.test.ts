import { describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { parseProdigyJsonl, writeProdigyJsonl } from '../../../src/core/data/formats/prodigy';
import { fixture } from './helpers/fixtures';

describe('parseProdigyJsonl', () => {
  const result = parseProdigyJsonl(fixture('prodigy-sample.jsonl'), { file: 'prodigy-sample.jsonl' });

  it('imports accepted tasks (and tasks without an answer), converting code points to UTF-16', () => {
    expect(result.records.map((r) => r.line)).toEqual([1, 4, 5]);
    const first = result.records[0]!;
    expect(first.spans.map((s) => [first.text.slice(s.start, s.end), s.label])).toEqual([
      ['Apple', 'ORG'],
      ['U.K.', 'GPE'],
    ]);
    expect(first.spans[0]).toEqual({ start: 3, end: 8, label: 'ORG' });
    expect(first.tokens![1]).toEqual({ text: 'Apple', start: 3, end: 8, id: 1, ws: true });
    expect(first.meta).toEqual({ source: 'news', path: 'prodigy-sample.jsonl#1' });
  });

  it('builds spans from token_start/token_end (inclusive) when offsets are missing', () => {
    expect(result.records[1]!.spans).toEqual([{ start: 0, end: 9, label: 'X' }]);
  });

  it('reports rejected/ignored tasks, bad spans and bad lines with line numbers, keeping the rest', () => {
    expect(result.warnings.map((w) => [w.line, w.message])).toEqual([
      [2, '1 task(s) answered "reject" not imported (first at this line)'],
      [3, '1 task(s) answered "ignore" not imported (first at this line)'],
    ]);
    expect(result.errors.map((e) => e.line)).toEqual([5, 6]);
    expect(result.errors.find((e) => e.line === 5)!.message).toContain('spans[0]');
    expect(result.records[2]!.spans).toEqual([{ start: 0, end: 6, label: 'Y' }]);
  });

  it('imports rejected tasks when asked', () => {
    const all = parseProdigyJsonl(fixture('prodigy-sample.jsonl'), { answers: ['accept', 'reject'] });
    expect(all.records.map((r) => r.answer)).toEqual(['accept', 'reject', 'accept', 'accept']);
  });
});

describe('Prodigy round trip', () => {
  const documents: AnnotatedDocument[] = [
    {
      text: '👩‍🔬 Marie Curie lived in Paris',
      spans: [
        { start: 6, end: 17, label: 'PER' },
        { start: 27, end: 32, label: 'LOC' },
      ],
      meta: { path: 'docs/curie.md', sha256: 'x' },
    },
    { text: 'nothing here', spans: [], meta: { path: 'empty.txt' } },
  ];

  it('write → read returns the same documents (code-point offsets on disk)', () => {
    expect(documents[0]!.text.slice(6, 17)).toBe('Marie Curie');
    const written = writeProdigyJsonl(documents);
    const firstLine = JSON.parse(written.content.split('\n')[0]!) as { spans: Array<{ start: number }>; answer: string };
    expect(firstLine.spans[0]!.start).toBe(6 - 2); // 👩‍🔬 is 5 UTF-16 units, 3 code points
    expect(firstLine.answer).toBe('accept');
    const read = parseProdigyJsonl(written.content);
    expect(read.errors).toEqual([]);
    expect(read.records.map(({ text, spans, meta }) => ({ text, spans, meta }))).toEqual(documents);
  });

  it("with offsetUnit 'utf16' keeps offsets as they are", () => {
    const written = writeProdigyJsonl(documents, { offsetUnit: 'utf16' });
    expect((JSON.parse(written.content.split('\n')[0]!) as { spans: Array<{ start: number }> }).spans[0]!.start).toBe(6);
    expect(parseProdigyJsonl(written.content, { offsetUnit: 'utf16' }).records[0]!.spans).toEqual(documents[0]!.spans);
  });

  it('round-trips tokens and writes token_start/token_end', () => {
    const parsed = parseProdigyJsonl(fixture('prodigy-sample.jsonl'));
    const written = writeProdigyJsonl(parsed.records.slice(0, 1));
    const task = JSON.parse(written.content) as { spans: Array<Record<string, number>> };
    expect(task.spans[0]).toMatchObject({ start: 2, end: 7, token_start: 1, token_end: 1 });
    expect(parseProdigyJsonl(written.content).records[0]!.tokens).toEqual(parsed.records[0]!.tokens);
  });
});
