import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';

// A slow tokenizer's save_pretrained (BertTokenizer, RobertaTokenizer, XLMRobertaTokenizer) keeps the tokens added
// to it in added_tokens.json ({"token": id}); transformers reads them back as added tokens, special
// when they are among the special tokens (additional_special_tokens), else normalized plain tokens.
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'tokenizer');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-added-tokens-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each([
  ['bert-cased', 'WordPiece'],
  ['roberta-bpe', 'BPE'],
  ['xlmr-unigram', 'Unigram'],
])('added_tokens.json beside the %s files', (fixture, type) => {
  it('adds its tokens, special where the special tokens name them', async () => {
    const base = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir: path.join(scratch, 'cache') });
    const dir = path.join(scratch, fixture);
    cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
    // A slow tokenizer's folder: no tokenizer.json (BERT's vocab.txt, RoBERTa's vocab.json + merges.txt, XLM-R's .model).
    rmSync(path.join(dir, 'tokenizer.json'), { force: true });
    const entity = base.vocabSize;
    const word = base.vocabSize + 1;
    writeFileSync(path.join(dir, 'added_tokens.json'), JSON.stringify({ '<ent>': entity, zzqword: word }));
    writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ additional_special_tokens: ['<ent>'] }));
    const tokenizer = await loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') });
    expect(tokenizer.modelType).toBe(type);
    expect(tokenizer.vocabSize).toBe(base.vocabSize + 2);
    expect(tokenizer.tokenToId('<ent>')).toBe(entity);
    expect(tokenizer.tokenToId('zzqword')).toBe(word);
    expect(tokenizer.isSpecialId(entity)).toBe(true);
    expect(tokenizer.isSpecialId(word)).toBe(false);

    const text = 'Paris <ent> is a zzqword city';
    const encoding = tokenizer.encode(text, { addSpecialTokens: false });
    expect(base.encode(text, { addSpecialTokens: false }).ids).not.toContain(entity);
    const at = (id: number) => encoding.offsets[encoding.ids.indexOf(id)]!;
    expect(text.slice(...at(entity))).toBe('<ent>');
    expect(text.slice(...at(word))).toBe('zzqword');
    // Special tokens go when decoding skips them; the plain added token stays.
    const decoded = tokenizer.decode(encoding.ids, { skipSpecialTokens: true });
    expect(decoded).not.toContain('<ent>');
    expect(decoded).toContain('zzqword');
  });

  it('names the file when an entry is not a token id', async () => {
    const dir = path.join(scratch, `${fixture}-bad`);
    cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
    rmSync(path.join(dir, 'tokenizer.json'), { force: true });
    writeFileSync(path.join(dir, 'added_tokens.json'), JSON.stringify({ '<ent>': 'one' }));
    await expect(loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') })).rejects.toThrow(/added_tokens\.json: "<ent>" must map to a non-negative integer id/);
  });
});
