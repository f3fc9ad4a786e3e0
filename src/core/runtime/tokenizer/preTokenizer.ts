import { CharNormalizer, KIND_ISOLATED, KIND_REMOVED, KIND_SPACE, KIND_WORD } from './bertNormalizer';
import { codePointAt } from './charClasses';

/**
 * Receives each pre-tokenized word, normalized. When `base >= 0` the word is a same-length image of
 * text[base, base + word.length) (the ASCII fast path): unit k came from [base + k, base + k + 1).
 * Otherwise `starts[k]`/`ends[k]` give the original range of unit k. The arrays are reused after the
 * call returns.
 */
export type WordSink = (
  word: string,
  base: number,
  starts: ArrayLike<number> | null,
  ends: ArrayLike<number> | null,
) => void;

/**
 * BertNormalizer + BertPreTokenizer in one pass over the original text: words are maximal runs of
 * normalized word characters (removed control characters do not break them), split on whitespace,
 * with every punctuation character (and CJK ideograph) a word of its own.
 */
export class WordScanner {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly isolatedStarts: number[] = [];
  private readonly isolatedEnds: number[] = [];

  constructor(readonly normalizer: CharNormalizer) {}

  scan(text: string, from: number, to: number, emit: WordSink): void {
    const kinds = this.normalizer.asciiKind;
    const lower = this.normalizer.lowercase;
    const starts = this.starts;
    const ends = this.ends;
    starts.length = 0;
    ends.length = 0;
    let open = false;
    let word = '';
    const close = (): void => {
      emit(word, -1, starts, ends);
      open = false;
      word = '';
      starts.length = 0;
      ends.length = 0;
    };

    let i = from;
    while (i < to) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        const kind = kinds[c];
        if (kind === KIND_WORD) {
          let j = i + 1;
          let d = 0;
          while (j < to && (d = text.charCodeAt(j)) < 128 && kinds[d] === KIND_WORD) j++;
          const run = lower ? text.slice(i, j).toLowerCase() : text.slice(i, j);
          if (!open && (j === to || (d < 128 && kinds[d] !== KIND_REMOVED))) {
            emit(run, i, null, null);
          } else {
            open = true;
            word += run;
            for (let k = i; k < j; k++) {
              starts.push(k);
              ends.push(k + 1);
            }
          }
          i = j;
        } else {
          if (open && (kind === KIND_SPACE || kind === KIND_ISOLATED)) close();
          if (kind === KIND_ISOLATED) emit(text[i]!, i, null, null);
          i++;
        }
        continue;
      }

      const cp = codePointAt(text, i, to);
      const len = cp > 0xffff ? 2 : 1;
      const pieces = this.normalizer.entry(cp).pieces;
      for (let p = 0; p < pieces.length; p++) {
        const piece = pieces[p]!;
        if (piece.kind === KIND_WORD) {
          open = true;
          word += piece.text;
          for (let k = 0; k < piece.text.length; k++) {
            starts.push(i);
            ends.push(i + len);
          }
        } else {
          if (open) close();
          if (piece.kind === KIND_ISOLATED) this.emitIsolated(piece.text, i, i + len, emit);
        }
      }
      i += len;
    }
    if (open) close();
  }

  private emitIsolated(text: string, start: number, end: number, emit: WordSink): void {
    const starts = this.isolatedStarts;
    const ends = this.isolatedEnds;
    starts.length = 0;
    ends.length = 0;
    for (let k = 0; k < text.length; k++) {
      starts.push(start);
      ends.push(end);
    }
    emit(text, -1, starts, ends);
  }
}
