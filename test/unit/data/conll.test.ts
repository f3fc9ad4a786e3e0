import { describe, expect, it } from 'vitest';
import { conllToDocuments, documentsToConll, parseConll, writeConll } from '../../../src/core/data/formats/conll';
import { fixture } from './helpers/fixtures';

describe('parseConll', () => {
  it('reads CoNLL-2003 style IOB1 (tag in the last column, -DOCSTART- skipped) as IOB2', () => {
    const result = parseConll(fixture('conll2003-iob1.txt'), { file: 'conll2003-iob1.txt' });
    expect(result.errors).toEqual([]);
    expect(result.scheme).toBe('IOB1');
    expect(result.records.map((s) => s.tokens.length)).toEqual([9, 2, 6]);
    expect(result.records[0]!.tags).toEqual(['B-ORG', 'O', 'B-MISC', 'O', 'O', 'O', 'B-MISC', 'O', 'O']);
    expect(result.records[1]).toMatchObject({ tokens: ['Peter', 'Blackburn'], tags: ['B-PER', 'I-PER'], line: 13, documentIndex: 0 });
    expect(result.records[2]!.tags).toEqual(['B-LOC', 'O', 'B-LOC', 'I-LOC', 'I-LOC', 'O']);
    expect(result.records[2]!.documentIndex).toBe(1);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/read as IOB1 and converted to IOB2: 6 tag\(s\) rewritten/);
  });

  it("strips WikiANN's language prefix only when asked, with CRLF input", () => {
    const text = fixture('wikiann-sample.txt');
    const kept = parseConll(text);
    expect(kept.records[0]!.tokens[0]).toBe('en:R.H.');
    const stripped = parseConll(text, { stripLanguagePrefix: 'en' });
    expect(stripped.records.map((s) => s.tokens)).toEqual([
      ['R.H.', 'Saunders', '(', 'St.', 'Lawrence'],
      ['Karl', 'Ove', 'Knausgård', 'en:'],
    ]);
    expect(stripped.errors).toEqual([]);
    expect(parseConll('Paris\tB-LOC\nen:x\tO\n', { stripLanguagePrefix: true }).warnings[0]).toMatchObject({ line: 1 });
  });

  it('reads space-separated columns and BIOES', () => {
    const result = parseConll('New NNP S-LOC\nYork NNP O\n\nLos B-LOC\nAngeles I-LOC\nCA E-LOC\n');
    expect(result.scheme).toBe('BIOES');
    expect(result.records.map((s) => s.tags)).toEqual([['B-LOC', 'O'], ['B-LOC', 'I-LOC', 'I-LOC']]);
  });

  it('skips a sentence with a bad line, names the line, keeps the others', () => {
    const result = parseConll('A\tO\nB\tB-X\n\nC\tO\nlonely\nD\tO\n\nE\tWRONG\n\nF\tB-Y\n', { file: 'f.conll' });
    expect(result.records.map((s) => s.tokens)).toEqual([['A', 'B'], ['F']]);
    expect(result.errors.map((e) => [e.file, e.line])).toEqual([
      ['f.conll', 5],
      ['f.conll', 8],
    ]);
    expect(result.errors[0]!.message).toContain('sentence starting at line 4 skipped');
    expect(result.errors[1]!.message).toContain('invalid tag "WRONG"');
  });
});

describe('CoNLL round trips', () => {
  it('parse → write reproduces an IOB2 file exactly', () => {
    const text = 'EU\tB-ORG\nrejects\tO\nGerman\tB-MISC\n\nPeter\tB-PER\nBlackburn\tI-PER\n';
    expect(writeConll(parseConll(text).records)).toBe(text);
  });

  it('sentences → documents → sentences keeps tokens and tags (IOB1 input written as IOB2)', () => {
    const parsed = parseConll(fixture('conll2003-iob1.txt'));
    const documents = conllToDocuments(parsed.records, { path: 'train.conll', documentPer: 'docstart' });
    expect(documents).toHaveLength(2);
    expect(documents[0]!.text).toBe('EU rejects German call to boycott British lamb .\nPeter Blackburn');
    expect(documents[0]!.spans.map((s) => documents[0]!.text.slice(s.start, s.end))).toEqual(['EU', 'German', 'British', 'Peter Blackburn']);
    expect(documents[1]!.meta.path).toBe('train.conll#2');
    const back = documentsToConll(documents);
    expect(back.issues).toEqual([]);
    expect(back.sentences.map((s) => [s.tokens, s.tags])).toEqual(parsed.records.map((s) => [s.tokens, s.tags]));
    expect(parseConll(back.content).records.map((s) => s.tags)).toEqual(parsed.records.map((s) => s.tags));
  });

  it('documents without tokens use punctuation-split words; unaligned spans are reported, not shifted', () => {
    const text = 'Visit Paris, France.\nSee NewYork';
    const result = documentsToConll([
      { text, spans: [{ start: 6, end: 11, label: 'LOC' }, { start: 13, end: 19, label: 'LOC' }, { start: 29, end: 33, label: 'LOC' }], meta: { path: 'v.txt' } },
    ]);
    expect(result.content).toBe('Visit\tO\nParis\tB-LOC\n,\tO\nFrance\tB-LOC\n.\tO\n\nSee\tO\nNewYork\tO\n');
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toContain('v.txt: span 2 skipped');
    expect(result.issues[0]).toContain('starts inside token 6 "NewYork"');
  });
});
