import { describe, expect, it } from 'vitest';
import { icuSentences, segmentRanges, segments, type SegmentationMode } from '../../../src/core/tasks/shared/segmentation';

const texts = (text: string, mode: SegmentationMode): string[] => segmentRanges(text, mode).map(([s, e]) => text.slice(s, e));

/** Every segment is a trimmed, non-empty, in-order, disjoint range, and only whitespace lies between. */
function expectWellFormed(text: string, mode: SegmentationMode): Array<[number, number]> {
  const ranges = segmentRanges(text, mode);
  let previous = 0;
  for (const [start, end] of ranges) {
    expect(start).toBeGreaterThanOrEqual(previous);
    expect(end).toBeGreaterThan(start);
    const slice = text.slice(start, end);
    expect(slice.trim()).toBe(slice);
    expect(text.slice(previous, start).trim()).toBe('');
    previous = end;
  }
  expect(text.slice(previous).trim()).toBe('');
  return ranges;
}

describe('segments', () => {
  it('splits sentences, keeping "Dr. Smith", initials and e.g. inside their sentence', () => {
    const text = 'Dr. Smith went to Washington. J. R. R. Tolkien wrote, e.g. The Hobbit. Mr. Jones left!';
    expect(texts(text, 'sentence')).toEqual(['Dr. Smith went to Washington.', 'J. R. R. Tolkien wrote, e.g. The Hobbit.', 'Mr. Jones left!']);
  });

  it('keeps a closing quote with its sentence', () => {
    expect(texts('He said "Stop." Then he left. «Où?» Nobody knew.', 'sentence')).toEqual(['He said "Stop."', 'Then he left.', '«Où?»', 'Nobody knew.']);
  });

  it('sentence mode joins a wrapped line, breaks at a blank line; line mode breaks at every line', () => {
    const text = 'The model was trained\non WikiANN\n\nResults\n- item one\n- item two';
    expect(texts(text, 'sentence')).toEqual(['The model was trained\non WikiANN', 'Results\n- item one\n- item two']);
    expect(texts(text, 'line')).toEqual(['The model was trained', 'on WikiANN', 'Results', '- item one', '- item two']);
    expect(texts(text, 'none')).toEqual([text]);
  });

  it('handles CRLF, CR and LF mixed with exact offsets', () => {
    const text = 'a b\r\nc d\n\r\ne f\rg\r\n\r\n  h.  ';
    expect(texts(text, 'line')).toEqual(['a b', 'c d', 'e f', 'g', 'h.']);
    // One CRLF is one line break (joined); CRLF then CRLF is a blank line.
    expect(texts(text, 'sentence')).toEqual(['a b\r\nc d', 'e f\rg', 'h.']);
    expectWellFormed(text, 'line');
    expectWellFormed(text, 'sentence');
  });

  it('splits CJK sentences and keeps emoji offsets on code point boundaries', () => {
    const text = '東京に行きました。大阪も。 😀 ok. 👩‍👩‍👧 Next one.';
    expect(texts(text, 'sentence')).toEqual(['東京に行きました。', '大阪も。', '😀 ok.', '👩‍👩‍👧 Next one.']);
    for (const [s] of segmentRanges(text, 'sentence')) expect(text.codePointAt(s)! < 0xdc00 || text.codePointAt(s)! > 0xdfff).toBe(true);
  });

  it('gives nothing for empty or whitespace-only text in every mode', () => {
    for (const mode of ['sentence', 'line', 'none'] as const) {
      expect(segmentRanges('', mode)).toEqual([]);
      expect(segmentRanges(' \r\n\t\u3000\n ', mode)).toEqual([]);
    }
  });

  it('refuses an unknown mode with a clear error', () => {
    expect(() => segmentRanges('a', 'paragraph' as SegmentationMode)).toThrow(/segmentation must be one of sentence, line, none/);
  });

  it('windows ICU exactly: the pieces of a 150 KB text equal ICU run over the whole text', () => {
    // Sentences of every kind a window edge could cut: abbreviations, SB8 ("etc. and" stays one
    // sentence), closing quotes and brackets, "?!", CRLF, blank lines, a sentence longer than a
    // window, runs of spaces; seeded so a failure reproduces.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const kinds = [
      () => 'The harbour opened in May.', () => 'Dr. Smith met J. R. Jones.', () => 'It cost 1.2 billion, etc. and more.',
      () => '"Is it done?" she asked.', () => '(See the map.)', () => 'Wait?! Yes.', () => 'e.g. this one',
      () => '\r\n', () => '\n\n', () => ' '.repeat(1 + Math.floor(random() * 3000)),
      () => `A long sentence ${'with many words '.repeat(1500)}ends here.`,
    ];
    const parts: string[] = [];
    let length = 0;
    while (length < 150_000) {
      const part = kinds[Math.floor(random() * kinds.length)]!() + (random() < 0.7 ? ' ' : '');
      parts.push(part);
      length += part.length;
    }
    const text = parts.join('');
    const whole = [...new Intl.Segmenter('en', { granularity: 'sentence' }).segment(text)].map((p): [number, number] => [p.index, p.index + p.segment.length]);
    expect([...icuSentences(text)]).toEqual(whole);
  });

  it('is bounded on one 5 MB line without a sentence end (one segment, exact offsets)', () => {
    const text = ' ' + 'word '.repeat(1_000_000);
    const started = Date.now();
    for (const mode of ['sentence', 'line'] as const) expect(segmentRanges(text, mode)).toEqual([[1, text.length - 1]]);
    // A generous bound: ICU is linear (about 0.05 s here); a quadratic scan would take minutes.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('handles 5,000 one-word lines, a line of 10,000 emoji and a 1 MB run of spaces', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `w${i}`).join('\r\n');
    expect(expectWellFormed(lines, 'line')).toHaveLength(5000);
    expect(expectWellFormed(lines, 'sentence')).toHaveLength(1);
    const emoji = '😀'.repeat(10_000);
    expect(segmentRanges(emoji, 'sentence')).toEqual([[0, 20_000]]);
    const spaces = `a${' '.repeat(1_000_000)}b`;
    expect(segmentRanges(spaces, 'sentence')).toEqual([[0, spaces.length]]);
  });

  it('streams lazily: the first segment of a long text comes without segmenting the rest', () => {
    const text = 'First one. ' + 'More text here. '.repeat(100_000);
    const iterator = segments(text, 'sentence');
    expect(iterator.next().value).toEqual([0, 10]);
  });
});
