import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BertTokenizer as HfBertTokenizer } from '@huggingface/transformers';
import type { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';
import { serializeTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerWriter';

/** The reference: transformers.js (v4.3.1) BertTokenizer over the same tokenizer.json/config. */
export function hfFromFolder(dir: string): HfBertTokenizer {
  return new HfBertTokenizer(
    JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')),
    JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')),
  );
}

export function hfFromSpec(tokenizer: BertTokenizer): HfBertTokenizer {
  const files = serializeTokenizer(tokenizer.spec);
  return new HfBertTokenizer(JSON.parse(files.tokenizerJson), JSON.parse(files.tokenizerConfig));
}

/** transformers.js's own BertNormalizer, an independent implementation to check offsets against. */
export function hfNormalize(hf: HfBertTokenizer, text: string): string {
  const normalizer = (hf as unknown as { _tokenizer: { normalizer: ((s: string) => string) | null } })._tokenizer.normalizer;
  return normalizer === null ? text : normalizer(text);
}

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Code point ranges random texts draw from, with weights. Left out on purpose, because
 * transformers.js deviates from HF's Rust tokenizer there (see bertTokenizer.divergence tests):
 * U+03A3 GREEK CAPITAL SIGMA (transformers.js lowercases whole strings, applying the final-sigma
 * rule; Rust lowercases char by char) and astral CJK ideographs (transformers.js tests UTF-16 units).
 */
const POOLS: Array<{ weight: number; ranges: Array<[number, number]> }> = [
  { weight: 30, ranges: [[0x61, 0x7a], [0x41, 0x5a]] },
  { weight: 6, ranges: [[0x30, 0x39]] },
  { weight: 12, ranges: [[0x20, 0x20]] },
  { weight: 6, ranges: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]] },
  { weight: 3, ranges: [[0x09, 0x0d], [0x00, 0x08], [0x0e, 0x1f], [0x7f, 0x9f]] },
  { weight: 8, ranges: [[0xc0, 0x17f]] },
  { weight: 4, ranges: [[0x300, 0x36f], [0x1ab0, 0x1aff], [0x20d0, 0x20ff]] },
  { weight: 4, ranges: [[0x391, 0x3a2], [0x3a4, 0x3ff], [0x400, 0x4ff]] },
  { weight: 4, ranges: [[0x4e00, 0x9fff], [0x3400, 0x4dbf], [0xf900, 0xfaff]] },
  { weight: 3, ranges: [[0x3040, 0x30ff], [0xac00, 0xd7a3]] },
  { weight: 3, ranges: [[0x1f300, 0x1f6ff], [0x1f900, 0x1f9ff], [0x1f3fb, 0x1f3ff]] },
  { weight: 3, ranges: [[0x200b, 0x200f], [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0xad, 0xad], [0xfffd, 0xfffd], [0xe000, 0xe0ff]] },
  { weight: 2, ranges: [[0xa0, 0xa0], [0x2000, 0x200a], [0x2028, 0x2029], [0x3000, 0x3000], [0x85, 0x85]] },
  { weight: 2, ranges: [[0x2010, 0x206f], [0x3000, 0x303f], [0xff01, 0xff5e]] },
  { weight: 1, ranges: [[0x130, 0x130], [0xdf, 0xdf], [0x1e9e, 0x1e9e], [0x212a, 0x212b], [0x1e00, 0x1eff]] },
  { weight: 3, ranges: [[0x80, 0x3a2], [0x3a4, 0xd7ff], [0xe000, 0xffff], [0x10000, 0x1ffff]] },
];
const TOTAL_WEIGHT = POOLS.reduce((sum, pool) => sum + pool.weight, 0);

