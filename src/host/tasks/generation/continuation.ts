/** At most this much text before the cursor is sent; the worker keeps what the model can read of its end. */
export const MAX_PROMPT_CHARS = 4000;

/**
 * The prompt for "Continue Text" and where the continuation goes: the selection, inserted after it;
 * else the text before the cursor (its last MAX_PROMPT_CHARS, cut at a whitespace), inserted at the cursor.
 */
export function continuationPrompt(text: string, selection: { start: number; end: number }, cursor: number): { prompt: string; insertAt: number } {
  const start = Math.min(selection.start, selection.end);
  const end = Math.max(selection.start, selection.end);
  if (end > start) return { prompt: text.slice(start, end), insertAt: end };
  let from = Math.max(0, cursor - MAX_PROMPT_CHARS);
  if (from > 0) {
    const space = text.slice(from, cursor).search(/\s/);
    if (space >= 0) from += space + 1;
  }
  return { prompt: text.slice(from, cursor), insertAt: cursor };
}

/**
 * The continuation as it is inserted: the model's text starts with the space the WordPiece decoder
 * puts between words; after whitespace (or at the very start) that space goes.
 */
export function insertedText(continuation: string, charBefore: string | undefined): string {
  if (charBefore === undefined || charBefore === '' || /\s/.test(charBefore)) return continuation.replace(/^[ \t]+/, '');
  return continuation;
}

/** The edit that turns the text shown so far into the next text: keep their common start, replace the rest. */
export function streamEdit(shown: string, next: string): { keep: number; remove: number; insert: string } {
  let keep = 0;
  const limit = Math.min(shown.length, next.length);
  while (keep < limit && shown.charCodeAt(keep) === next.charCodeAt(keep)) keep++;
  // Never split a surrogate pair.
  if (keep > 0 && keep < next.length && /[\uD800-\uDBFF]/.test(next[keep - 1]!)) keep--;
  return { keep, remove: shown.length - keep, insert: next.slice(keep) };
}
