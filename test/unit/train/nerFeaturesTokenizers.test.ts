import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { IGNORE_INDEX, nerFeatures } from '../../../src/core/train/features';

// run_ner's labels (label_all_tokens=False) for every tokenizer type: HF tokenizes the pre-split words
// (is_split_into_words) and puts each word's label on the first token whose word_id is that word.
// The reference here is that definition itself: every word encoded on its own (with the space that
// separates it from the previous one, which byte-level BPE and SentencePiece's "▁" carry), the tokens
// concatenated, the first of each word labelled. The trainer encodes the joined sentence once and
// assigns tokens to words by offsets; both must give the same ids and the same labels.
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'tokenizer');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-ner-features-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const SENTENCES = [
  ['ada', 'lovelace', '(Paris)', 'lived', 'in', 'london'],
  ['Angela', 'Merkel', 'met', 'Emmanuel', 'Macron', 'in', 'Paris', '.'],
  ['Dr.', 'Ada', 'Lovelace', 'wrote', 'notes', 'about', 'the', 'Analytical', 'Engine', '!'],
  ['Zürich', 'liegt', 'am', 'Zürichsee', ',', 'nicht', 'in', 'Genève'],
  ['"Hello"', 'said', 'O\'Brien', 'to', 'the', 'U.S.', 'delegation'],
  ['東京', 'is', 'big', '🙂', 'really'],
];
const LABELS = ['O', 'B-X', 'I-X'];
const label2id = Object.fromEntries(LABELS.map((l, i) => [l, i]));
const tagsOf = (words: string[]) => words.map((_, i) => LABELS[i % LABELS.length]!);

describe.each([
  ['bert-cased', 'WordPiece'],
  ['roberta-bpe', 'BPE'],
  ['xlmr-unigram', 'Unigram'],
])('NER features with the %s tokenizer', (fixture, type) => {
  it('label the first token of each word (by offsets), -100 the others, as HF word_ids of split words', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir });
    expect(tokenizer.modelType).toBe(type);
    const sentences = SENTENCES.map((tokens) => ({ tokens, tags: tagsOf(tokens) }));
    const { features } = nerFeatures(sentences, tokenizer, label2id, { maxSeqLength: 512 });
    expect(features).toHaveLength(SENTENCES.length);
    SENTENCES.forEach((words, example) => {
      const ids: number[] = [];
      const labels: number[] = [];
      const wordStarts: number[] = [];
      words.forEach((word, w) => {
        // Byte-level BPE without add_prefix_space: the space before a later word is part of its first token.
        const piece = type === 'BPE' && w > 0 ? ` ${word}` : word;
        const own = tokenizer.encode(piece, { addSpecialTokens: false }).ids;
        own.forEach((id, k) => {
          ids.push(id);
          labels.push(k === 0 ? label2id[tagsOf(words)[w]!]! : IGNORE_INDEX);
          wordStarts.push(k === 0 ? w : -1);
        });
      });
      const feature = features[example]!;
      expect(feature.inputIds).toEqual([tokenizer.clsTokenId, ...ids, tokenizer.sepTokenId]);
      expect(feature.tokenLabels, words.join(' ')).toEqual([IGNORE_INDEX, ...labels, IGNORE_INDEX]);
      expect(feature.wordStarts).toEqual([-1, ...wordStarts, -1]);
    });
  });
});
