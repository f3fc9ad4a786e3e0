import { describe, expect, it } from 'vitest';
import { sha256OfText, spanProblem, validateDocument, type AnnotatedDocument } from '../../../src/core/data/annotation';
import { OffsetConverter } from '../../../src/core/data/unicodeOffsets';

const doc = (text: string, spans: AnnotatedDocument['spans']): AnnotatedDocument => ({ text, spans, meta: { path: 'a.txt' } });

describe('validateDocument', () => {
  it('accepts spans inside the text, with emoji and CRLF', () => {
    const text = 'Hi 😀 Paris\r\nBerlin';
    expect(validateDocument(doc(text, [{ start: 6, end: 11, label: 'LOC' }, { start: 13, end: 19, label: 'LOC' }]))).toEqual([]);
    expect(text.slice(6, 11)).toBe('Paris');
  });

  it('rejects empty, reversed, out-of-range and fractional spans', () => {
    const issues = validateDocument(
      doc('abcdef', [
        { start: 2, end: 2, label: 'X' },
        { start: 4, end: 3, label: 'X' },
        { start: 4, end: 7, label: 'X' },
        { start: -1, end: 2, label: 'X' },
        { start: 0.5, end: 2, label: 'X' },
      ]),
    );
    expect(issues.map((i) => [i.spanIndex, i.kind, i.severity])).toEqual([
      [0, 'empty-span', 'error'],
      [1, 'empty-span', 'error'],
      [2, 'span-out-of-range', 'error'],
      [3, 'span-out-of-range', 'error'],
      [4, 'offset-not-integer', 'error'],
    ]);
  });

  it('rejects a span boundary between the two halves of a surrogate pair', () => {
    const text = 'a😀b'; // 😀 is text[1..3)
    expect(spanProblem(text, { start: 1, end: 3, label: 'E' })).toBeUndefined();
    expect(spanProblem(text, { start: 2, end: 4, label: 'E' })?.kind).toBe('splits-surrogate-pair');
    expect(spanProblem(text, { start: 0, end: 2, label: 'E' })?.kind).toBe('splits-surrogate-pair');
  });

  it('rejects labels that are empty or hold tabs/newlines', () => {
    expect(spanProblem('abc', { start: 0, end: 1, label: '' })?.kind).toBe('bad-label');
    expect(spanProblem('abc', { start: 0, end: 1, label: 'A\tB' })?.kind).toBe('bad-label');
    expect(spanProblem('abc', { start: 0, end: 1, label: 'B-PER ' })?.kind).toBe('bad-label');
  });

  it('reports overlaps and duplicates as warnings, naming both spans', () => {
    const issues = validateDocument(
      doc('New York City', [
        { start: 0, end: 8, label: 'LOC' },
        { start: 4, end: 13, label: 'LOC' },
        { start: 0, end: 8, label: 'LOC' },
        { start: 9, end: 13, label: 'ORG' },
      ]),
    );
    expect(issues.map((i) => [i.kind, i.severity, i.spanIndex])).toEqual([
      ['duplicate-span', 'warning', 2],
      ['overlap', 'warning', 1],
      ['overlap', 'warning', 3],
    ]);
    expect(issues[1]!.message).toContain('overlaps span 0');
  });

  it('checks tokens against the text', () => {
    const issues = validateDocument({ ...doc('ab cd', []), tokens: [{ text: 'ab', start: 0, end: 2, id: 0 }, { text: 'cx', start: 3, end: 5, id: 1 }] });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'bad-token', tokenIndex: 1 });
  });
});

describe('sha256OfText', () => {
  it('hashes the UTF-8 bytes (FIPS 180-2 test vector "abc")', () => {
    expect(sha256OfText('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('OffsetConverter', () => {
  it('maps UTF-16 offsets to code points and back around astral characters', () => {
    const text = 'a😀b𝄞c'; // units: a=0, 😀=1..3, b=3, 𝄞=4..6, c=6
    const converter = new OffsetConverter(text);
    expect(converter.codePointLength).toBe([...text].length);
    expect([0, 1, 3, 4, 6, 7].map((u) => converter.toCodePoint(u))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(converter.toCodePoint(2)).toBeUndefined();
    expect([0, 1, 2, 3, 4, 5].map((cp) => converter.toUnit(cp))).toEqual([0, 1, 3, 4, 6, 7]);
    expect(converter.toUnit(6)).toBeUndefined();
    // Independent check: Array.from splits by code points, as Python indexes str.
    const codePoints = Array.from(text);
    expect(codePoints.slice(2, 4).join('')).toBe(text.slice(converter.toUnit(2), converter.toUnit(4)));
  });

  it('is the identity on BMP-only text', () => {
    const converter = new OffsetConverter('héllo wörld');
    expect(converter.hasAstralCharacters).toBe(false);
    expect(converter.toCodePoint(5)).toBe(5);
    expect(converter.toUnit(11)).toBe(11);
    expect(converter.toUnit(12)).toBeUndefined();
  });
});
