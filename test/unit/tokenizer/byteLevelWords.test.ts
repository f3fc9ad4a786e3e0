// The byte-level word memo (src/core/runtime/tokenizer/library/byteLevelWords.ts) against the Rust
// library itself: HF's tokenizers encoding each whole text in one call is the reference, for ids,
// UTF-16 offsets (trimmed as its post-processor trims them) and word ids, on the variety corpus and
// on texts made to hit the edge cases, under every setting of add_prefix_space and trim_offsets.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Tokenizer as RustTokenizer, byteLevelPreTokenizer } from 'tokenizers';
import { describe, expect, it } from 'vitest';
import { byteLevelBpeTokenizerJson } from '../../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { LIBRARY_LETTERS, LIBRARY_NUMBERS, LIBRARY_SPACES } from '../../../src/core/runtime/tokenizer/library/byteLevelClasses';
import { ByteLevelWords, byteLevelWordsPlan } from '../../../src/core/runtime/tokenizer/library/byteLevelWords';
import { LibraryTokenizer } from '../../../src/core/runtime/tokenizer/library/libraryTokenizer';
import { SyncEncoder } from '../../../src/core/runtime/tokenizer/library/syncEncoder';
import { varietyCorpus } from './corpus';
import { utf16Offsets } from './helpers';

const BPE_DIR = path.join(__dirname, '../../fixtures/tokenizer/roberta-bpe');
const CORPUS = varietyCorpus(11, 2_000);

