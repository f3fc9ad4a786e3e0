import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConll } from '../../../src/core/data/formats/conll';
import { readTaskData } from '../../../src/core/train/trainingData';
import { buildEvalSets } from '../../../scripts/build-evalsets';
import { conllWords, entitiesOf, iob2Problems, parseMarkedSentence, parseReviewSource, SourceError } from '../../../scripts/evalsets/markup';

/**
 * The hand-labelled evaluation sets under eval/ (issues 14 and 18): read with the readers
 * `bert-lens evaluate` uses, of the promised sizes, valid IOB2, balanced, with no sentence in both
 * splits, and the generated files in step with their sources.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const EVAL = path.join(ROOT, 'eval');
const MIN_SIZE = { test: 150, dev: 50 } as const;
const SPLITS = ['test', 'dev'] as const;

const normalized = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Sentences of a CoNLL file read without the project's reader: tag columns as written, no conversion. */
function rawConllTags(text: string): string[][] {
  const sentences: string[][] = [[]];
  for (const line of text.split('\n')) {
    if (line.startsWith('-DOCSTART-') || line.trim() === '') {
      if (sentences[sentences.length - 1]!.length > 0) sentences.push([]);
      continue;
    }
    const columns = line.split('\t');
    expect(columns, `line ${JSON.stringify(line)}`).toHaveLength(2);
    sentences[sentences.length - 1]!.push(columns[1]!);
  }
  return sentences.filter((s) => s.length > 0);
}

function sampleTexts(): string {
  const dir = path.join(ROOT, 'samples', 'workspace');
  return readdirSync(dir)
    .filter((name) => /\.(txt|md)$/.test(name))
    .map((name) => readFileSync(path.join(dir, name), 'utf8'))
    .join('\n');
}