export function randomCodePoint(rng: () => number): number {
  let pick = rng() * TOTAL_WEIGHT;
  let pool = POOLS[0]!;
  for (const candidate of POOLS) {
    pool = candidate;
    pick -= candidate.weight;
    if (pick < 0) break;
  }
  const [lo, hi] = pool.ranges[Math.floor(rng() * pool.ranges.length)]!;
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Random text; now and then a literal special token, a CRLF or a lone surrogate. */
export function randomText(rng: () => number, maxLength: number): string {
  const length = Math.floor(rng() * maxLength);
  let text = '';
  for (let k = 0; k < length; k++) {
    const roll = rng();
    if (roll < 0.01) text += ['[MASK]', '[CLS]', '[SEP]', '[UNK]', '[PAD]', '[mask]'][Math.floor(rng() * 6)];
    else if (roll < 0.02) text += '\r\n';
    else if (roll < 0.025) text += String.fromCharCode(0xd800 + Math.floor(rng() * 0x800));
    else text += String.fromCodePoint(randomCodePoint(rng));
  }
  return text;
}

/** Offsets are within the text, ordered, and never cut a surrogate pair. */
export function checkOffsetInvariants(text: string, encoding: Encoding): string | null {
  let previousStart = 0;
  let previousEnd = 0;
  for (let k = 0; k < encoding.ids.length; k++) {
    const [start, end] = encoding.offsets[k]!;
    if (encoding.specialTokensMask[k]) {
      if (start !== 0 || end !== 0) return `special token ${k} has offsets [${start}, ${end}]`;
      continue;
    }
    if (!(start >= 0 && start < end && end <= text.length)) return `token ${k} has offsets [${start}, ${end}] (length ${text.length})`;
    if (start < previousStart || end < previousEnd) return `token ${k} [${start}, ${end}) goes back before [${previousStart}, ${previousEnd})`;
    for (const boundary of [start, end]) {
      const before = text.charCodeAt(boundary - 1);
      const after = text.charCodeAt(boundary);
      if (before >= 0xd800 && before <= 0xdbff && after >= 0xdc00 && after <= 0xdfff) return `token ${k} cuts a surrogate pair at ${boundary}`;
    }
    previousStart = start;
    previousEnd = end;
  }
  return null;
}

/**
 * Each word's pieces, joined without '##', equal the normalized text its offsets cover, and so does
 * each piece on its own unless it shares an original character with a neighbour (NFD of Hangul,
 * 'İ' lowercased): the slices really are where the tokens came from. Words that became [UNK] are
 * skipped (their piece is not their text).
 */
export function checkOffsetsCoverTokens(
  text: string,
  encoding: Encoding,
  normalize: (s: string) => string,
  unkToken = '[UNK]',
  prefix = '##',
): string | null {
  const clean = (s: string): string => normalize(s).replace(/ /g, '');
  const piece = (k: number): string => {
    const token = encoding.tokens[k]!;
    return k > 0 && encoding.wordIds[k - 1] === encoding.wordIds[k] && token.startsWith(prefix) ? token.slice(prefix.length) : token;
  };
  let k = 0;
  while (k < encoding.ids.length) {
    if (encoding.specialTokensMask[k]) {
      k++;
      continue;
    }
    let last = k;
    while (last + 1 < encoding.ids.length && encoding.wordIds[last + 1] === encoding.wordIds[k] && encoding.sequenceIds[last + 1] === encoding.sequenceIds[k]) last++;
    const tokens = encoding.tokens.slice(k, last + 1);
    if (!tokens.includes(unkToken)) {
      const [wordStart] = encoding.offsets[k]!;
      const [, wordEnd] = encoding.offsets[last]!;
      let joined = '';
      for (let j = k; j <= last; j++) joined += piece(j);
      const expected = clean(text.slice(wordStart, wordEnd));
      // An added token written in the text (e.g. "[MASK]") is its own content, not normalized.
      if (joined !== expected && joined !== text.slice(wordStart, wordEnd)) {
        return `word ${encoding.wordIds[k]} [${wordStart}, ${wordEnd}) is ${JSON.stringify(expected)} but pieces give ${JSON.stringify(joined)}`;
      }
      for (let j = k; j <= last; j++) {
        const [start, end] = encoding.offsets[j]!;
        const sharesLeft = j > k && encoding.offsets[j - 1]![1] > start;
        const sharesRight = j < last && encoding.offsets[j + 1]![0] < end;
        if (sharesLeft || sharesRight) continue;
        const slice = clean(text.slice(start, end));
        if (slice !== piece(j) && text.slice(start, end) !== piece(j)) {
          return `token ${j} ${JSON.stringify(encoding.tokens[j])} covers ${JSON.stringify(text.slice(start, end))} (normalized ${JSON.stringify(slice)})`;
        }
      }
    }
    k = last + 1;
  }
  return null;
}

/** Rust offsets (code points) → UTF-16, computed independently of the bridge's conversion. */
export function utf16Offsets(text: string, offsets: number[][]): Array<[number, number]> {
  const units = [0];
  for (const char of Array.from(text)) units.push(units[units.length - 1]! + char.length);
  return offsets.map(([s, e]) => [units[s!]!, units[e!]!]);
}

/** The bytes a byte-level BPE token stands for (GPT-2's bytes_to_unicode, inverted). */
export const byteOfChar = (() => {
  const bytes: number[] = [];
  for (let b = 33; b <= 126; b++) bytes.push(b);
  for (let b = 161; b <= 172; b++) bytes.push(b);
  for (let b = 174; b <= 255; b++) bytes.push(b);
  const chars = [...bytes];
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bytes.includes(b)) { bytes.push(b); chars.push(256 + n++); }
  return new Map(chars.map((c, i) => [String.fromCodePoint(c), bytes[i]!]));
})();

/**
 * checkOffsetInvariants for byte-level BPE with trim_offsets: Rust trims the spaces off a token's
 * span, so a token made only of whitespace (the second "Ġ" of a double space) gets an empty span at
 * the next character, as in Python's RobertaTokenizerFast; every other span is non-empty.
 */
export function trimmedOffsetInvariants(text: string, encoding: Encoding): string | null {
  let previousStart = 0;
  for (let k = 0; k < encoding.ids.length; k++) {
    if (encoding.specialTokensMask[k]) continue;
    const [start, end] = encoding.offsets[k]!;
    const blank = /^[\sĠĊčĉ]+$/u.test(encoding.tokens[k]!);
    if (!(start >= 0 && (blank ? start <= end : start < end) && end <= text.length)) return `token ${k} has offsets [${start}, ${end}]`;
    if (start < previousStart) return `token ${k} starts before its predecessor`;
    for (const edge of [start, end]) {
      if (/[\udc00-\udfff]/.test(text.charAt(edge)) && /[\ud800-\udbff]/.test(text.charAt(edge - 1))) return `token ${k} cuts a surrogate pair`;
    }
    previousStart = start;
  }
  return null;
}
