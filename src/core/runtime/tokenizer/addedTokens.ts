import { codePointAt, isBertWhitespace, isHighSurrogate, isLowSurrogate, isWordChar } from './charClasses';

/** An entry of tokenizer.json `added_tokens` (HF field meanings, camelCased). */
export interface AddedTokenSpec {
  id: number;
  content: string;
  /** Only match when not glued to word characters on either side. */
  singleWord: boolean;
  /** Also swallow whitespace on the left (the token's offsets then include it). */
  lstrip: boolean;
  /** Also swallow whitespace on the right. */
  rstrip: boolean;
  /** Matched against normalized text (true) or the raw text (false). */
  normalized: boolean;
  /** Counts as a special token (skipped by decode with skipSpecialTokens). */
  special: boolean;
}

export interface AddedTokenMatch {
  start: number;
  end: number;
  id: number;
}

/**
 * Finds added tokens in text the way Rust's AddedVocabulary does: non-overlapping,
 * leftmost-longest matches (aho-corasick LeftmostLongest); a `single_word` match touching a word
 * character is discarded (and its span is not searched again); lstrip/rstrip widen the match over
 * neighbouring whitespace.
 */
export class AddedTokenMatcher {
  private readonly byFirstUnit = new Map<number, Array<{ content: string; token: AddedTokenSpec }>>();
  /** 1 where a UTF-16 unit starts some token: most of the text is skipped without a Map lookup. */
  private readonly startsToken = new Uint8Array(0x10000);

  constructor(tokens: ReadonlyArray<{ content: string; token: AddedTokenSpec }>) {
    for (const entry of tokens) {
      if (entry.content.length === 0) continue;
      const key = entry.content.charCodeAt(0);
      this.startsToken[key] = 1;
      let list = this.byFirstUnit.get(key);
      if (list === undefined) this.byFirstUnit.set(key, (list = []));
      list.push(entry);
    }
    for (const list of this.byFirstUnit.values()) list.sort((a, b) => b.content.length - a.content.length);
  }

  get isEmpty(): boolean {
    return this.byFirstUnit.size === 0;
  }

  find(text: string, from = 0, to = text.length): AddedTokenMatch[] {
    const matches: AddedTokenMatch[] = [];
    if (this.isEmpty) return matches;
    let previousEnd = from;
    let i = from;
    const startsToken = this.startsToken;
    while (i < to) {
      if (startsToken[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      const candidates = this.byFirstUnit.get(text.charCodeAt(i));
      let hit: { content: string; token: AddedTokenSpec } | undefined;
      if (candidates !== undefined) {
        for (const candidate of candidates) {
          const end = i + candidate.content.length;
          if (end <= to && text.startsWith(candidate.content, i) && !splitsSurrogatePair(text, i, end, to)) {
            hit = candidate;
            break;
          }
        }
      }
      if (hit === undefined) {
        i++;
        continue;
      }
      let start = i;
      let end = i + hit.content.length;
      i = end;
      const token = hit.token;
      if (token.singleWord && (touchesWordBefore(text, start, from) || touchesWordAfter(text, end, to))) continue;
      if (token.lstrip) {
        while (start > previousEnd && isBertWhitespace(text.charCodeAt(start - 1))) start--;
      }
      if (token.rstrip) {
        while (end < to && isBertWhitespace(text.charCodeAt(end))) end++;
        i = end;
      }
      matches.push({ start, end, id: token.id });
      previousEnd = end;
    }
    return matches;
  }
}

function splitsSurrogatePair(text: string, start: number, end: number, to: number): boolean {
  return (
    (start > 0 && isLowSurrogate(text.charCodeAt(start)) && isHighSurrogate(text.charCodeAt(start - 1))) ||
    (end < to && isLowSurrogate(text.charCodeAt(end)) && isHighSurrogate(text.charCodeAt(end - 1)))
  );
}

function touchesWordBefore(text: string, start: number, from: number): boolean {
  if (start <= from) return false;
  let i = start - 1;
  if (i > from && isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1))) i--;
  return isWordChar(codePointAt(text, i, start));
}

function touchesWordAfter(text: string, end: number, to: number): boolean {
  return end < to && isWordChar(codePointAt(text, end, to));
}
