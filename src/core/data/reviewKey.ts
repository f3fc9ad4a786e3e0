import { createHash } from 'node:crypto';

/**
 * The identity of a proposed span for "rejected, never propose again": a hash of the line that
 * holds it (the text between the line breaks around the span), the span's offsets inside that line
 * and its label.
 *
 * Why the line and not the whole document (text hash + offsets): one keystroke anywhere would change
 * every key, and rejections would come back after any edit. Why not a sentence segmenter: its
 * boundaries depend on the segmenter (ICU version, text around the sentence) and on the punctuation,
 * while a line is exact and cheap. An edit inside the line changes the key, and the model's proposal
 * there may well be different then, so proposing it again is right. The same line with the same
 * span and label elsewhere (another copy of a header, another document) shares the key: the same
 * suggestion in the same words was already judged wrong.
 */
export function reviewKey(text: string, start: number, end: number, label: string): string {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', Math.max(end, start));
  if (lineEnd < 0) lineEnd = text.length;
  // CRLF and LF files give the same key.
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  return createHash('sha256')
    .update(JSON.stringify([line, start - lineStart, end - lineStart, label]), 'utf8')
    .digest('hex')
    .slice(0, 32);
}
