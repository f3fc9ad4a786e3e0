import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BertTokenizer as HfBertTokenizer } from '@huggingface/transformers';
import { bertTokenizerFromFiles, loadBertTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerFiles';
import { fixtureFolder, SAMPLE_TEXT } from './fixtureSpecs';

const scratch = mkdtempSync(path.join(tmpdir(), 'bert-lens-tokenizer-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, file), content, { flag: 'w', encoding: 'utf8' });
  }
  return dir;
}

function fixtureFile(kind: 'cased' | 'uncased', file: string): string {
  return readFileSync(path.join(fixtureFolder(kind), file), 'utf8');
}

function tokenizerJson(kind: 'cased' | 'uncased'): Record<string, unknown> {
  return JSON.parse(fixtureFile(kind, 'tokenizer.json')) as Record<string, unknown>;
}

const LINES = SAMPLE_TEXT.split('\n');

describe('loadBertTokenizer', () => {
  it('reads vocab.txt + tokenizer_config.json to the same tokenizer as tokenizer.json', async () => {
    for (const kind of ['cased', 'uncased'] as const) {
      const fromJson = await loadBertTokenizer(fixtureFolder(kind));
      const dir = folder(`vocab-${kind}`, {
        'vocab.txt': fixtureFile(kind, 'vocab.txt'),
        'tokenizer_config.json': fixtureFile(kind, 'tokenizer_config.json'),
        'special_tokens_map.json': fixtureFile(kind, 'special_tokens_map.json'),
      });
      const fromVocab = await loadBertTokenizer(dir);
      expect(fromVocab.vocabSize).toBe(fromJson.vocabSize);
      expect(fromVocab.modelMaxLength).toBe(128);
      for (const line of LINES) expect(fromVocab.encode(line), line).toEqual(fromJson.encode(line));
    }
  });

  it('treats a bare vocab.txt as uncased, like HF BertTokenizer', () => {
    const tokenizer = bertTokenizerFromFiles({ vocabTxt: '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n' });
    expect(tokenizer.tokenize('HELLO')).toEqual(['hello']);
    expect(tokenizer.modelMaxLength).toBe(Number.POSITIVE_INFINITY);
    expect(tokenizer.maskTokenId).toBe(4);
  });

  it('strips a CRLF line ending from vocab.txt tokens', () => {
    const tokenizer = bertTokenizerFromFiles({ vocabTxt: '[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n' });
    expect(tokenizer.tokenToId('hello')).toBe(4);
    expect(tokenizer.maskTokenId).toBeUndefined();
  });

  it('prefers tokenizer.json over vocab.txt', () => {
    const tokenizer = bertTokenizerFromFiles({
      tokenizerJson: fixtureFile('uncased', 'tokenizer.json'),
      vocabTxt: '[PAD]\n[UNK]\n[CLS]\n[SEP]\n',
    });
    expect(tokenizer.vocabSize).toBe(fixtureFile('uncased', 'vocab.txt').split('\n').length - 1);
  });

  it('reads special token names given as AddedToken objects and a huge model_max_length as unset', () => {
    const tokenizer = bertTokenizerFromFiles({
      vocabTxt: '<pad>\n<unk>\n<s>\n</s>\n<m>\nhi\n',
      tokenizerConfig: JSON.stringify({ model_max_length: 1e30, do_lower_case: false }),
      specialTokensMap: JSON.stringify({
        pad_token: '<pad>',
        unk_token: { content: '<unk>', lstrip: false },
        cls_token: '<s>',
        sep_token: '</s>',
        mask_token: { content: '<m>' },
      }),
    });
    expect(tokenizer.encode('hi <m> HI').tokens).toEqual(['<s>', 'hi', '<m>', '<unk>', '</s>']);
    expect(tokenizer.modelMaxLength).toBe(Number.POSITIVE_INFINITY);
    expect([tokenizer.padTokenId, tokenizer.unkTokenId, tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.maskTokenId]).toEqual([0, 1, 2, 3, 4]);
  });

  it('accepts a BertProcessing post-processor', () => {
    const json = tokenizerJson('uncased');
    const vocab = (json.model as { vocab: Record<string, number> }).vocab;
    json.post_processor = { type: 'BertProcessing', sep: ['[SEP]', vocab['[SEP]']], cls: ['[CLS]', vocab['[CLS]']] };
    const tokenizer = bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(json) });
    const reference = bertTokenizerFromFiles({ tokenizerJson: fixtureFile('uncased', 'tokenizer.json') });
    expect(tokenizer.encodePair(LINES[0]!, LINES[1]!)).toEqual(reference.encodePair(LINES[0]!, LINES[1]!));
  });

  it('lets an explicit do_lower_case in tokenizer_config.json override the normalizer (BertTokenizerFast)', () => {
    const tokenizer = bertTokenizerFromFiles({
      tokenizerJson: fixtureFile('uncased', 'tokenizer.json'),
      tokenizerConfig: JSON.stringify({ do_lower_case: false }),
    });
    expect(tokenizer.spec.normalizer?.lowercase).toBe(false);
    expect(tokenizer.tokenize('The')).not.toEqual(['the']);
  });

  it('names the folder when no tokenizer file exists', async () => {
    const dir = folder('empty', {});
    await expect(loadBertTokenizer(dir)).rejects.toThrow(`${dir}: no tokenizer found (expected tokenizer.json or vocab.txt)`);
  });

  it('reports corrupt JSON with file, line and column', () => {
    const broken = '{\n  "version": "1.0",\n  "model": {,\n}';
    expect(() => bertTokenizerFromFiles({ tokenizerJson: broken }, '/models/x')).toThrow(/\/models\/x\/tokenizer\.json:3:\d+: invalid JSON/);
    expect(() => bertTokenizerFromFiles({ vocabTxt: 'a\n', tokenizerConfig: '{oops' }, '/m')).toThrow(/\/m\/tokenizer_config\.json:1:\d+: invalid JSON/);
  });

  it('rejects tokenizers it cannot reproduce exactly, saying what and where', () => {
    const bpe = tokenizerJson('cased');
    (bpe.model as Record<string, unknown>).type = 'BPE';
    expect(() => bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(bpe) }, '/m')).toThrow('/m/tokenizer.json: model.type "BPE" is not supported (only WordPiece)');
    const metaspace = tokenizerJson('cased');
    metaspace.pre_tokenizer = { type: 'Metaspace' };
    expect(() => bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(metaspace) })).toThrow(/pre_tokenizer "Metaspace" is not supported/);
    const noUnk = tokenizerJson('cased');
    (noUnk.model as Record<string, unknown>).unk_token = '<nope>';
    expect(() => bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(noUnk) })).toThrow(/unk_token "<nope>" is not in model.vocab/);
    const badId = tokenizerJson('cased');
    (badId.model as { vocab: Record<string, unknown> }).vocab.the = 'x';
    expect(() => bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(badId) })).toThrow(/model.vocab\["the"\] must be a non-negative integer id/);
    expect(() => bertTokenizerFromFiles({ vocabTxt: 'a\nb\n' }, '/m')).toThrow('/m/vocab.txt: the unk token "[UNK]" is not in the vocabulary');
    expect(() => bertTokenizerFromFiles({ vocabTxt: '' }, '/m')).toThrow('/m/vocab.txt: empty vocabulary');
  });
});

