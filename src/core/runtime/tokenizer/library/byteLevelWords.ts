import type { RawSequence } from '../templateTokenizer';
import type { RawEncoding } from './syncEncoder';
import { LIBRARY_LETTERS, LIBRARY_NUMBERS, LIBRARY_SPACES } from './byteLevelClasses';

/**
 * A word memo in front of the Rust library for byte-level BPE (GPT-2, RoBERTa, BART, Longformer):
 * its ByteLevel pre-tokenizer cuts the text into words with one regex, and each word's tokens depend
 * on that word alone, so a word seen before needs no trip to the library. The split runs here with
 * the library's own character classes (byteLevelClasses.ts); only words not yet seen go to the
 * library, all in one call; the offset trimming of the ByteLevel / RoBERTa post-processor is applied
 * here the way the library applies it (`process_offsets` in tokenizers' byte_level.rs). The result
 * is the library's, token for token (byteLevelWords.test.ts compares the two on a corpus).
 *
 * Why: a document of 24k tokens costs the library ~29 ms through the thread bridge, transformers.js
 * (which keeps a word cache too) ~26 ms; with the memo ~8 ms (BENCHMARKS.md, "Tokenizers").
 */

/** What the memo needs to know about a tokenizer.json; null from `byteLevelWordsPlan` when it cannot reproduce it. */
export interface ByteLevelWordsPlan {
  /** The tokenizer.json the library encodes single words with: no prefix space, no post-processor, no truncation. */
  wordJson: string;
  /** ByteLevel pre-tokenizer `add_prefix_space`: a space is put before a text that does not start with one. */
  addPrefixSpace: boolean;
  /** The post-processor's offset trimming, or null when it trims nothing. */
  trim: { addPrefixSpace: boolean } | null;
  /** The added tokens' contents: a text containing one goes to the library whole (it splits them off first). */
  addedContents: string[];
}

/** More added tokens than this and the containment check stops being cheap next to the encoding. */
const MAX_ADDED_TOKENS = 64;
/** Words kept; the memo is emptied before a call once it holds more (a document's vocabulary is far smaller). */
const MAX_ENTRIES = 50_000;
/** Longer words (URLs, base64, runs of symbols) are encoded but not remembered. */
const MAX_CACHED_WORD = 100;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The plan for a tokenizer.json (after tokenizer_config.json's overrides) of exactly the shape the
 * memo reproduces: no normalizer, a ByteLevel pre-tokenizer with its regex, a BPE model without
 * dropout, and a post-processor that is absent, ByteLevel, RobertaProcessing, TemplateProcessing or
 * BertProcessing. Anything else (a Sequence, a normalizer, Metaspace…) is left to the library whole.
 */
export function byteLevelWordsPlan(root: Record<string, unknown>): ByteLevelWordsPlan | null {
  if (root.normalizer !== null && root.normalizer !== undefined) return null;
  const pre = root.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'ByteLevel' || pre.use_regex === false) return null;
  const model = root.model;
  if (!isObject(model) || (model.type !== undefined && model.type !== 'BPE') || model.merges === undefined) return null;
  if (typeof model.dropout === 'number' && model.dropout > 0) return null;
  const post = root.post_processor;
  let trim: ByteLevelWordsPlan['trim'] = null;
  if (post !== null && post !== undefined) {
    if (!isObject(post)) return null;
    if (post.type === 'ByteLevel' || post.type === 'RobertaProcessing') {
      // Both default to trimming; ByteLevel's add_prefix_space defaults to true, RoBERTa's too.
      if (post.trim_offsets !== false) trim = { addPrefixSpace: post.add_prefix_space !== false };
    } else if (post.type !== 'TemplateProcessing' && post.type !== 'BertProcessing') return null;
  }
  const added = Array.isArray(root.added_tokens) ? root.added_tokens : [];
  if (added.length > MAX_ADDED_TOKENS) return null;
  const addedContents: string[] = [];
  for (const token of added) {
    if (!isObject(token) || typeof token.content !== 'string' || token.content === '') return null;
    addedContents.push(token.content);
  }
  const wordRoot = { ...root, pre_tokenizer: { ...pre, add_prefix_space: false }, post_processor: null, truncation: null, padding: null };
  return { wordJson: JSON.stringify(wordRoot), addPrefixSpace: pre.add_prefix_space === true, trim, addedContents };
}

