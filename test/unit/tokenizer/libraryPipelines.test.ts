import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { windowCuts } from '../../../src/core/tasks/tokenClassification/cutWords';
import { postprocessTokenClassification } from '../../../src/core/tasks/tokenClassification/postprocess';

const FIXTURES = path.join(__dirname, '../../fixtures/tokenizer');
const CACHE = path.join(os.tmpdir(), 'bert-lens-test-tokenizer-cache');

describe.each(['roberta-bpe', 'xlmr-unigram'])('the NER pipeline’s word handling with %s', (name) => {
  it('groups a word split into several pieces into one entity, with the text’s own word (HF is_subword heuristic)', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, name), { cacheDir: CACHE });
    const text = 'Visit Ouagadougou and Łódź 👍🏽 now';
    const encoding = tokenizer.encode(text);
    const labels = ['O', 'B-LOC', 'I-LOC'];
    // Every piece of "Ouagadougou" and "Łódź" gets B-LOC on its first piece and I-LOC after, others O.
    const locWords = new Set([1, 3]);
    const logits = new Float32Array(encoding.ids.length * 3);
    let previousWord: number | null = null;
    encoding.wordIds.forEach((word, t) => {
      const label = word !== null && locWords.has(word) ? (word === previousWord ? 2 : 1) : 0;
      logits[t * 3 + label] = 5;
      previousWord = word;
    });
    expect(encoding.ids.length).toBeGreaterThan(text.split(' ').length + 2);
    for (const strategy of ['first', 'average', 'max', 'simple'] as const) {
      const entities = postprocessTokenClassification([{ encoding, logits }], {
        text,
        id2label: labels,
        tokenizer: { convertTokensToString: (t) => tokenizer.convertTokensToString(t), unkTokenId: tokenizer.unkTokenId, continuingSubwordPrefix: tokenizer.continuingSubwordPrefix },
        aggregationStrategy: strategy,
      });
      // A Metaspace piece "▁Oua" covers the space it replaced, so SentencePiece spans start at that
      // space (Rust's offsets, which the corpus test checks ours against); byte-level BPE trims it.
      expect(entities.map((e) => text.slice(e.start, e.end).trim()), strategy).toEqual(['Ouagadougou', 'Łódź']);
      expect(entities.map((e) => text.slice(e.end - 1, e.end)), strategy).toEqual(['u', 'ź']);
      expect(entities.map((e) => e.word.trim()), strategy).toEqual(['Ouagadougou', 'Łódź']);
    }
  });

  it('finds the words that window borders cut from the encoding’s word ids', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, name), { cacheDir: CACHE });
    const text = 'Ouagadougou Łódź Müller-Lüdenscheidt crème brûlée Ångström '.repeat(6);
    const whole = tokenizer.encode(text, { addSpecialTokens: false });
    const stride = 4;
    const windows = tokenizer.windows(text, { maxLength: 14, stride });
    const cuts = windowCuts(windows, stride);
    let start = 0;
    windows.forEach((window, w) => {
      const size = window.ids.length - 2;
      const firstCut = w > 0 && whole.wordIds[start - 1] === whole.wordIds[start];
      const end = start + size;
      const lastCut = w + 1 < windows.length && whole.wordIds[end] === whole.wordIds[end - 1];
      expect(cuts[w]!.leading !== undefined, `window ${w} leading`).toBe(firstCut);
      expect(cuts[w]!.trailing !== undefined, `window ${w} trailing`).toBe(lastCut);
      start = end - stride;
    });
    expect(cuts.some((c) => c.leading !== undefined)).toBe(true);
  });
});
