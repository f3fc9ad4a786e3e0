/**
 * HF `gather_pre_entities`' subword test. With a `continuing_subword_prefix` (WordPiece "##") a token is a
 * subword when `len(token) != len(sentence[start:end])`; Python's len counts code points, so both sides are
 * measured in code points here although the offsets are UTF-16. Without a prefix HF falls back to "no space
 * just before or at the start of the token".
 */
export function isSubwordToken(
  text: string, token: string, start: number, end: number, continuingSubwordPrefix: string | null | undefined,
): boolean {
  if (continuingSubwordPrefix) {
    return codePointLength(token, 0, token.length) !== codePointLength(text, start, end);
  }
  return start > 0 && text.charAt(start - 1) !== ' ' && text.charAt(start) !== ' ';
}

/** Number of code points in s[start, end) (a surrogate pair counts once). */
export function codePointLength(s: string, start: number, end: number): number {
  let count = end - start;
  for (let i = start; i < end - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
