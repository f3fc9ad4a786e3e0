import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectModelFolder } from '../../../src/core/runtime/modelFolder';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { byteLevelBpeTokenizerJson } from '../../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { LibraryTokenizer } from '../../../src/core/runtime/tokenizer/library/libraryTokenizer';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { PIECE_TYPE, readSentencePieceModel, writeSentencePieceModel } from '../../../src/core/runtime/tokenizer/sentencepiece/sentencepieceModel';
import { spmTokenizerJson } from '../../../src/core/runtime/tokenizer/sentencepiece/spmConverter';
import type { Tokenizer } from '../../../src/core/runtime/tokenizer/tokenizer';
import { varietyCorpus } from './corpus';
import { byteOfChar, checkOffsetInvariants, mulberry32, trimmedOffsetInvariants, utf16Offsets } from './helpers';

const FIXTURES = path.join(__dirname, '../../fixtures/tokenizer');
const BPE_DIR = path.join(FIXTURES, 'roberta-bpe');
const SPM_DIR = path.join(FIXTURES, 'xlmr-unigram');
const CORPUS = varietyCorpus(7, 2_400);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-tok-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** The tokenizer.json our conversion writes for a fixture, to hand to the references. */
function convertedJson(kind: 'bpe' | 'spm'): Record<string, unknown> {
  if (kind === 'bpe') {
    return byteLevelBpeTokenizerJson(readFileSync(path.join(BPE_DIR, 'vocab.json'), 'utf8'), readFileSync(path.join(BPE_DIR, 'merges.txt'), 'utf8'), readJson(path.join(BPE_DIR, 'tokenizer_config.json')), {}, {
      vocab: 'vocab.json',
      merges: 'merges.txt',
    });
  }
  const model = readSentencePieceModel(readFileSync(path.join(SPM_DIR, 'sentencepiece.bpe.model')), 'sentencepiece.bpe.model');
  return spmTokenizerJson(model, 'xlm-roberta', readJson(path.join(SPM_DIR, 'tokenizer_config.json')), {}, 'sentencepiece.bpe.model');
}

/** transformers.js AutoTokenizer over a folder holding the converted tokenizer.json and the fixture's config. */
async function transformersJs(kind: 'bpe' | 'spm'): Promise<(text: string) => number[]> {
  const name = `hf-${kind}`;
  const dir = path.join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(convertedJson(kind)));
  writeFileSync(path.join(dir, 'tokenizer_config.json'), readFileSync(path.join(kind === 'bpe' ? BPE_DIR : SPM_DIR, 'tokenizer_config.json')));
  const saved = { local: env.localModelPath, remote: env.allowRemoteModels };
  env.localModelPath = `${scratch}/`;
  env.allowRemoteModels = false;
  try {
    const hf = await AutoTokenizer.from_pretrained(name);
    return (text) => hf.encode(text) as number[];
  } finally {
    env.localModelPath = saved.local;
    env.allowRemoteModels = saved.remote;
  }
}