/** GPT-2's pre-tokenization pattern (pre_tokenizers/byte_level.rs), with the library's classes. */
const WORDS = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?[${LIBRARY_LETTERS}]+| ?[${LIBRARY_NUMBERS}]+| ?[^${LIBRARY_SPACES}${LIBRARY_LETTERS}${LIBRARY_NUMBERS}]+|[${LIBRARY_SPACES}]+(?![^${LIBRARY_SPACES}])|[${LIBRARY_SPACES}]+`,
  'gu',
);

/** Rust's `char::is_whitespace` (Unicode White_Space), which `process_offsets` trims besides 'Ġ'. */
function isRustWhitespace(code: number): boolean {
  return (
    (code >= 0x09 && code <= 0x0d) ||
    code === 0x20 ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

const BYTE_LEVEL_SPACE = 0x120; // 'Ġ', the byte-level character of b' '

const trimmable = (code: number): boolean => code === BYTE_LEVEL_SPACE || isRustWhitespace(code);

/** A word's tokens: ids and UTF-16 offsets relative to the word, as the library gives them. */
interface WordTokens {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

/** The library's tokens `from`..`to` of an encoding, offsets made relative to `origin`. */
function wordTokens(raw: RawEncoding, from: number, to: number, origin: number): WordTokens {
  const n = to - from;
  const tokens: WordTokens = { ids: raw.ids.slice(from, to), starts: new Int32Array(n), ends: new Int32Array(n) };
  for (let k = 0; k < n; k++) {
    tokens.starts[k] = raw.offsets[2 * (from + k)]! - origin;
    tokens.ends[k] = raw.offsets[2 * (from + k) + 1]! - origin;
  }
  return tokens;
}

/** The UTF-16 position `count` code points after `at` (past the end of the text, one unit per step, as Rust counts). */
function stepForward(text: string, at: number, count: number): number {
  let position = at;
  for (let k = 0; k < count; k++) position += position < text.length && text.codePointAt(position)! > 0xffff ? 2 : 1;
  return position;
}

/** The UTF-16 position `count` code points before `at`, or -1 when the text has fewer before it. */
function stepBack(text: string, at: number, count: number): number {
  let position = at;
  for (let k = 0; k < count; k++) {
    if (position <= 0) return -1;
    const low = text.charCodeAt(position - 1);
    const high = position >= 2 ? text.charCodeAt(position - 2) : 0;
    position -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
  }
  return position;
}

const ONLY_SPACES = new RegExp(`^[${LIBRARY_SPACES}]+$`, 'u');

export class ByteLevelWords {
  private readonly memo = new Map<string, WordTokens>();
  /** Leading and trailing trimmable characters per token id, computed on first use. */
  private readonly spaces = new Map<number, number>();

  constructor(
    private readonly plan: ByteLevelWordsPlan,
    /** The library on `plan.wordJson`, one encoding per text (SyncEncoder.encodeMany). */
    private readonly encode: (texts: string[]) => RawEncoding[],
    private readonly tokenOf: (id: number) => string | undefined,
  ) {}

  /** The library's tokens for `text`, or null when the text holds an added token (the library splits those first). */
  tokenize(text: string): RawSequence | null {
    for (const content of this.plan.addedContents) if (text.includes(content)) return null;
    const seq: RawSequence = { ids: [], starts: [], ends: [], words: [] };
    if (text.length === 0) return seq;
    if (this.memo.size > MAX_ENTRIES) this.memo.clear();
    const prefixed = this.plan.addPrefixSpace && text.charCodeAt(0) !== 0x20;
    const source = prefixed ? ` ${text}` : text;

    const words: string[] = [];
    const positions: number[] = [];
    const missing = new Set<string>();
    WORDS.lastIndex = 0;
    for (let match = WORDS.exec(source); match !== null; match = WORDS.exec(source)) {
      const word = match[0];
      words.push(word);
      positions.push(match.index);
      if (!this.memo.has(word)) missing.add(word);
    }
    const fresh = missing.size > 0 ? this.learn([...missing]) : undefined;

    // The prepended space takes the first character's place in the original text (NormalizedString::prepend).
    const firstEnd = text.codePointAt(0)! > 0xffff ? 2 : 1;
    for (let w = 0; w < words.length; w++) {
      const tokens = this.memo.get(words[w]!) ?? fresh!.get(words[w]!)!;
      const at = positions[w]!;
      for (let t = 0; t < tokens.ids.length; t++) {
        let start = at + tokens.starts[t]!;
        let end = at + tokens.ends[t]!;
        if (prefixed) {
          start = start === 0 ? 0 : start - 1;
          end = end <= 1 ? firstEnd : end - 1;
        }
        seq.ids.push(tokens.ids[t]!);
        seq.starts.push(start);
        seq.ends.push(end);
        seq.words.push(w);
      }
    }
    if (this.plan.trim !== null) this.trimOffsets(text, seq, this.plan.trim.addPrefixSpace);
    return seq;
  }

  /**
   * Encodes words not seen before; remembers the short ones, returns all. The npm binding has no
   * pre-tokenized input, and an encode per word costs a thread-pool round trip and a read-out each,
   * so the words go to the library as one text, joined by line breaks: a line break between two
   * words that hold no white space is a word of its own to the GPT-2 pattern. Each word's tokens are
   * taken only where the library's own word has exactly that word's span (then it split that very
   * substring); white-space words, and any word it split otherwise, are encoded one by one.
   */
  private learn(words: string[]): Map<string, WordTokens> {
    const found = new Map<string, WordTokens>();
    const alone: string[] = [];
    const joined: string[] = [];
    for (const word of words) (ONLY_SPACES.test(word) ? alone : joined).push(word);
    if (joined.length > 0) {
      const wordAt = new Map<number, number>();
      let at = 0;
      joined.forEach((word, w) => {
        wordAt.set(at, w);
        at += word.length + 1;
      });
      const raw = this.encode([joined.join('\n')])[0]!;
      for (let t = 0; t < raw.ids.length; ) {
        let u = t;
        while (u < raw.ids.length && raw.words[u] === raw.words[t]) u++;
        const start = raw.offsets[2 * t]!;
        const w = wordAt.get(start);
        if (w !== undefined && raw.offsets[2 * (u - 1) + 1] === start + joined[w]!.length) {
          found.set(joined[w]!, wordTokens(raw, t, u, start));
        }
        t = u;
      }
      for (const word of joined) if (!found.has(word)) alone.push(word);
    }
    if (alone.length > 0) {
      this.encode(alone).forEach((raw, w) => found.set(alone[w]!, wordTokens(raw, 0, raw.ids.length, 0)));
    }
    for (const [word, tokens] of found) if (word.length <= MAX_CACHED_WORD) this.memo.set(word, tokens);
    return found;
  }

  /**
   * `process_offsets`: spaces at a token's ends leave its offsets, except the one space the prefix
   * added. The library does this on offsets counted in characters, so the steps here are code points.
   */
  private trimOffsets(text: string, seq: RawSequence, addPrefixSpace: boolean): void {
    for (let i = 0; i < seq.ids.length; i++) {
      const packed = this.spacesOf(seq.ids[i]!);
      let leading = packed >> 16;
      const trailing = packed & 0xffff;
      if (leading === 0 && trailing === 0) continue;
      let start = seq.starts[i]!;
      let end = seq.ends[i]!;
      if (leading > 0) {
        const isFirst = i === 0 || start === 0;
        if (isFirst && addPrefixSpace && leading === 1) leading = 0;
        start = Math.min(stepForward(text, start, leading), end);
      }
      if (trailing > 0) {
        const back = stepBack(text, end, trailing);
        if (back >= 0) end = Math.max(back, start);
      }
      seq.starts[i] = start;
      seq.ends[i] = end;
    }
  }

  /** (leading << 16) | trailing trimmable characters of the token's string, counted in characters as Rust does. */
  private spacesOf(id: number): number {
    const known = this.spaces.get(id);
    if (known !== undefined) return known;
    const chars = Array.from(this.tokenOf(id) ?? '', (c) => c.codePointAt(0)!);
    let leading = 0;
    while (leading < chars.length && trimmable(chars[leading]!)) leading++;
    let trailing = 0;
    while (trailing < chars.length && trimmable(chars[chars.length - 1 - trailing]!)) trailing++;
    const packed = (Math.min(leading, 0x7fff) << 16) | Math.min(trailing, 0xffff);
    this.spaces.set(id, packed);
    return packed;
  }
}
