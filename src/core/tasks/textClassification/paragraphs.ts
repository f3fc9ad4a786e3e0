/**
 * Paragraphs of a text: runs separated by at least one blank line (a line with only spaces or tabs),
 * as [start, end) UTF-16 offsets with surrounding whitespace excluded. Whitespace-only text has none.
 */
export function paragraphRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const separator = /\r?\n[ \t]*(?:\r?\n[ \t]*)+/g;
  let from = 0;
  const push = (start: number, end: number): void => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start) ranges.push([start, end]);
  };
  for (const match of text.matchAll(separator)) {
    push(from, match.index);
    from = match.index + match[0].length;
  }
  push(from, text.length);
  return ranges;
}