describe('added tokens beyond the special ones', () => {
  // A tokenizer.json as `tokenizer.add_tokens([...])` leaves it: a normalized (non-special) token
  // matched after normalization, and a special one that swallows whitespace on both sides.
  const json = tokenizerJson('uncased');
  const size = Object.keys((json.model as { vocab: object }).vocab).length;
  json.added_tokens = [
    ...(json.added_tokens as object[]),
    { id: size, content: 'New York', single_word: false, lstrip: false, rstrip: false, normalized: true, special: false },
    { id: size + 1, content: '<ent>', single_word: false, lstrip: true, rstrip: true, normalized: false, special: true },
  ];
  const config = JSON.parse(fixtureFile('uncased', 'tokenizer_config.json')) as object;
  const ours = bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(json), tokenizerConfig: JSON.stringify(config) });
  const hf = new HfBertTokenizer(json, config);
  const texts = ['I love NEW YORK and new  york.', 'Café in New York <ent>  city', 'a<ent>b', 'x   <ent>   y New Yorker', 'NEW YORK'];

  it('encode like transformers.js', () => {
    for (const text of texts) expect(ours.encode(text).ids, text).toEqual(hf.encode(text));
  });

  it('have offsets over the original text, whitespace swallowed by lstrip/rstrip included', () => {
    const encoding = ours.encode('I love NEW YORK x   <ent>   y', { addSpecialTokens: false });
    const newYork = encoding.ids.indexOf(size);
    expect(encoding.offsets[newYork]).toEqual([7, 15]);
    const entity = encoding.ids.indexOf(size + 1);
    // Rust AddedVocabulary: the split runs from after "x" to before "y".
    expect(encoding.offsets[entity]).toEqual([17, 28]);
    expect(ours.vocabSize).toBe(size + 2);
    expect(ours.isSpecialId(size + 1)).toBe(true);
    expect(ours.isSpecialId(size)).toBe(false);
  });

  it('honour single_word (transformers.js ignores it; Rust discards matches glued to a word)', () => {
    const single = tokenizerJson('cased');
    const n = Object.keys((single.model as { vocab: object }).vocab).length;
    single.added_tokens = [...(single.added_tokens as object[]), { id: n, content: 'ok', single_word: true, lstrip: false, rstrip: false, normalized: false, special: false }];
    const tokenizer = bertTokenizerFromFiles({ tokenizerJson: JSON.stringify(single) });
    const ids = tokenizer.encode('ok look ok.', { addSpecialTokens: false }).ids;
    expect(ids.filter((id) => id === n).length).toBe(2);
    expect(ids[0]).toBe(n);
  });
});
