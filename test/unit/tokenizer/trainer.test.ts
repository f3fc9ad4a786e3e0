import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { haveSharedData, SHARED_DATA } from '../../sharedData';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { loadBertTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerFiles';
import { saveTokenizer, serializeTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerWriter';
import { specFromTrained, trainWordPiece } from '../../../src/core/runtime/tokenizer/wordpieceTrainer';
import { FIXTURE_VOCAB_SIZE, fixtureFolder, fixtureSpec, SAMPLE_TEXT } from './fixtureSpecs';

const scratch = mkdtempSync(path.join(tmpdir(), 'bert-lens-trainer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

describe('trainWordPiece', () => {
  it('merges the most frequent pairs, as worked out by hand', () => {
    // Word counts: hug 10, pug 5, pun 12, bun 4, hugs 5 (the HF course's WordPiece/BPE example).
    const corpus = [
      ...Array<string>(10).fill('hug'),
      ...Array<string>(5).fill('pug'),
      ...Array<string>(12).fill('pun'),
      ...Array<string>(4).fill('bun'),
      ...Array<string>(5).fill('hugs'),
    ];
    const trained = trainWordPiece([corpus.join(' ')], { vocabSize: 100, lowercase: true, minFrequency: 2 });
    // Alphabet b g h n p s u (ids 5..11), ## forms (12..18). Pair counts: (##u,##g) 20,
    // (p,##u) 17, (##u,##n) 16, (h,##u) 15, ... → ##ug; then (##u,##n) 16 → ##un; (h,##ug) 15 → hug;
    // (p,##un) 12 → pun; then three pairs at 5, ties broken by the smaller pair of ids:
    // (p=9, ##ug=19) → pug, (hug=21, ##s=17) → hugs; finally (b, ##un) 4 → bun.
    expect(trained.vocab).toEqual([
      ...SPECIALS,
      'b', 'g', 'h', 'n', 'p', 's', 'u',
      '##b', '##g', '##h', '##n', '##p', '##s', '##u',
      '##ug', '##un', 'hug', 'pun', 'pug', 'hugs', 'bun',
    ]);
    expect(trained.stats).toEqual({ words: 36, distinctWords: 5, alphabet: 7, merges: 7 });
    const tokenizer = BertTokenizer.fromVocab(trained.vocab);
    expect(tokenizer.tokenize('hugs bug puns')).toEqual(['hugs', 'b', '##ug', 'pun', '##s']);
  });

  it('stops at the requested size and at minFrequency', () => {
    const text = SAMPLE_TEXT.split('\n');
    const small = trainWordPiece(text, { vocabSize: 700, lowercase: true });
    expect(small.vocab.length).toBe(700);
    // minFrequency only decides where the same sequence of merges stops.
    const twice = trainWordPiece(text, { vocabSize: 100_000, lowercase: true, minFrequency: 2 });
    const thrice = trainWordPiece(text, { vocabSize: 100_000, lowercase: true, minFrequency: 3 });
    expect(twice.vocab.length).toBeLessThan(100_000);
    expect(thrice.vocab.length).toBeLessThan(twice.vocab.length);
    expect(twice.vocab.slice(0, thrice.vocab.length)).toEqual(thrice.vocab);
    expect(twice.vocab.slice(0, 700)).toEqual(small.vocab);
  });

  it('lays out specials, every character with its ## form, then merges made of earlier tokens', () => {
    const trained = trainWordPiece(SAMPLE_TEXT.split('\n'), { vocabSize: 800, lowercase: false });
    const vocab = trained.vocab;
    expect(vocab.slice(0, 5)).toEqual(SPECIALS);
    expect(new Set(vocab).size).toBe(vocab.length);
    const alphabet = vocab.slice(5, 5 + trained.stats.alphabet);
    for (const ch of alphabet) {
      expect([...ch].length).toBe(1);
      expect(vocab).toContain(`##${ch}`);
    }
    for (const ch of new Set([...'Zürich中文😀Москва'])) expect(alphabet).toContain(ch);
    const seen = new Set(vocab.slice(0, 5 + 2 * trained.stats.alphabet));
    for (const token of vocab.slice(5 + 2 * trained.stats.alphabet)) {
      const body = token.startsWith('##') ? token.slice(2) : token;
      const chars = [...body];
      const splits = chars.slice(1).map((_, k) => [chars.slice(0, k + 1).join(''), `##${chars.slice(k + 1).join('')}`]);
      const prefix = token.startsWith('##') ? '##' : '';
      expect(splits.some(([left, right]) => seen.has(prefix + left!) && seen.has(right!)), token).toBe(true);
      seen.add(token);
    }
  });

  it('is deterministic, and cased/uncased differ as they should', () => {
    const lines = SAMPLE_TEXT.split('\n');
    const a = trainWordPiece(lines, { vocabSize: 600, lowercase: true });
    const b = trainWordPiece(lines, { vocabSize: 600, lowercase: true });
    expect(a.vocab).toEqual(b.vocab);
    const cased = trainWordPiece(lines, { vocabSize: 600, lowercase: false });
    expect(a.vocab.slice(5).filter((t) => t !== t.toLowerCase())).toEqual([]);
    expect(a.vocab).not.toContain('é');
    expect(cased.vocab).toContain('B');
    expect(cased.vocab).toContain('é');
  });
});

describe('written tokenizer folders', () => {
  it('load in transformers.js (AutoTokenizer.from_pretrained) with the same ids as ours', async () => {
    for (const lowercase of [false, true]) {
      const trained = trainWordPiece(SAMPLE_TEXT.split('\n'), { vocabSize: 750, lowercase });
      const name = lowercase ? 'trained-uncased' : 'trained-cased';
      await saveTokenizer(path.join(scratch, name), specFromTrained(trained, 256));
      const ours = await loadBertTokenizer(path.join(scratch, name));
      const saved = { local: env.localModelPath, remote: env.allowRemoteModels };
      env.localModelPath = `${scratch}/`;
      env.allowRemoteModels = false;
      try {
        const hf = await AutoTokenizer.from_pretrained(name);
        expect(hf.constructor.name).toBe('BertTokenizer');
        expect(hf.model_max_length).toBe(256);
        for (const line of SAMPLE_TEXT.split('\n')) expect(ours.encode(line).ids, line).toEqual(hf.encode(line));
      } finally {
        env.localModelPath = saved.local;
        env.allowRemoteModels = saved.remote;
      }
      // vocab.txt alone gives the same tokenizer as tokenizer.json.
      expect(readFileSync(path.join(scratch, name, 'vocab.txt'), 'utf8').split('\n').slice(0, -1)).toEqual(trained.vocab);
    }
  });

  it('round-trip through our loader to the same spec', async () => {
    const spec = fixtureSpec('uncased');
    await saveTokenizer(path.join(scratch, 'roundtrip'), spec);
    const loaded = await loadBertTokenizer(path.join(scratch, 'roundtrip'));
    expect(serializeTokenizer(loaded.spec)).toEqual(serializeTokenizer(spec));
  });

  it('match the committed fixtures (regenerate with npx tsx test/fixtures/tokenizer/generate.ts)', () => {
    for (const kind of ['cased', 'uncased'] as const) {
      const files = serializeTokenizer(fixtureSpec(kind));
      const dir = fixtureFolder(kind);
      expect(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')).toBe(files.tokenizerJson);
      expect(readFileSync(path.join(dir, 'vocab.txt'), 'utf8')).toBe(files.vocabTxt);
      expect(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')).toBe(files.tokenizerConfig);
      expect(readFileSync(path.join(dir, 'special_tokens_map.json'), 'utf8')).toBe(files.specialTokensMap);
      expect(files.vocabTxt.split('\n').length - 1).toBeLessThanOrEqual(FIXTURE_VOCAB_SIZE);
    }
  });
});

const DATA = SHARED_DATA;
const haveData = haveSharedData('tokenizer/trainer.test.ts', 'sst2/train.tsv', 'wikiann-en/train.txt');

describe.skipIf(!haveData)('training on ../shared/data (skipped when the data is absent)', () => {
  it('builds a 12k vocabulary from 100k sentences quickly, with almost no [UNK] on held-out text', () => {
    const sst = readFileSync(path.join(DATA, 'sst2/train.tsv'), 'utf8').split('\n').slice(1).map((line) => line.split('\t')[0]!);
    const wiki = conllSentences(readFileSync(path.join(DATA, 'wikiann-en/train.txt'), 'utf8'));
    const texts = [...sst, ...wiki].filter((s) => s.length > 0).slice(0, 100_000);
    expect(texts.length).toBeGreaterThanOrEqual(80_000);
    const started = performance.now();
    const trained = trainWordPiece(texts, { vocabSize: 12_000, lowercase: false });
    const seconds = (performance.now() - started) / 1000;
    expect(trained.vocab.length).toBe(12_000);
    expect(seconds).toBeLessThan(60);

    const tokenizer = BertTokenizer.fromVocab(trained.vocab, { lowercase: false });
    const dev = conllSentences(readFileSync(path.join(DATA, 'wikiann-en/dev.txt'), 'utf8')).slice(0, 2000).join('\n');
    const ids = tokenizer.encode(dev, { addSpecialTokens: false }).ids;
    const unknown = ids.filter((id) => id === tokenizer.unkTokenId).length / ids.length;
    expect(unknown).toBeLessThan(0.005);
  });
});

if (!haveData) console.warn(`trainer.test.ts: ${DATA} not found, skipping the training run on real data`);

function conllSentences(text: string): string[] {
  const sentences: string[] = [];
  let words: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) {
      if (words.length > 0) sentences.push(words.join(' '));
      words = [];
      continue;
    }
    words.push(line.split('\t')[0]!.replace(/^en:/, ''));
  }
  if (words.length > 0) sentences.push(words.join(' '));
  return sentences;
}
