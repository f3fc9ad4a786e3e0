import { describe, expect, it } from 'vitest';
import { classifyText } from '../../../src/host/ner/documentText';
import { segmentsAreBlank, segmentsToAnalyse } from '../../../src/host/ner/segments';

describe('classifyText', () => {
  it('calls empty and whitespace-only documents blank', () => {
    expect(['', '   ', '\r\n\t \n', '\u00a0\u3000'].map(classifyText)).toEqual(['blank', 'blank', 'blank', 'blank']);
  });

  it('calls text with NUL characters or mostly control/replacement characters binary', () => {
    expect(classifyText('PNG\u0000\u0001header')).toBe('binary');
    const decodedGarbage = Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? '\ufffd' : String.fromCharCode(0x41 + (i % 26)))).join('');
    expect(classifyText(decodedGarbage)).toBe('binary');
    expect(classifyText('\u0001\u0002\u0003\u0004 abc')).toBe('binary');
  });

  it('calls ordinary text (tabs, CRLF, form feeds, emoji, CJK, a stray replacement character) text', () => {
    expect(classifyText('Ann met Bob\tin 東京 🙂\r\n\fnext page \ufffd ok, and a longer line of words to dilute it.')).toBe('text');
  });

  it('samples only the start of a large document', () => {
    expect(classifyText('word '.repeat(20_000) + '\u0000')).toBe('text');
  });
});

describe('segmentsToAnalyse', () => {
  const text = 'line one\r\nline two 🙂\r\nline three';

  it('takes the whole document when nothing is selected', () => {
    expect(segmentsToAnalyse(text, [])).toEqual([{ offset: 0, text }]);
    expect(segmentsToAnalyse(text, [{ start: 4, end: 4 }])).toEqual([{ offset: 0, text }]);
  });

  it('takes selections in document order, merges overlapping or touching ones, normalises reversed ones and clamps', () => {
    const segments = segmentsToAnalyse(text, [{ start: 25, end: 100 }, { start: 4, end: 0 }, { start: 2, end: 6 }, { start: 6, end: 8 }]);
    expect(segments).toEqual([{ offset: 0, text: 'line one' }, { offset: 25, text: text.slice(25) }]);
    for (const segment of segments) expect(text.slice(segment.offset, segment.offset + segment.text.length)).toBe(segment.text);
  });

  it('reports blank segments', () => {
    expect(segmentsAreBlank(segmentsToAnalyse('a  b', [{ start: 1, end: 3 }]))).toBe(true);
    expect(segmentsAreBlank(segmentsToAnalyse('a  b', [{ start: 1, end: 4 }]))).toBe(false);
  });
});
