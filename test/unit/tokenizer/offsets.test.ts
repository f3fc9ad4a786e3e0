import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';

// Offsets worked out by hand from the Rust `tokenizers` alignment rules (normalizer.rs): every
// normalized character keeps the original range of the character it came from, characters removed
// by the normalizer leave no range behind, and a token spans [start of its first character, end of
// its last character). All values are UTF-16 units of the input.

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function tokenizer(pieces: string[], lowercase: boolean, stripAccents: boolean | null = null): BertTokenizer {
  return BertTokenizer.fromVocab([...SPECIALS, ...pieces], { lowercase, stripAccents });
}

function pieces(t: BertTokenizer, text: string): Array<[string, number, number]> {
  const encoding = t.encode(text, { addSpecialTokens: false });
  return encoding.tokens.map((token, k) => [token, encoding.offsets[k]![0], encoding.offsets[k]![1]]);
}

describe('offsets', () => {
  it('cover the original accented characters when accents are stripped', () => {
    const t = tokenizer(['caf', '##e', 'au', 'lait'], true);
    expect(pieces(t, 'Café au lait')).toEqual([['caf', 0, 3], ['##e', 3, 4], ['au', 5, 7], ['lait', 8, 12]]);
  });

  it('leave out a removed combining mark after the word, but keep it when accents are kept', () => {
    const uncased = tokenizer(['cafe', '!'], true);
    expect(pieces(uncased, 'Cafe\u0301!')).toEqual([['cafe', 0, 4], ['!', 5, 6]]);
    const cased = tokenizer(['Cafe\u0301', '!'], false);
    expect(pieces(cased, 'Cafe\u0301!')).toEqual([['Cafe\u0301', 0, 5], ['!', 5, 6]]);
  });

  it("map both characters of a lowercased 'İ' to it", () => {
    const stripped = tokenizer(['istanbul'], true);
    expect(pieces(stripped, 'İstanbul')).toEqual([['istanbul', 0, 8]]);
    // lowercase without strip_accents: İ → "i" + U+0307, two pieces of one original character.
    const kept = tokenizer(['i', '##\u0307', '##s'], true, false);
    expect(pieces(kept, 'İs')).toEqual([['i', 0, 1], ['##\u0307', 0, 1], ['##s', 1, 2]]);
  });

  it('give every jamo of an NFD-decomposed Hangul syllable the syllable', () => {
    const t = tokenizer(['\u1112', '##\u1161', '##\u11ab', '##\u1100'], true);
    // 한 (U+D55C) → ᄒ ᅡ ᆫ under NFD; 가 → ᄀ ᅡ.
    expect(pieces(t, '한가')).toEqual([
      ['\u1112', 0, 1],
      ['##\u1161', 0, 1],
      ['##\u11ab', 0, 1],
      ['##\u1100', 1, 2],
      ['##\u1161', 1, 2],
    ]);
  });

  it('span control characters removed inside a word, not those around it', () => {
    const t = tokenizer(['a', '##b', 'ab'], false);
    expect(pieces(t, 'a\u200Bb')).toEqual([['ab', 0, 3]]);
    expect(pieces(t, '\u200Bab\u0000')).toEqual([['ab', 1, 3]]);
    const split = tokenizer(['a', '##b'], false);
    expect(pieces(split, 'a\u200Bb')).toEqual([['a', 0, 1], ['##b', 2, 3]]);
  });

  it('count CRLF, tabs and astral characters in UTF-16 units', () => {
    const t = tokenizer(['one', 'two', 'x', '##😀', '##y', '😀'], false);
    expect(pieces(t, 'one\r\ntwo\tx😀y 😀')).toEqual([
      ['one', 0, 3],
      ['two', 5, 8],
      ['x', 9, 10],
      ['##😀', 10, 12],
      ['##y', 12, 13],
      ['😀', 14, 16],
    ]);
  });

  it('isolate CJK ideographs and punctuation, each with its own range', () => {
    const t = tokenizer(['中', '文', '!', 'ab'], false);
    expect(pieces(t, 'ab中文!')).toEqual([['ab', 0, 2], ['中', 2, 3], ['文', 3, 4], ['!', 4, 5]]);
  });

  it('make an unmatchable or over-long word a single [UNK] over the whole word', () => {
    const t = tokenizer(['a', '##a'], false);
    expect(pieces(t, 'ab aa')).toEqual([['[UNK]', 0, 2], ['a', 3, 4], ['##a', 4, 5]]);
    const long = 'a'.repeat(101);
    expect(pieces(t, `x ${long}`)).toEqual([['[UNK]', 0, 1], ['[UNK]', 2, 103]]);
    // 100 code points is still fine, even when they take 200 UTF-16 units.
    const emoji = tokenizer(['😀', '##😀'], false);
    expect(pieces(emoji, '😀'.repeat(100)).length).toBe(100);
    expect(pieces(emoji, '😀'.repeat(101))).toEqual([['[UNK]', 0, 202]]);
  });

  it('keep literal special tokens whole, with real offsets and word ids', () => {
    const t = tokenizer(['the', '##re', 'mask'], true);
    const encoding = t.encode('the [MASK] there[MASK]');
    expect(encoding.tokens).toEqual(['[CLS]', 'the', '[MASK]', 'the', '##re', '[MASK]', '[SEP]']);
    expect(encoding.offsets).toEqual([[0, 0], [0, 3], [4, 10], [11, 14], [14, 16], [16, 22], [0, 0]]);
    expect(encoding.wordIds).toEqual([null, 0, 1, 2, 2, 3, null]);
    expect(encoding.specialTokensMask).toEqual([true, false, false, false, false, false, true]);
    // Special tokens are matched in the raw text only: "[mask]" is three words.
    expect(t.tokenize('[mask]')).toEqual(['[UNK]', 'mask', '[UNK]']);
  });

  it('are relative to each text of a pair', () => {
    const t = tokenizer(['who', '?', 'me', '.'], true);
    const encoding = t.encodePair('Who?', 'Me.');
    expect(encoding.tokens).toEqual(['[CLS]', 'who', '?', '[SEP]', 'me', '.', '[SEP]']);
    expect(encoding.offsets).toEqual([[0, 0], [0, 3], [3, 4], [0, 0], [0, 2], [2, 3], [0, 0]]);
    expect(encoding.sequenceIds).toEqual([null, 0, 0, null, 1, 1, null]);
    expect(encoding.typeIds).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(encoding.wordIds).toEqual([null, 0, 1, null, 0, 1, null]);
  });

  it('come out flat from encodeIdsWithOffsets, identical to encode', () => {
    const t = tokenizer(['one', 'two', '##s'], false);
    const text = 'one twos';
    const fast = t.encodeIdsWithOffsets(text);
    const full = t.encode(text);
    expect([...fast.ids]).toEqual(full.ids);
    expect([...fast.offsets]).toEqual(full.offsets.flat());
    expect([...t.encodeIdsWithOffsets(text, { addSpecialTokens: false }).ids]).toEqual(t.encode(text, { addSpecialTokens: false }).ids);
  });
});
