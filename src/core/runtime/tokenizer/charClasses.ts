/**
 * Character predicates of HF's BERT normalizer and pre-tokenizer, as the Rust `tokenizers` crate
 * defines them (normalizers/bert.rs, pre_tokenizers/bert.rs). Unicode tables are V8's (ICU), which
 * can differ from the Rust crates' older tables for characters assigned in recent Unicode versions.
 */

const CONTROL_RE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const WHITESPACE_RE = /\p{White_Space}/u;
const PUNCTUATION_RE = /\p{P}/u;
/** Rust regex `\w` (Unicode): what `single_word` added tokens must not touch. */
const WORD_CHAR_RE = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;

/**
 * BertNormalizer `is_control`: `char::is_other()` of the `unicode_categories` crate, i.e. Cc, Cf and
 * Co (not Cn). Tab, LF and CR count as whitespace instead. Lone surrogates (Cs) cannot occur in Rust
 * strings; JS strings can hold them, and removing them keeps offsets valid (Python's BERT does too).
 */
export function isBertControl(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return false;
  return CONTROL_RE.test(String.fromCodePoint(cp));
}

/** BertNormalizer / BertPreTokenizer whitespace: Rust `char::is_whitespace` (White_Space property). */
export function isBertWhitespace(cp: number): boolean {
  if (cp < 0x80) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  return WHITESPACE_RE.test(String.fromCodePoint(cp));
}

/** BertPreTokenizer `is_bert_punc`: ASCII punctuation (33-47, 58-64, 91-96, 123-126) or Unicode P*. */
export function isBertPunctuation(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
  }
  return PUNCTUATION_RE.test(String.fromCodePoint(cp));
}

/**
 * BertNormalizer `is_chinese_char`: the CJK Unified Ideographs blocks, with the Rust crate's ranges
 * (it has 0x2B920 where Python's BERT has 0x2B820; we follow Rust, the fast tokenizer).
 */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** Word character for `single_word` added-token matching (Rust regex `\w`). */
export function isWordChar(cp: number): boolean {
  return WORD_CHAR_RE.test(String.fromCodePoint(cp));
}

/** Code point at `i`, and how many UTF-16 units it takes (1 for a lone surrogate). */
export function codePointAt(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

export function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
