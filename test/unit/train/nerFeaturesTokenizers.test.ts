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
        // Byte-level BPE: run_ner's add_prefix_space=True puts a space before every word, the first too.
        const piece = type === 'BPE' ? ` ${word}` : word;
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

describe.each([
  ['bert-cased'],
  ['roberta-bpe'],
  ['xlmr-unigram'],
])('the first word of a training sentence with the %s tokenizer', (fixture) => {
  it('has the ids inference gives it in running text (after a previous sentence), as run_ner tokenizes it', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir });
    for (const words of SENTENCES) {
      const { features } = nerFeatures([{ tokens: words, tags: tagsOf(words) }], tokenizer, label2id, { maxSeqLength: 512 });
      const feature = features[0]!;
      const firstWordIds = feature.inputIds.slice(1, feature.wordStarts!.findIndex((start, k) => k > 1 && start >= 0));
      // The pipeline on running text: the sentence after another one and a space; its tokens from the
      // space (a lone "Ġ" / "▁" ends there) to the end of the first word.
      const before = 'It rained. ';
      const running = tokenizer.encode(`${before}${words.join(' ')}`, { addSpecialTokens: false });
      const end = before.length + words[0]!.length;
      const inference = running.ids.filter((_, k) => running.offsets[k]![1] >= before.length && running.offsets[k]![1] <= end);
      expect(firstWordIds, words[0]).toEqual(inference);
    }
  });
});
