import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/data/annotation';
import type { Disagreement } from '../../../src/core/data/agreement';
import { readAgreementInput } from '../../../src/core/data/agreementInput';
import { compareWithOther, describeDisagreement, disagreementAfter, disagreementRange, type DocumentComparison } from '../../../src/core/data/compareAnnotations';

const s = (start: number, end: number, label: string): Span => ({ start, end, label });
const TEXT = 'Ann met Bob in Rome.\nThen Carl Lee flew to Oslo.';
// Offsets: Ann 0-3, Bob 8-11, Rome 15-19, Carl 26-30, Carl Lee 26-34, Oslo 43-47.
const HERE = [s(0, 3, 'PER'), s(8, 11, 'PER'), s(15, 19, 'LOC'), s(26, 34, 'PER')];
const OTHER = [s(0, 3, 'PER'), s(8, 11, 'ORG'), s(26, 30, 'PER'), s(43, 47, 'LOC')];

/** The other annotator's file as Prodigy JSONL, one record per line. */
function prodigy(records: Array<{ text: string; spans: Span[]; path?: string }>): string {
  return records.map((r) => JSON.stringify({ text: r.text, spans: r.spans, answer: 'accept', ...(r.path ? { meta: { path: r.path } } : {}) })).join('\n');
}

function compared(file: string, path = 'notes/a.txt', spans = HERE): DocumentComparison {
  const result = compareWithOther({ path, text: TEXT, spans }, readAgreementInput(file, { file: 'b.jsonl' }), 'b.jsonl');
  if ('reason' in result) throw new Error(result.reason);
  return result;
}

describe('compareWithOther: the other file\'s record of the open document', () => {
  it('is found by the workspace path even among other documents, and its disagreements are the agreement verb\'s', () => {
    const file = prodigy([
      { text: 'Something else.', spans: [s(0, 9, 'ORG')], path: 'other.txt' },
      { text: TEXT, spans: OTHER, path: 'notes/a.txt' },
    ]);
    const result = compared(file);
    expect(result.matchedBy).toBe('path');
    expect(result.other.line).toBe(2);
    expect(result.agreedSpans).toBe(1); // Ann/PER only
    // Bob: same range, another label; Rome: only here; Carl Lee vs Carl: boundaries; Oslo: only there.
    expect(result.disagreements.map((d) => d.kind)).toEqual(['label', 'only-a', 'boundary', 'only-b']);
    expect(result.disagreements.map(disagreementRange)).toEqual([
      { start: 8, end: 11 },
      { start: 15, end: 19 },
      { start: 26, end: 34 },
      { start: 43, end: 47 },
    ]);
  });

  it('is found by the exact text when the other file names no path (CoNLL, HF, or another folder layout)', () => {
    const result = compared(prodigy([{ text: TEXT, spans: HERE }]));
    expect(result.matchedBy).toBe('text');
    expect(result.disagreements).toEqual([]);
    expect(result.agreedSpans).toBe(HERE.length);
  });

  it('says why when there is nothing to compare: another text under the path, no record, a broken file', () => {
    const changed = compareWithOther({ path: 'notes/a.txt', text: TEXT, spans: HERE }, readAgreementInput(prodigy([{ text: `${TEXT} More.`, spans: [], path: 'notes/a.txt' }]), { file: 'b.jsonl' }), 'b.jsonl');
    expect(changed).toEqual({ reason: expect.stringMatching(/^b\.jsonl \(line 1\) has notes\/a\.txt with another text/) });
    const none = compareWithOther({ path: 'notes/a.txt', text: TEXT, spans: HERE }, readAgreementInput(prodigy([{ text: 'Unrelated.', spans: [] }]), { file: 'b.jsonl' }), 'b.jsonl');
    expect(none).toEqual({ reason: 'b.jsonl has no record of notes/a.txt (none with its path or its exact text; 1 document(s) read)' });
    const broken = compareWithOther({ path: 'notes/a.txt', text: TEXT, spans: HERE }, readAgreementInput(`${prodigy([{ text: TEXT, spans: OTHER }])}\n{"text": `, { file: 'b.jsonl' }), 'b.jsonl');
    expect(broken).toEqual({ reason: expect.stringMatching(/^b\.jsonl:2: /) });
  });

  it('compares text categories too', () => {
    const categories = [{ start: 0, end: 20, scope: 'paragraph' as const, options: ['NEWS', 'CHAT'], multiLabel: false, accept: ['NEWS'] }];
    const file = JSON.stringify({ text: TEXT, spans: HERE, meta: { path: 'notes/a.txt' }, categories: [{ ...categories[0], accept: ['CHAT'] }] });
    const result = compareWithOther({ path: 'notes/a.txt', text: TEXT, spans: HERE, categories }, readAgreementInput(file, { file: 'annotations.jsonl', format: 'store' }), 'theirs');
    if ('reason' in result) throw new Error(result.reason);
    expect(result.disagreements).toHaveLength(1);
    expect(describeDisagreement(result.disagreements[0]!, 'theirs')).toBe('paragraph categories: here NEWS, theirs CHAT');
  });
});

describe('describeDisagreement and disagreementAfter', () => {
  const { disagreements } = compared(prodigy([{ text: TEXT, spans: OTHER, path: 'notes/a.txt' }]));

  it('names both sides in one line', () => {
    expect(disagreements.map((d) => describeDisagreement(d, 'b.jsonl'))).toEqual([
      'another label: here PER, b.jsonl ORG ("Bob")',
      'only here: LOC "Rome" (b.jsonl has nothing)',
      'other boundaries: here PER "Carl Lee", b.jsonl PER "Carl"',
      'only in b.jsonl: LOC "Oslo"',
    ]);
  });

  it('steps forward and back from the cursor, wrapping at both ends', () => {
    expect(disagreementAfter(disagreements, 0, 'next')).toBe(0);
    expect(disagreementAfter(disagreements, 8, 'next')).toBe(1); // the one at the cursor is the current one
    expect(disagreementAfter(disagreements, 43, 'next')).toBe(0);
    expect(disagreementAfter(disagreements, 43, 'previous')).toBe(2);
    expect(disagreementAfter(disagreements, 8, 'previous')).toBe(3);
    expect(disagreementAfter([] as Disagreement[], 5, 'next')).toBeUndefined();
  });
});