describe('the prose NER evaluation set (eval/prose-ner)', () => {
  const read = async (split: string) => readTaskData('ner', path.join(EVAL, 'prose-ner', `${split}.txt`));

  it.each(SPLITS)('%s: read by the CLI reader with no issue, at least the promised sentences, in articles', async (split) => {
    const data = await read(split);
    if (data.task !== 'ner') throw new Error('not NER data');
    expect(data.issues).toEqual([]);
    expect(data.sentences.length).toBeGreaterThanOrEqual(MIN_SIZE[split]);
    const conll = parseConll(await fs.readFile(path.join(EVAL, 'prose-ner', `${split}.txt`), 'utf8'));
    const articles = new Set(conll.records.map((s) => s.documentIndex)).size;
    // Paragraphs of a few sentences each, not one document and not one sentence per document.
    expect(articles).toBeGreaterThanOrEqual(10);
    expect(conll.records.length / articles).toBeGreaterThanOrEqual(3);
  });

  it.each(SPLITS)('%s: tags as written are IOB2 over PER, ORG and LOC, each type well represented', async (split) => {
    const text = await fs.readFile(path.join(EVAL, 'prose-ner', `${split}.txt`), 'utf8');
    const raw = rawConllTags(text);
    for (const tags of raw) expect(iob2Problems(tags)).toEqual([]);
    const data = await read(split);
    if (data.task !== 'ner') throw new Error('not NER data');
    expect(data.sentences.map((s) => s.tags)).toEqual(raw);
    const counts: Record<string, number> = {};
    for (const s of data.sentences) for (const e of entitiesOf(s.tokens, s.tags)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    expect(Object.keys(counts).sort()).toEqual(['LOC', 'ORG', 'PER']);
    for (const type of ['LOC', 'ORG', 'PER']) expect(counts[type]).toBeGreaterThanOrEqual(split === 'test' ? 50 : 15);
    // Prose, not title fragments: most words are outside entities.
    const words = data.sentences.reduce((n, s) => n + s.tokens.length, 0);
    const inside = data.sentences.reduce((n, s) => n + s.tags.filter((t) => t !== 'O').length, 0);
    expect(inside / words).toBeLessThan(0.25);
  });

  it('shares no sentence between dev and test, nor a test person with the sample workspace', async () => {
    const [test, dev] = await Promise.all([read('test'), read('dev')]);
    if (test.task !== 'ner' || dev.task !== 'ner') throw new Error('not NER data');
    const testSentences = new Set(test.sentences.map((s) => normalized(s.tokens.join(' '))));
    expect(testSentences.size).toBe(test.sentences.length);
    expect(dev.sentences.map((s) => s.tokens.join(' ')).filter((s) => testSentences.has(normalized(s)))).toEqual([]);
    const samples = sampleTexts();
    const people = test.sentences.flatMap((s) => entitiesOf(s.tokens, s.tags)).filter((e) => e.type === 'PER' && e.text.includes(' '));
    expect(people.length).toBeGreaterThan(30);
    expect(people.filter((e) => samples.includes(e.text)).map((e) => e.text)).toEqual([]);
  });
});

describe('the reviews evaluation set (eval/reviews)', () => {
  const read = async (split: string) => readTaskData('classify', path.join(EVAL, 'reviews', `${split}.tsv`));

  it.each(SPLITS)('%s: SST-2 TSV read by the CLI reader with no issue, balanced 0/1 labels, five domains', async (split) => {
    const file = path.join(EVAL, 'reviews', `${split}.tsv`);
    const text = await fs.readFile(file, 'utf8');
    expect(text.startsWith('sentence\tlabel\n')).toBe(true);
    const data = await read(split);
    if (data.task !== 'classify') throw new Error('not classification data');
    expect(data.issues).toEqual([]);
    expect(data.examples.length).toBeGreaterThanOrEqual(MIN_SIZE[split]);
    const positive = data.examples.filter((e) => e.label === '1').length;
    const negative = data.examples.filter((e) => e.label === '0').length;
    expect(positive + negative).toBe(data.examples.length);
    expect(Math.abs(positive - negative)).toBeLessThanOrEqual(0.05 * data.examples.length);
    const reviews = parseReviewSource(await fs.readFile(path.join(EVAL, 'reviews', `${split}.source.txt`), 'utf8'), split);
    const domains = new Set(reviews.map((r) => r.domain));
    expect(domains.size).toBeGreaterThanOrEqual(5);
    for (const domain of domains) {
      const ofDomain = reviews.filter((r) => r.domain === domain);
      expect(ofDomain.length).toBeGreaterThanOrEqual(split === 'test' ? 20 : 8);
      expect(Math.abs(2 * ofDomain.filter((r) => r.label === 1).length - ofDomain.length)).toBeLessThanOrEqual(2);
    }
    // Off movie reviews: not a film word anywhere.
    expect(data.examples.filter((e) => /\b(film|movie|cinema|actor|plot)s?\b/i.test(e.text)).map((e) => e.text)).toEqual([]);
  });

  it('shares no review between dev and test, repeats none, and keeps the test set out of the sample workspace', async () => {
    const [test, dev] = await Promise.all([read('test'), read('dev')]);
    if (test.task !== 'classify' || dev.task !== 'classify') throw new Error('not classification data');
    const testTexts = new Set(test.examples.map((e) => normalized(e.text)));
    expect(testTexts.size).toBe(test.examples.length);
    expect(new Set(dev.examples.map((e) => normalized(e.text))).size).toBe(dev.examples.length);
    expect(dev.examples.filter((e) => testTexts.has(normalized(e.text))).map((e) => e.text)).toEqual([]);
    const samples = normalized(sampleTexts());
    expect(test.examples.filter((e) => samples.includes(normalized(e.text))).map((e) => e.text)).toEqual([]);
  });
});

describe('the sources of the evaluation sets', () => {
  it('generate exactly the committed files (npx tsx scripts/build-evalsets.ts rewrites them)', async () => {
    for (const { file, content } of await buildEvalSets()) {
      expect(await fs.readFile(file, 'utf8'), path.relative(ROOT, file)).toBe(content);
    }
  });

  it('split words as CoNLL-2003 does: punctuation, clitics and currency apart, abbreviations whole', () => {
    expect(conllWords(`"We don't know," said Mr. Smith of U.S. Steel (the firm's unit) -- up 4.5% to £1,200.`)).toEqual(
      ['"', 'We', 'do', "n't", 'know', ',', '"', 'said', 'Mr.', 'Smith', 'of', 'U.S.', 'Steel', '(', 'the', 'firm', "'s", 'unit', ')', '--', 'up', '4.5', '%', 'to', '£', '1,200', '.'],
    );
    expect(conllWords("O'Neill's 2-1 win, first-half")).toEqual(["O'Neill", "'s", '2-1', 'win', ',', 'first-half']);
  });

  it('read inline entities as IOB2 and refuse malformed markup', () => {
    expect(parseMarkedSentence(`Chief Executive [PER Anna de Vries] of [LOC Britain]'s [ORG Harlow & Finch].`, 'x')).toEqual({
      tokens: ['Chief', 'Executive', 'Anna', 'de', 'Vries', 'of', 'Britain', "'s", 'Harlow', '&', 'Finch', '.'],
      tags: ['O', 'O', 'B-PER', 'I-PER', 'I-PER', 'O', 'B-LOC', 'O', 'B-ORG', 'I-ORG', 'I-ORG', 'O'],
    });
    expect(() => parseMarkedSentence('[MISC Dutch] ships', 'x')).toThrow(SourceError);
    expect(() => parseMarkedSentence('[LOC Paris]-based firm', 'x')).toThrow(/inside a word/);
    expect(() => parseMarkedSentence('a [LOC Paris firm', 'x')).toThrow(/bracket/);
    expect(() => parseReviewSource('+ good before any domain\n', 'x')).toThrow(/domain/);
  });
});
