import type { Encoding } from '../../runtime/tokenizer/encoding';
import type { TokenClassificationResult } from './types';

/** Character edges of a window's content where a word was cut in two by the window border. */
export interface WindowCuts {
  /** The window starts inside a word: its first content character. */
  leading?: number;
  /** The window ends inside a word: its last content character's end. */
  trailing?: number;
}

function contentRange(encoding: Encoding): [number, number] | undefined {
  let first = -1;
  let last = -1;
  encoding.specialTokensMask.forEach((special, t) => {
    if (special) return;
    if (first < 0) first = t;
    last = t;
  });
  return first < 0 ? undefined : [first, last];
}

/**
 * Where consecutive overlapping windows (HF `return_overflowing_tokens` with a stride) cut words:
 * a window starts inside a word when its first token shares its word id with the token before it in
 * the text (found in the previous window), and ends inside one when the token after its last one
 * (found in the following window) shares the last one's word id. Word ids come from the tokenizer,
 * so this holds for WordPiece, byte-level BPE and SentencePiece alike. Only for windows that overlap
 * their neighbours: without overlap nothing sees the word whole.
 */
export function windowCuts(windows: readonly Encoding[], stride: number): WindowCuts[] {
  if (stride <= 0 || windows.length < 2) return windows.map(() => ({}));
  return windows.map((encoding, w) => {
    const range = contentRange(encoding);
    if (!range) return {};
    const cuts: WindowCuts = {};
    const [firstStart] = encoding.offsets[range[0]]!;
    const firstWord = encoding.wordIds[range[0]];
    const previous = windows[w - 1];
    if (previous && firstWord !== null && firstWord !== undefined) {
      const before = previous.offsets.findIndex(([start], t) => !previous.specialTokensMask[t] && start < firstStart && previous.wordIds[t] === firstWord);
      if (before >= 0) cuts.leading = firstStart;
    }
    const next = windows[w + 1];
    const lastWord = encoding.wordIds[range[1]];
    if (next && lastWord !== null && lastWord !== undefined) {
      const end = encoding.offsets[range[1]]![1];
      const following = next.offsets.findIndex(([start], t) => !next.specialTokensMask[t] && start >= end);
      if (following >= 0 && next.wordIds[following] === lastWord) cuts.trailing = end;
    }
    return cuts;
  });
}

/**
 * Drops a window's word-level entities that contain a cut word: the neighbouring window, which
 * overlaps this one, holds that word whole and decides its label (HF's overlap resolution would
 * otherwise keep a fragment such as "afé" of "café" whenever the whole word is not an entity).
 */
export function withoutCutWords<T extends TokenClassificationResult>(entities: readonly T[], cuts: WindowCuts): T[] {
  return entities.filter((e) => !(cuts.leading !== undefined && e.start <= cuts.leading) && !(cuts.trailing !== undefined && e.end >= cuts.trailing));
}
