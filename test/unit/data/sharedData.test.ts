import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { haveSharedData, SHARED_DATA } from '../../sharedData';
import { parseClassificationTsv } from '../../../src/core/data/formats/classification';
import { conllToDocuments, documentsToConll, parseConll } from '../../../src/core/data/formats/conll';

/** Checks against the read-only datasets in ../shared/data (never copied into the repository). */
const DATA = SHARED_DATA;
const WIKIANN = `${DATA}/wikiann-en/train.txt`;
const present = haveSharedData('sharedData.test.ts', 'wikiann-en/train.txt');

describe.skipIf(!present)('shared datasets', () => {
  it('WikiANN en train: 20,000 sentences, IOB2 PER/ORG/LOC, parsed well under 2 s', () => {
    const text = readFileSync(WIKIANN, 'utf8');
    const started = performance.now();
    const result = parseConll(text, { file: WIKIANN, stripLanguagePrefix: 'en' });
    const elapsed = performance.now() - started;
    console.log(`WikiANN train: ${result.records.length} sentences parsed in ${elapsed.toFixed(0)} ms`);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.scheme).toBe('IOB2');
    expect(result.records).toHaveLength(20_000);
    const tags = new Set(result.records.flatMap((s) => s.tags));
    expect([...tags].sort()).toEqual(['B-LOC', 'B-ORG', 'B-PER', 'I-LOC', 'I-ORG', 'I-PER', 'O']);
    expect(result.records.some((s) => s.tokens.some((t) => t.startsWith('en:')))).toBe(false);
    // Token and tag totals against an independent count of the raw lines.
    const lines = text.split('\n').filter((line) => line !== '');
    expect(result.records.reduce((n, s) => n + s.tokens.length, 0)).toBe(lines.length);
    expect(result.records.reduce((n, s) => n + s.tags.filter((t) => t === 'B-PER').length, 0)).toBe(lines.filter((l) => l.endsWith('\tB-PER')).length);
    expect(elapsed).toBeLessThan(2000);
  });

  it('WikiANN round-trips through documents and back to the same CoNLL', () => {
    const text = readFileSync(WIKIANN, 'utf8');
    const parsed = parseConll(text, { stripLanguagePrefix: 'en' });
    const back = documentsToConll(conllToDocuments(parsed.records));
    expect(back.issues).toEqual([]);
    const expected = text.replace(/^en:/gm, '');
    expect(back.content).toBe(expected.endsWith('\n\n') ? expected.slice(0, -1) : expected);
  });

  it('WNUT17 train reads as IOB2 with its six types', () => {
    const result = parseConll(readFileSync(`${DATA}/wnut17/train.conll`, 'utf8'));
    expect(result.errors).toEqual([]);
    expect(result.records).toHaveLength(3394);
    const types = new Set(result.records.flatMap((s) => s.tags).filter((t) => t !== 'O').map((t) => t.slice(2)));
    expect([...types].sort()).toEqual(['corporation', 'creative-work', 'group', 'location', 'person', 'product']);
  });

  it('SST-2 reads with its header: 67,349 train and 872 dev examples, labels 0/1', () => {
    const train = parseClassificationTsv(readFileSync(`${DATA}/sst2/train.tsv`, 'utf8'));
    const dev = parseClassificationTsv(readFileSync(`${DATA}/sst2/dev.tsv`, 'utf8'));
    expect(train.errors).toEqual([]);
    expect(dev.errors).toEqual([]);
    expect(train.records).toHaveLength(67_349);
    expect(dev.records).toHaveLength(872);
    expect(new Set(train.records.map((r) => r.label))).toEqual(new Set(['0', '1']));
  });
});
