import { codePointAt, isBertControl, isBertPunctuation, isBertWhitespace, isChineseChar } from './charClasses';

/** HF `BertNormalizer` settings (tokenizer.json field names in the comments). */
export interface BertNormalizerOptions {
  /** clean_text: drop \0, U+FFFD and control characters; map whitespace to ' '. */
  cleanText: boolean;
  /** handle_chinese_chars: every CJK ideograph becomes a word of its own. */
  handleChineseChars: boolean;
  /** strip_accents: NFD, then drop nonspacing marks (Mn). null = same as `lowercase` (HF default). */
  stripAccents: boolean | null;
  /** lowercase */
  lowercase: boolean;
}

/** What a normalized character does in BertPreTokenizer. */
export const KIND_REMOVED = 0;
/** Splits words and is dropped. */
export const KIND_SPACE = 1;
/** A word on its own: punctuation, or a CJK ideograph when handle_chinese_chars is on. */
export const KIND_ISOLATED = 2;
/** Part of a word. */
export const KIND_WORD = 3;

export interface NormalizedPiece {
  text: string;
  kind: number;
}

/** What one original code point becomes after normalization: zero or more pieces, in order. */
export interface CharEntry {
  pieces: NormalizedPiece[];
  /** handle_chinese_chars isolated it (Rust inserts spaces around it). */
  cjk: boolean;
}

export interface AlignedText {
  text: string;
  /** Per normalized UTF-16 unit: [start, end) of the original code point it came from. */
  starts: Int32Array;
  ends: Int32Array;
}

const MARK_NONSPACING_RE = /\p{Mn}/gu;

/**
 * BertNormalizer applied one code point at a time, which is exact: each of its steps (clean, CJK
 * spacing, NFD, Mn removal, Rust's per-char `to_lowercase`) maps characters independently. The only
 * cross-character effect would be NFD's canonical reordering of combining marks, and the reordered
 * marks are nonspacing ones that strip_accents removes anyway (a handful of Mc marks with a nonzero
 * combining class excepted). Working per code point is what gives every normalized character the
 * original range it came from, as the Rust `NormalizedString` alignments do.
 */
export class CharNormalizer {
  readonly options: Readonly<BertNormalizerOptions>;
  readonly stripAccents: boolean;
  /** Kind of each ASCII character (the hot path of the pre-tokenizer). */
  readonly asciiKind = new Uint8Array(128);
  private readonly cache = new Map<number, CharEntry>();

  constructor(options: BertNormalizerOptions) {
    this.options = { ...options };
    this.stripAccents = options.stripAccents ?? options.lowercase;
    for (let c = 0; c < 128; c++) {
      const pieces = this.compute(c).pieces;
      this.asciiKind[c] = pieces.length === 0 ? KIND_REMOVED : pieces[0]!.kind;
    }
  }

  get lowercase(): boolean {
    return this.options.lowercase;
  }

  entry(cp: number): CharEntry {
    let entry = this.cache.get(cp);
    if (entry === undefined) {
      entry = this.compute(cp);
      this.cache.set(cp, entry);
    }
    return entry;
  }

  /** The normalized string with, per UTF-16 unit, the original range it came from. */
  normalizeWithAlignment(text: string, from = 0, to = text.length): AlignedText {
    let out = '';
    const starts: number[] = [];
    const ends: number[] = [];
    const push = (s: string, start: number, end: number): void => {
      out += s;
      for (let k = 0; k < s.length; k++) {
        starts.push(start);
        ends.push(end);
      }
    };
    for (let i = from; i < to; ) {
      const cp = codePointAt(text, i, to);
      const len = cp > 0xffff ? 2 : 1;
      const entry = this.entry(cp);
      for (const piece of entry.pieces) {
        if (entry.cjk) push(` ${piece.text} `, i, i + len);
        else push(piece.text, i, i + len);
      }
      i += len;
    }
    return { text: out, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
  }

  normalize(text: string): string {
    return this.normalizeWithAlignment(text).text;
  }

  private compute(cp: number): CharEntry {
    const { cleanText, handleChineseChars, lowercase } = this.options;
    if (cleanText) {
      if (cp === 0 || cp === 0xfffd || isBertControl(cp)) return { pieces: [], cjk: false };
      if (isBertWhitespace(cp)) return { pieces: [{ text: ' ', kind: KIND_SPACE }], cjk: false };
    }
    const cjk = handleChineseChars && isChineseChar(cp);
    let s = String.fromCodePoint(cp);
    // Rust order: strip accents, then lowercase (char by char: no final-sigma context rule).
    if (this.stripAccents) s = s.normalize('NFD').replace(MARK_NONSPACING_RE, '');
    if (lowercase) {
      let lowered = '';
      for (const ch of s) lowered += ch.toLowerCase();
      s = lowered;
    }
    if (s.length === 0) return { pieces: [], cjk };
    if (cjk) return { pieces: [{ text: s, kind: KIND_ISOLATED }], cjk };
    const pieces: NormalizedPiece[] = [];
    for (const ch of s) {
      const c = ch.codePointAt(0)!;
      const kind = isBertWhitespace(c) ? KIND_SPACE : isBertPunctuation(c) ? KIND_ISOLATED : KIND_WORD;
      const last = pieces[pieces.length - 1];
      if (kind === KIND_WORD && last !== undefined && last.kind === KIND_WORD) last.text += ch;
      else pieces.push({ text: ch, kind });
    }
    return { pieces, cjk };
  }
}
