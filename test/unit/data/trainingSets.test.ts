import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entitiesOf, parseProseSource, parseReviewSource } from '../../../scripts/evalsets/markup';
import { proseTrainingSentences, reviewTrainingExamples } from '../../../scripts/evalsets/trainingSets';

/**
 * The project's training sets under train-data/ (issues 14 and 18) are independent of the evaluation
 * sets under eval/: no sentence or review in common, no test-set person's name, and no run of
 * NGRAM words shared with a test sentence or review (a paraphrase of the test set would make its
 * score say nothing about other text). Sizes and balance as documented in train-data/*\/README.md.
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const NGRAM = 7;

const normalized = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();
const wordsOf = (text: string): string[] => normalized(text).split(/[^\p{L}\p{N}']+/u).filter((w) => w !== '');

function ngrams(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + NGRAM <= words.length; i++) out.push(words.slice(i, i + NGRAM).join(' '));
  return out;
}

function evalSource(set: 'prose-ner' | 'reviews', split: 'dev' | 'test'): string {
  return readFileSync(path.join(ROOT, 'eval', set, `${split}.source.txt`), 'utf8');
}

function sampleTexts(): string {
  const dir = path.join(ROOT, 'samples', 'workspace');
  return readdirSync(dir).filter((n) => /\.(txt|md)$/.test(n)).map((n) => readFileSync(path.join(dir, n), 'utf8')).join('\n');
}

describe('the prose NER training set (train-data/prose-ner)', () => {
  it('is valid IOB2 prose over PER, ORG and LOC, in articles, of the documented size', async () => {
    const sentences = await proseTrainingSentences();
    expect(sentences.length).toBeGreaterThanOrEqual(800);
    const articles = new Set(sentences.map((s) => s.documentIndex)).size;
    expect(articles).toBeGreaterThanOrEqual(100);
    const counts: Record<string, number> = {};
    for (const s of sentences) for (const e of entitiesOf(s.tokens, s.tags)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    for (const type of ['LOC', 'ORG', 'PER']) expect(counts[type]).toBeGreaterThanOrEqual(200);
    const words = sentences.reduce((n, s) => n + s.tokens.length, 0);
    const inside = sentences.reduce((n, s) => n + s.tags.filter((t) => t !== 'O').length, 0);
    expect(inside / words).toBeLessThan(0.3);
    // Sentences without any entity teach the model to leave capitalised common words alone.
    expect(sentences.filter((s) => s.tags.every((t) => t === 'O')).length).toBeGreaterThanOrEqual(80);
  });

  it('shares no sentence, no test person and no run of words with the evaluation set', async () => {
    const sentences = await proseTrainingSentences();
    const evaluation = (['dev', 'test'] as const).flatMap((split) => parseProseSource(evalSource('prose-ner', split), split));
    const evalSentences = new Set(evaluation.map((s) => normalized(s.tokens.join(' '))));
    expect(sentences.filter((s) => evalSentences.has(normalized(s.tokens.join(' ')))).map((s) => s.line)).toEqual([]);
    const test = parseProseSource(evalSource('prose-ner', 'test'), 'test');
    const testPeople = new Set(test.flatMap((s) => entitiesOf(s.tokens, s.tags)).filter((e) => e.type === 'PER' && e.text.includes(' ')).map((e) => e.text));
    expect(testPeople.size).toBeGreaterThan(30);
    const trainPeople = sentences.flatMap((s) => entitiesOf(s.tokens, s.tags)).filter((e) => e.type === 'PER').map((e) => e.text);
    expect(trainPeople.filter((name) => testPeople.has(name))).toEqual([]);
    const testRuns = new Set(test.flatMap((s) => ngrams(wordsOf(s.tokens.join(' ')))));
    expect(sentences.filter((s) => ngrams(wordsOf(s.tokens.join(' '))).some((g) => testRuns.has(g))).map((s) => s.tokens.join(' '))).toEqual([]);
  });
});

describe('the reviews training set (train-data/reviews)', () => {
  it('is balanced within every domain, repeats no review and mentions no film', async () => {
    const reviews = await reviewTrainingExamples();
    expect(reviews.length).toBeGreaterThanOrEqual(1200);
    const domains = new Set(reviews.map((r) => r.domain));
    expect(domains.size).toBeGreaterThanOrEqual(20);
    for (const domain of domains) {
      const ofDomain = reviews.filter((r) => r.domain === domain);
      expect(2 * ofDomain.filter((r) => r.label === 1).length, domain).toBe(ofDomain.length);
    }
    const texts = reviews.map((r) => normalized(r.text));
    expect(texts.filter((t, i) => texts.indexOf(t) !== i)).toEqual([]);
    expect(reviews.filter((r) => /\b(film|movie|cinema|actor|plot)s?\b/i.test(r.text)).map((r) => r.text)).toEqual([]);
  });

  it('shares no review and no run of words with the evaluation set or the sample workspace', async () => {
    const reviews = await reviewTrainingExamples();
    const evaluation = (['dev', 'test'] as const).flatMap((split) => parseReviewSource(evalSource('reviews', split), split));
    const evalTexts = new Set(evaluation.map((r) => normalized(r.text)));
    expect(reviews.filter((r) => evalTexts.has(normalized(r.text))).map((r) => r.text)).toEqual([]);
    const testRuns = new Set(parseReviewSource(evalSource('reviews', 'test'), 'test').flatMap((r) => ngrams(wordsOf(r.text))));
    expect(reviews.filter((r) => ngrams(wordsOf(r.text)).some((g) => testRuns.has(g))).map((r) => r.text)).toEqual([]);
    const samples = normalized(sampleTexts());
    expect(reviews.filter((r) => wordsOf(r.text).length >= 5 && samples.includes(normalized(r.text))).map((r) => r.text)).toEqual([]);
  });
});
