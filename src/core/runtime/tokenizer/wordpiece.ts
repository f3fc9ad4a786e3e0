import { isHighSurrogate, isLowSurrogate } from './charClasses';

export interface WordPieceOptions {
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

/** How a word splits: pieces[2k] = id, pieces[2k + 1] = end of piece k in the word's UTF-16 units. */
export type WordPieces = Int32Array;

/** Words kept with their split; natural text repeats words, so this saves most of the matching. */
const CACHE_LIMIT = 100_000;

/**
 * HF WordPiece model: greedy longest-match-first, continuation pieces carry the `##` prefix, and a
 * word that is longer than max_input_chars_per_word (counted in code points, as Rust's
 * `chars().count()`) or that has an unmatchable part becomes a single unk token.
 */
export class WordPieceModel {
  readonly unkId: number;
  private readonly first = new Map<string, number>();
  private readonly continuing = new Map<string, number>();
  private readonly maxFirstLength: number;
  private readonly maxContinuingLength: number;
  private readonly cache = new Map<string, WordPieces>();

  constructor(
    vocab: ReadonlyMap<string, number>,
    readonly options: WordPieceOptions,
  ) {
    const unkId = vocab.get(options.unkToken);
    if (unkId === undefined) throw new Error(`WordPiece: unk token "${options.unkToken}" is not in the vocabulary`);
    this.unkId = unkId;
    const prefix = options.continuingSubwordPrefix;
    let maxFirst = 0;
    let maxContinuing = 0;
    for (const [token, id] of vocab) {
      this.first.set(token, id);
      maxFirst = Math.max(maxFirst, token.length);
      if (prefix.length > 0 && token.startsWith(prefix)) {
        const rest = token.slice(prefix.length);
        this.continuing.set(rest, id);
        maxContinuing = Math.max(maxContinuing, rest.length);
      }
    }
    // With an empty prefix, continuation pieces are looked up like first pieces (HF does the same).
    if (prefix.length === 0) {
      for (const [token, id] of vocab) this.continuing.set(token, id);
      maxContinuing = maxFirst;
    }
    this.maxFirstLength = maxFirst;
    this.maxContinuingLength = maxContinuing;
  }

  tokenize(word: string): WordPieces {
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      pieces = this.split(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  private split(word: string): WordPieces {
    const n = word.length;
    const unk = Int32Array.of(this.unkId, n);
    if (n > this.options.maxInputCharsPerWord && countCodePoints(word) > this.options.maxInputCharsPerWord) return unk;
    const out: number[] = [];
    let start = 0;
    while (start < n) {
      const map = start === 0 ? this.first : this.continuing;
      let end = Math.min(n, start + (start === 0 ? this.maxFirstLength : this.maxContinuingLength));
      let id: number | undefined;
      while (end > start) {
        // Only code point boundaries are candidate ends, as in Rust's char-wise shrinking.
        if (end < n && isLowSurrogate(word.charCodeAt(end)) && isHighSurrogate(word.charCodeAt(end - 1))) {
          end--;
          continue;
        }
        id = map.get(word.slice(start, end));
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return unk;
      out.push(id, end);
      start = end;
    }
    return Int32Array.from(out);
  }
}

function countCodePoints(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    if (!(isLowSurrogate(s.charCodeAt(i)) && i > 0 && isHighSurrogate(s.charCodeAt(i - 1)))) count++;
  }
  return count;
}