const loaded = new Map<string, Promise<Tokenizer>>();
const ours = (dir: string): Promise<Tokenizer> => {
  if (!loaded.has(dir)) loaded.set(dir, loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') }));
  return loaded.get(dir)!;
};

describe('the corpus', () => {
  it('has at least 2,000 strings of every kind, and is the same on every run', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(2_000);
    expect(varietyCorpus(7, 2_400)).toEqual(CORPUS);
    for (const probe of [/[\u4e00-\u9fff]/, /\u200d/, /[\u0300-\u036f]/, /[\u0600-\u06ff]/, /[\u0900-\u097f]/, /[\u0e00-\u0e7f]/, /\r\n/, /\t/, / {2,}/, /https?:\/\//, /[{};]/, /\b[A-Z]{4,}\b/]) {
      expect(CORPUS.filter((text) => probe.test(text)).length, String(probe)).toBeGreaterThan(20);
    }
  });
});

describe.each([
  ['byte-level BPE from vocab.json + merges.txt', 'bpe' as const, BPE_DIR],
  ['SentencePiece Unigram from sentencepiece.bpe.model (XLM-R layout)', 'spm' as const, SPM_DIR],
])('%s', (_title, kind, dir) => {
  it('gives the ids of transformers.js AutoTokenizer on every corpus string, and the tokens of those ids', async () => {
    const tokenizer = await ours(dir);
    const reference = await transformersJs(kind);
    const mismatches: string[] = [];
    for (const text of CORPUS) {
      const encoding = tokenizer.encode(text);
      const expected = reference(text);
      if (JSON.stringify(encoding.ids) !== JSON.stringify(expected)) mismatches.push(JSON.stringify(text));
      expect(encoding.tokens).toEqual(encoding.ids.map((id) => tokenizer.idToToken(id)));
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  }, 120_000);

  it('gives the Rust library’s own ids, offsets (in UTF-16) and word ids, and offsets that slice the token’s text', async () => {
    const tokenizer = await ours(dir);
    const rust = RustTokenizer.fromString(JSON.stringify(convertedJson(kind)));
    for (const text of CORPUS.slice(0, 600)) {
      const encoding = tokenizer.encode(text);
      const expected = await rust.encode(text);
      expect(encoding.ids).toEqual(expected.getIds());
      expect(encoding.offsets).toEqual(utf16Offsets(text, expected.getOffsets()));
      expect(encoding.wordIds).toEqual(expected.getWordIds().map((w) => w ?? null));
      if (kind === 'spm') expect(checkOffsetInvariants(text, encoding)).toBeNull();
      else expect(trimmedOffsetInvariants(text, encoding)).toBeNull();
      encoding.tokens.forEach((token, k) => {
        if (encoding.specialTokensMask[k] || encoding.ids[k] === tokenizer.unkTokenId) return;
        const slice = text.slice(...encoding.offsets[k]!);
        if (kind === 'bpe') {
          // The token's bytes lie inside the UTF-8 of its span (a byte of an emoji spans the whole emoji).
          const tokenBytes = Buffer.from([...token].map((c) => byteOfChar.get(c)!)).toString('latin1').replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
          expect(Buffer.from(slice, 'utf8').toString('latin1')).toContain(tokenBytes);
        } else {
          expect(slice.replace(/ /g, '▁')).toContain(token.replace(/^▁/, ''));
        }
      });
    }
  }, 120_000);

  it('encodes a long document (cut into pieces for the library’s thread pool) exactly as the whole text', async () => {
    const tokenizer = await ours(dir);
    const rust = RustTokenizer.fromString(JSON.stringify(convertedJson(kind)));
    const text = CORPUS.join(' Lorem ipsum ');
    expect(text.length).toBeGreaterThan(50_000);
    const encoding = tokenizer.encode(text, { addSpecialTokens: false });
    const expected = await rust.encode(text, null, { addSpecialTokens: false });
    expect(encoding.ids).toEqual(expected.getIds());
    expect(encoding.offsets).toEqual(utf16Offsets(text, expected.getOffsets()));
    expect(encoding.wordIds).toEqual(expected.getWordIds().map((w) => w ?? null));
  }, 60_000);

  it('puts pairs in the RoBERTa format <s> A </s></s> B </s>, every type id 0, B offsets into B', async () => {
    const tokenizer = await ours(dir);
    const a = tokenizer.encode('Who?', { addSpecialTokens: false });
    const b = tokenizer.encode('Paris, 1900.', { addSpecialTokens: false });
    const pair = tokenizer.encodePair('Who?', 'Paris, 1900.');
    const cls = tokenizer.tokenToId('<s>')!;
    const sep = tokenizer.tokenToId('</s>')!;
    expect(pair.ids).toEqual([cls, ...a.ids, sep, sep, ...b.ids, sep]);
    expect(pair.typeIds.every((t) => t === 0)).toBe(true);
    expect(pair.sequenceIds).toEqual([null, ...a.ids.map(() => 0), null, null, ...b.ids.map(() => 1), null]);
    expect(pair.offsets.slice(a.ids.length + 3, -1)).toEqual(b.offsets);
    expect(tokenizer.numSpecialTokensToAdd(true)).toBe(4);
    expect(tokenizer.modelMaxLength).toBe(512);
  });

  it('reports the whole character for every piece of an emoji, CRLF and combining marks exactly', async () => {
    const tokenizer = await ours(dir);
    const text = 'a 👩‍👩‍👧‍👦 e\u0301\r\nb';
    const encoding = tokenizer.encode(text, { addSpecialTokens: false });
    for (const [start, end] of encoding.offsets) {
      // No span starts or ends between the two halves of a surrogate pair.
      for (const edge of [start, end]) expect(/[\udc00-\udfff]/.test(text.charAt(edge)) && /[\ud800-\udbff]/.test(text.charAt(edge - 1))).toBe(false);
    }
    const covered = encoding.offsets.map(([s, e]) => text.slice(s, e)).join('');
    expect(covered.replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  it('windows and pair windows keep HF’s overflow semantics for this type', async () => {
    const tokenizer = await ours(dir);
    const text = CORPUS.slice(0, 40).join(' ');
    const all = tokenizer.encode(text, { addSpecialTokens: false });
    const windows = tokenizer.windows(text, { maxLength: 32, stride: 8 });
    expect(windows.length).toBeGreaterThan(2);
    for (const window of windows) {
      expect(window.ids.length).toBeLessThanOrEqual(32);
      expect(window.ids[0]).toBe(tokenizer.clsTokenId);
      expect(window.ids[window.ids.length - 1]).toBe(tokenizer.sepTokenId);
    }
    expect(windows.flatMap((w, i) => w.ids.slice(1, -1).slice(i === 0 ? 0 : 8))).toEqual(all.ids);
  });
});

describe('decisions and configuration', () => {
  it('WordPiece: the hand-written tokenizer equals the Rust library on the whole corpus (ids, offsets, words), so it stays', async () => {
    const dir = path.join(FIXTURES, 'bert-cased');
    const handWritten = await loadTokenizer(dir);
    expect(handWritten).toBeInstanceOf(BertTokenizer);
    const json = readFileSync(path.join(dir, 'tokenizer.json'), 'utf8');
    const library = new LibraryTokenizer(json, readJson(path.join(dir, 'tokenizer_config.json')), {}, 'tokenizer.json');
    for (const text of CORPUS) {
      const a = handWritten.encode(text);
      const b = library.encode(text);
      expect(a.ids).toEqual(b.ids);
      expect(a.offsets).toEqual(b.offsets);
      expect(a.wordIds).toEqual(b.wordIds);
    }
  }, 120_000);

  it('XLM-R layout: <s> <pad> </s> <unk> first, the model’s pieces shifted by one (fairseq), <mask> last', async () => {
    const tokenizer = await ours(SPM_DIR);
    const model = readSentencePieceModel(readFileSync(path.join(SPM_DIR, 'sentencepiece.bpe.model')), 'm');
    expect([0, 1, 2, 3].map((id) => tokenizer.idToToken(id))).toEqual(['<s>', '<pad>', '</s>', '<unk>']);
    for (const k of [3, 10, model.pieces.length - 1]) expect(tokenizer.tokenToId(model.pieces[k]!.piece)).toBe(k + 1);
    expect(tokenizer.maskTokenId).toBe(model.pieces.length + 1);
    expect(tokenizer.idToToken(tokenizer.maskTokenId!)).toBe('<mask>');
    expect(tokenizer.unkTokenId).toBe(3);
    expect(tokenizer.padTokenId).toBe(1);
    // "<mask>" written in the text is the mask token, with the space before it (lstrip, as XLM-R).
    const encoding = tokenizer.encode('Paris is the <mask> of France.');
    expect(encoding.ids).toContain(tokenizer.maskTokenId);
  });

  it.each(['deberta-v2', 'albert'] as const)('%s layout: [CLS] A [SEP] B [SEP] with type ids 1 for B; do_lower_case lowercases', async (flavor) => {
    const model = readSentencePieceModel(readFileSync(path.join(SPM_DIR, 'sentencepiece.bpe.model')), 'm');
    const pieces = [...model.pieces, ...['[CLS]', '[SEP]', '[MASK]', '[PAD]'].map((piece) => ({ piece, score: 0, type: PIECE_TYPE.control }))];
    const dir = path.join(scratch, `spm-${flavor}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'spm.model'), writeSentencePieceModel({ pieces, modelType: 1, unkId: 0 }));
    const className = flavor === 'albert' ? 'AlbertTokenizer' : 'DebertaV2Tokenizer';
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: className, do_lower_case: true }));
    const tokenizer = await loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') });
    const pair = tokenizer.encodePair('Hello', 'world');
    const cls = tokenizer.tokenToId('[CLS]');
    const sep = tokenizer.tokenToId('[SEP]');
    expect(cls).toBeDefined();
    expect([pair.ids[0], pair.ids[pair.ids.length - 1]]).toEqual([cls, sep]);
    expect(pair.ids.filter((id) => id === sep)).toHaveLength(2);
    const firstB = pair.sequenceIds.indexOf(1);
    expect(pair.typeIds.slice(firstB)).toEqual(pair.typeIds.slice(firstB).map(() => 1));
    expect(pair.typeIds.slice(0, firstB).every((t) => t === 0)).toBe(true);
    expect(tokenizer.encode('HELLO World').ids).toEqual(tokenizer.encode('hello world').ids);
    expect(tokenizer.maskTokenId).toBe(tokenizer.tokenToId('[MASK]'));
  });

  it('caches the converted SentencePiece tokenizer.json and reads it back', async () => {
    const cacheDir = path.join(scratch, 'cache-probe');
    const first = await loadTokenizer(SPM_DIR, { cacheDir });
    const files = readdirSync(path.join(cacheDir, 'tokenizers'));
    expect(files).toHaveLength(1);
    const second = await loadTokenizer(SPM_DIR, { cacheDir });
    expect(second.encode(CORPUS[3]!).ids).toEqual(first.encode(CORPUS[3]!).ids);
    expect(readdirSync(path.join(cacheDir, 'tokenizers'))).toEqual(files);
  });

  it('honours add_prefix_space, model_max_length and the special tokens of tokenizer_config.json', async () => {
    const dir = path.join(scratch, 'bpe-prefix');
    mkdirSync(dir, { recursive: true });
    for (const name of ['vocab.json', 'merges.txt']) writeFileSync(path.join(dir, name), readFileSync(path.join(BPE_DIR, name)));
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'RobertaTokenizer', add_prefix_space: true, model_max_length: 128 }));
    const withPrefix = await loadTokenizer(dir);
    const without = await ours(BPE_DIR);
    expect(withPrefix.tokenize('Hello')[0]!.startsWith('Ġ')).toBe(true);
    expect(without.tokenize('Hello')[0]!.startsWith('Ġ')).toBe(false);
    expect(withPrefix.modelMaxLength).toBe(128);
    expect(withPrefix.continuingSubwordPrefix).toBeNull();
    expect(withPrefix.decode(withPrefix.encode('Hello world').ids, { skipSpecialTokens: true })).toBe(' Hello world');
  });
});

describe('model folders laid out like the hub checkpoints', () => {
  it.each([
    ['vocab.json + merges.txt (roberta-large-ner-english, roberta-base-squad2)', BPE_DIR, ['vocab.json', 'merges.txt', 'tokenizer_config.json'], 'BPE'],
    ['sentencepiece.bpe.model (xlm-roberta-base-ner-hrl)', SPM_DIR, ['sentencepiece.bpe.model', 'tokenizer_config.json'], 'Unigram'],
  ])('%s: the folder is accepted and its tokenizer loads', async (_title, source, names, type) => {
    const dir = path.join(scratch, `folder-${type}`);
    mkdirSync(dir, { recursive: true });
    for (const name of names) writeFileSync(path.join(dir, name), readFileSync(path.join(source, name)));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertForTokenClassification'], vocab_size: 3000, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 8, max_position_embeddings: 64, id2label: { 0: 'O' } }));
    const folder = await inspectModelFolder(dir, { requireWeights: false });
    expect(type === 'BPE' ? folder.files.merges : folder.files.sentencePiece).toBeDefined();
    const tokenizer = await loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') });
    expect(tokenizer.modelType).toBe(type);
    expect(tokenizer.encode('Hello world').ids.length).toBeGreaterThan(2);
  });
});

describe('bad input', () => {
  it('a corrupt .model is refused with a message naming the file', async () => {
    const dir = path.join(scratch, 'corrupt-spm');
    mkdirSync(dir, { recursive: true });
    const bytes = readFileSync(path.join(SPM_DIR, 'sentencepiece.bpe.model'));
    writeFileSync(path.join(dir, 'sentencepiece.bpe.model'), bytes.subarray(0, 1000));
    await expect(loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') })).rejects.toThrow(/sentencepiece\.bpe\.model: not a SentencePiece model/);
    writeFileSync(path.join(dir, 'sentencepiece.bpe.model'), 'this is text, not a protobuf');
    await expect(loadTokenizer(dir, { cacheDir: path.join(scratch, 'cache') })).rejects.toThrow(/sentencepiece\.bpe\.model/);
  });

  it('merges naming unknown tokens are refused with the file, the line and the token', async () => {
    const dir = path.join(scratch, 'bad-merges');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'vocab.json'), readFileSync(path.join(BPE_DIR, 'vocab.json')));
    writeFileSync(path.join(dir, 'merges.txt'), '#version: 0.2\nĠ t\nzzq Ġqqq\n');
    await expect(loadTokenizer(dir)).rejects.toThrow(/merges\.txt:3: the merge "zzq Ġqqq" names "zzq", which is not in .*vocab\.json/);
    writeFileSync(path.join(dir, 'merges.txt'), '#version: 0.2\nonly-one-token\n');
    await expect(loadTokenizer(dir)).rejects.toThrow(/merges\.txt:2: a merge is two tokens/);
    rmSync(path.join(dir, 'merges.txt'));
    await expect(loadTokenizer(dir)).rejects.toThrow(/merges\.txt is missing/);
  });

  it('a tokenizer.json whose merges name unknown tokens is refused by the library, with the file named', () => {
    const json = convertedJson('bpe');
    (json.model as { merges: string[] }).merges.push('zzq Ġqqq');
    expect(() => new LibraryTokenizer(JSON.stringify(json), {}, {}, '/models/x/tokenizer.json')).toThrow(/^\/models\/x\/tokenizer\.json: the tokenizers library refused it \(.*zzq/);
  });

  it('fuzz: the protobuf reader returns a model or throws an Error naming the file, on any mutation (seeded)', () => {
    const original = readFileSync(path.join(SPM_DIR, 'sentencepiece.bpe.model'));
    const rng = mulberry32(17);
    let refused = 0;
    for (let round = 0; round < 400; round++) {
      let bytes = Buffer.from(original);
      const kind = round % 4;
      if (kind === 0) bytes = bytes.subarray(0, Math.floor(rng() * bytes.length));
      else if (kind === 1) for (let k = 0; k < 1 + Math.floor(rng() * 8); k++) bytes[Math.floor(rng() * bytes.length)] = Math.floor(rng() * 256);
      else if (kind === 2) bytes = Buffer.from(Array.from({ length: Math.floor(rng() * 300) }, () => Math.floor(rng() * 256)));
      else bytes = Buffer.concat([bytes.subarray(0, Math.floor(rng() * 64)), Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), bytes.subarray(64)]);
      try {
        const model = readSentencePieceModel(bytes, 'fuzz.model');
        expect(model.pieces.length).toBeGreaterThan(0);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).message).toMatch(/^fuzz\.model: /);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});
