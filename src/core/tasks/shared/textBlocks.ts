/**
 * Cuts a long text into blocks of at most `maxChars` UTF-16 units so that tokenization and windows of
 * a multi-megabyte document need bounded memory. Cuts fall on a blank line when one exists in the
 * second half of the block, else on a line break, else on whitespace, else between code points, so
 * an entity is split only if it spans a line break with no other break nearby.
 */
export function textBlocks(text: string, maxChars: number): Array<[number, number]> {
  if (text.length <= maxChars) return [[0, text.length]];
  const blocks: Array<[number, number]> = [];
  let start = 0;
  while (start < text.length) {
    if (text.length - start <= maxChars) {
      blocks.push([start, text.length]);
      break;
    }
    const limit = start + maxChars;
    const floor = start + Math.floor(maxChars / 2);
    let cut = lastBreak(text, '\n\n', floor, limit);
    if (cut < 0) cut = lastBreak(text, '\n', floor, limit);
    if (cut < 0) cut = lastWhitespace(text, floor, limit);
    if (cut < 0) {
      cut = limit;
      // Never cut a surrogate pair.
      const code = text.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
    }
    blocks.push([start, cut]);
    start = cut;
  }
  return blocks;
}

function lastBreak(text: string, separator: string, floor: number, limit: number): number {
  const at = text.lastIndexOf(separator, limit - separator.length);
  return at >= floor ? at + separator.length : -1;
}

function lastWhitespace(text: string, floor: number, limit: number): number {
  for (let i = limit - 1; i >= floor; i--) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) return i + 1;
  }
  return -1;
}