function robertaJson(): Record<string, unknown> {
  const config = JSON.parse(readFileSync(path.join(BPE_DIR, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  return byteLevelBpeTokenizerJson(readFileSync(path.join(BPE_DIR, 'vocab.json'), 'utf8'), readFileSync(path.join(BPE_DIR, 'merges.txt'), 'utf8'), config, {}, {
    vocab: 'vocab.json',
    merges: 'merges.txt',
  });
}

type Variant = { name: string; edit: (root: Record<string, unknown>) => void };
const prePart = (root: Record<string, unknown>): Record<string, unknown> => root.pre_tokenizer as Record<string, unknown>;
const postPart = (root: Record<string, unknown>): Record<string, unknown> => root.post_processor as Record<string, unknown>;
const VARIANTS: Variant[] = [
  { name: 'RoBERTa as converted (no prefix space, trimmed offsets)', edit: () => undefined },
  {
    name: 'add_prefix_space on both (RoBERTa for NER)',
    edit: (root) => {
      prePart(root).add_prefix_space = true;
      postPart(root).add_prefix_space = true;
    },
  },
  { name: 'prefix space in the pre-tokenizer only (the library then trims the added space)', edit: (root) => void (prePart(root).add_prefix_space = true) },
  { name: 'trim_offsets false', edit: (root) => void (postPart(root).trim_offsets = false) },
  { name: 'GPT-2 shape: ByteLevel post-processor', edit: (root) => void (root.post_processor = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true }) },
  { name: 'no post-processor', edit: (root) => void (root.post_processor = null) },
];

/** Texts where the memo could go wrong: starts, spaces, contractions, astral and lone surrogates, added tokens. */
const EDGE_TEXTS = [
  '',
  ' ',
  '   ',
  'a',
  ' a',
  '  leading two',
  'trailing  ',
  "don't you'll we'd I'M they've",
  "'s alone",
  '😀 first is astral',
  '😀',
  '\ud800 lone high, lone low \udc00 end',
  'tabs\tand\nnew\r\nlines \u0085 NEL \ufeff BOM \u00a0 nbsp',
  'numbers 1234567 ١٢٣ ²³',
  'a <mask> in the text',
  '<s>starts with a special token</s>',
  'U+088F \u088f, U+0C5C \u0c5c and U+A7CE \ua7ce',
  'word '.repeat(3_000) + 'end',
];

function reference(json: string): (text: string) => Promise<{ ids: number[]; offsets: Array<[number, number]>; words: Array<number | null> }> {
  const rust = RustTokenizer.fromString(json);
  return async (text) => {
    const encoding = await rust.encode(text, null, { addSpecialTokens: false });
    return { ids: encoding.getIds(), offsets: utf16Offsets(text, encoding.getOffsets()), words: encoding.getWordIds().map((w) => (w === undefined ? null : w)) };
  };
}

describe.each(VARIANTS)('the byte-level word memo, $name', ({ edit }) => {
  const root = robertaJson();
  edit(root);
  const json = JSON.stringify(root);

  it('is used for this tokenizer.json', () => {
    expect(byteLevelWordsPlan(root)).not.toBeNull();
  });

  it('gives the library’s ids, offsets and word ids on the corpus and the edge cases, cold and warm', async () => {
    const ours = new LibraryTokenizer(json, {}, {}, 'tokenizer.json');
    const library = reference(json);
    let compared = 0;
    for (const round of ['cold', 'warm']) {
      for (const text of [...EDGE_TEXTS, ...CORPUS]) {
        const expected = await library(text);
        const got = ours.encode(text, { addSpecialTokens: false });
        const where = `${round}: ${JSON.stringify(text.slice(0, 80))}`;
        expect(got.ids, where).toEqual(expected.ids);
        expect(got.offsets, where).toEqual(expected.offsets);
        expect(got.wordIds, where).toEqual(expected.words);
        compared++;
      }
    }
    expect(compared).toBe(2 * (EDGE_TEXTS.length + CORPUS.length));
  });

  it('gives the library’s encoding of the whole corpus as one long document', async () => {
    const text = CORPUS.join(' ');
    expect(text.length).toBeGreaterThan(50_000);
    const expected = await reference(json)(text);
    for (const memo of [true, false]) {
      const got = new LibraryTokenizer(json, {}, {}, 'tokenizer.json', { byteLevelWordMemo: memo }).encode(text, { addSpecialTokens: false });
      expect(got.ids, `memo ${memo}`).toEqual(expected.ids);
      expect(got.offsets, `memo ${memo}`).toEqual(expected.offsets);
      expect(got.wordIds, `memo ${memo}`).toEqual(expected.words);
    }
  });
});

describe('the byte-level word memo is left out', () => {
  const cases: Array<[string, (root: Record<string, unknown>) => void]> = [
    ['with a normalizer', (root) => void (root.normalizer = { type: 'NFC' })],
    ['with a Sequence pre-tokenizer', (root) => void (root.pre_tokenizer = { type: 'Sequence', pretokenizers: [root.pre_tokenizer] })],
    ['without the regex', (root) => void (prePart(root).use_regex = false)],
    ['with BPE dropout', (root) => void ((root.model as Record<string, unknown>).dropout = 0.1)],
    ['with a Sequence post-processor', (root) => void (root.post_processor = { type: 'Sequence', processors: [root.post_processor] })],
  ];
  it.each(cases)('%s', (_name, edit) => {
    const root = robertaJson();
    edit(root);
    expect(byteLevelWordsPlan(root)).toBeNull();
  });
});

describe('the character classes of byteLevelClasses.ts', () => {
  const probe = byteLevelPreTokenizer(false, true);
  const pieces = (text: string): number => probe.preTokenizeString(text).length;
  const libraryKind = (c: string): string => (pieces(`a${c}`) === 1 ? 'letter' : pieces(`1${c}`) === 1 ? 'number' : pieces(`.${c}.`) === 1 ? 'other' : 'space');
  const letter = new RegExp(`^[${LIBRARY_LETTERS}]$`, 'u');
  const number = new RegExp(`^[${LIBRARY_NUMBERS}]$`, 'u');
  const space = new RegExp(`^[${LIBRARY_SPACES}]$`, 'u');
  const tableKind = (c: string): string => (letter.test(c) ? 'letter' : number.test(c) ? 'number' : space.test(c) ? 'space' : 'other');

  it('agree with the library on every code point of planes 0 and 1 and on a sample of the rest', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (let code = 0; code <= 0x10ffff; code += code < 0x20000 ? 1 : 97) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCodePoint(code);
      const expected = libraryKind(c);
      if (tableKind(c) !== expected) wrong.push(`U+${code.toString(16)} ${expected}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(135_000);
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('differ from the JavaScript engine’s own classes where the library does (why the table exists)', () => {
    // U+0085 is white space to the library (and Rust), not to JavaScript's \s; U+FEFF the reverse.
    expect(tableKind('\u0085')).toBe('space');
    expect(/\s/u.test('\u0085')).toBe(false);
    expect(tableKind('\ufeff')).not.toBe('space');
    expect(/\s/u.test('\ufeff')).toBe(true);
  });
});

describe('a tokenizer.json saved with truncation and padding', () => {
  it('still encodes a long document whole (windows are cut on this side)', () => {
    const root = robertaJson();
    root.truncation = { direction: 'Right', max_length: 8, strategy: 'LongestFirst', stride: 0 };
    root.padding = { strategy: { Fixed: 16 }, direction: 'Right', pad_to_multiple_of: null, pad_id: 1, pad_type_id: 0, pad_token: '<pad>' };
    const text = CORPUS.slice(0, 50).join(' ');
    for (const memo of [true, false]) {
      const tokenizer = new LibraryTokenizer(JSON.stringify(root), {}, {}, 'tokenizer.json', { byteLevelWordMemo: memo });
      const untruncated = new LibraryTokenizer(JSON.stringify(robertaJson()), {}, {}, 'tokenizer.json', { byteLevelWordMemo: false });
      const ids = tokenizer.encode(text, { addSpecialTokens: false }).ids;
      expect(ids.length, `memo ${memo}`).toBeGreaterThan(100);
      expect(ids).toEqual(untruncated.encode(text, { addSpecialTokens: false }).ids);
    }
  });
});

describe('the memo itself', () => {
  it('sends only words not seen before to the library, all in one call', () => {
    const root = robertaJson();
    const plan = byteLevelWordsPlan(root)!;
    const encoder = new SyncEncoder(plan.wordJson);
    const calls: string[][] = [];
    const vocabulary = new LibraryTokenizer(JSON.stringify(root), {}, {}, 'tokenizer.json');
    const memo = new ByteLevelWords(
      plan,
      (texts) => {
        calls.push(texts);
        return encoder.encodeMany(texts);
      },
      (id) => vocabulary.idToToken(id),
    );
    const first = memo.tokenize('the cat saw the other cat')!;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(1); // the new words joined into one text
    expect(calls[0]![0]!.split('\n').sort()).toEqual([' cat', ' other', ' saw', ' the', 'the']);
    expect(memo.tokenize('the cat saw the other cat')).toEqual(first);
    expect(calls).toHaveLength(1);
    memo.tokenize('the cat saw a dog');
    expect(calls[1]).toEqual([' a\n dog']);
    // White-space words go alone: a line break beside them would join them ("the  cat" is "the", " ", " cat").
    memo.tokenize('the  cat\n\n');
    expect(calls[2]).toEqual([' ', '\n\n']);
  });
});
