/**
 * Word tokenizations with UTF-16 offsets, for the formats that need words (CoNLL, HF token
 * classification) when a document carries no tokens of its own.
 */

export type TokenOffsets = ReadonlyArray<readonly [number, number]>;

/** Maximal runs of non-whitespace. */
export function whitespaceTokens(text: string): Array<[number, number]> {
  const tokens: Array<[number, number]> = [];
  for (const match of text.matchAll(/\S+/gu)) tokens.push([match.index!, match.index! + match[0].length]);
  return tokens;
}

const SEPARATE = /[\p{P}\p{S}\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]|[\u{20000}-\u{2ffff}]/u;

/**
 * Whitespace runs split further so that each punctuation or symbol character, and each CJK ideograph,
 * is its own word: the pre-tokenization of BERT's BasicTokenizer, so that "Paris," gives "Paris" ",".
 */
export function punctuationWordTokens(text: string): Array<[number, number]> {
  const tokens: Array<[number, number]> = [];
  for (const [start, end] of whitespaceTokens(text)) {
    let wordStart = start;
    let i = start;
    while (i < end) {
      const code = text.codePointAt(i)!;
      const width = code > 0xffff ? 2 : 1;
      if (SEPARATE.test(String.fromCodePoint(code))) {
        if (wordStart < i) tokens.push([wordStart, i]);
        tokens.push([i, i + width]);
        wordStart = i + width;
      }
      i += width;
    }
    if (wordStart < end) tokens.push([wordStart, end]);
  }
  return tokens;
}

/** Words joined by single spaces, with each word's offsets in the joined text. */
export function joinWords(words: readonly string[]): { text: string; offsets: Array<[number, number]> } {
  const offsets: Array<[number, number]> = [];
  let position = 0;
  for (const word of words) {
    offsets.push([position, position + word.length]);
    position += word.length + 1;
  }
  return { text: words.join(' '), offsets };
}
