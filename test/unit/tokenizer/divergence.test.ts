import { describe, expect, it } from 'vitest';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { hfFromSpec } from './helpers';

// Where transformers.js departs from HF's Rust tokenizer (BertTokenizerFast), we follow Rust.
// Each case pins our output, derived from the Rust source, and shows the reference differs.

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'οδοσ', 'οδος', 'a', 'b', '\u{20000}', '\u{20001}', '##\u{20001}', 'q'];

describe('known differences from transformers.js', () => {
  it('lowercases character by character (no final-sigma rule), like Rust char::to_lowercase', () => {
    const ours = BertTokenizer.fromVocab(VOCAB, { lowercase: true });
    const hf = hfFromSpec(ours);
    // Rust normalizers/bert.rs → NormalizedString::lowercase maps each char: Σ → σ everywhere.
    expect(ours.tokenize('ΟΔΟΣ')).toEqual(['οδοσ']);
    // transformers.js lowercases the whole string with String.prototype.toLowerCase (final ς).
    expect(hf.tokenize('ΟΔΟΣ')).toEqual(['οδος']);
  });

  it('isolates astral CJK ideographs (Rust tests chars, transformers.js tests UTF-16 units)', () => {
    const ours = BertTokenizer.fromVocab(VOCAB, { lowercase: false });
    const hf = hfFromSpec(ours);
    const text = 'a\u{20000}\u{20001}b';
    // Rust is_chinese_char includes 0x20000..=0x2A6DF: each ideograph is a word of its own.
    expect(ours.tokenize(text)).toEqual(['a', '\u{20000}', '\u{20001}', 'b']);
    expect(ours.encode(text, { addSpecialTokens: false }).offsets).toEqual([[0, 1], [1, 3], [3, 5], [5, 6]]);
    expect(hf.tokenize(text)).toEqual(['[UNK]']);
  });

  it('keeps an empty second text as a pair ([CLS] q [SEP] [SEP]), as Rust encode((q, "")) does', () => {
    const ours = BertTokenizer.fromVocab(VOCAB, { lowercase: false });
    const hf = hfFromSpec(ours);
    const encoding = ours.encodePair('q', '');
    expect(encoding.tokens).toEqual(['[CLS]', 'q', '[SEP]', '[SEP]']);
    expect(encoding.typeIds).toEqual([0, 0, 0, 1]);
    expect(encoding.sequenceIds).toEqual([null, 0, null, null]);
    expect(hf.encode('q', { text_pair: '' })).toEqual([2, 12, 3]);
  });
});
