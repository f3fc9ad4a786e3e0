import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../../src/core/bert/config';
import type { LoadedModel } from '../../../../src/core/runtime/loadModel';
import { loadTokenizer } from '../../../../src/core/runtime/tokenizer/loadTokenizer';
import { modelInputLimit } from '../../../../src/core/tasks/pipelines';
import { promptStartFor } from '../../../../src/worker/jobs/generate';

// Where a long prompt is cut for generation: at the start of a word for every tokenizer type, never
// inside one (byte-level BPE and SentencePiece have no "##" to mark a word's later pieces).
const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-prompt-start-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const config = parseBertConfig(JSON.parse(readFileSync(path.join(FIXTURES, 'family', 'roberta-hub-masked-lm', 'config.json'), 'utf8')));
// Words of several pieces each, so that a cut by token count alone lands inside a word.
const WORDS = ['harbourmaster', 'lovelace', 'unbelievably', 'quixotic', 'the', 'Analytical', 'Engine', 'notebooks', 'zeitgeist', 'a'];

describe.each([
  ['bert-cased', 'WordPiece'],
  ['roberta-bpe', 'BPE'],
  ['xlmr-unigram', 'Unigram'],
])('promptStartFor with the %s tokenizer', (fixture, type) => {
  it('keeps the end of a long prompt from the start of a word', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, 'tokenizer', fixture), { cacheDir });
    expect(tokenizer.modelType).toBe(type);
    const model = { tokenizer, config } as unknown as LoadedModel;
    const limit = modelInputLimit(model);
    let cutInsideWords = 0;
    for (let shift = 0; shift < 12; shift++) {
      const prompt = Array.from({ length: 40 + shift }, (_, i) => WORDS[(i * 7 + shift) % WORDS.length]).join(' ');
      const start = promptStartFor(model, prompt, 10);
      expect(start).toBeGreaterThan(0);
      // A word starts at `start`, or at `start` + 1 for a piece that begins with the space before it ("▁", "Ġ").
      const at = prompt[start] === ' ' ? start + 1 : start;
      expect(prompt[at - 1], `${type} shift ${shift}: cut at ${JSON.stringify(prompt.slice(at - 5, at + 5))}`).toBe(' ');
      const kept = tokenizer.encode(prompt.slice(start), { addSpecialTokens: false }).ids.length;
      expect(kept + 1 + 10).toBeLessThanOrEqual(limit);
      // The cut by count alone (the end of the prompt that just fits) would have split a word here.
      const { offsets } = tokenizer.encodeIdsWithOffsets(prompt, { addSpecialTokens: false });
      const naive = offsets[2 * (offsets.length / 2 - (limit - 1 - Math.min(10, Math.floor((limit - 1) / 2))))]!;
      const naiveAt = prompt[naive] === ' ' ? naive + 1 : naive;
      if (prompt[naiveAt - 1] !== ' ') cutInsideWords++;
    }
    expect(cutInsideWords).toBeGreaterThan(0);
  });
});
