/** A piece of a document: UTF-16 offsets and its text. */
export interface TextSpan {
  start: number;
  end: number;
  text: string;
}

export type SentencePair = { a: TextSpan; b: TextSpan; note?: string } | { error: string };

/** Sentence-final punctuation, then closing quotes or brackets, then whitespace or the end. */
const SENTENCE_END = /[.!?…。！？]+["'”’»)\]]*(?=\s|$)/g;
/** A blank line ends a sentence too (a heading or a paragraph without final punctuation). */
const PARAGRAPH_BREAK = /\r?\n[ \t]*\r?\n|\r[ \t]*\r/g;

function span(text: string, start: number, end: number): TextSpan {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end, text: text.slice(start, end) };
}

/** Where the sentence that begins at or after `from` ends: after its final punctuation, at a blank line, or at the end. */
function sentenceEnd(text: string, from: number): number {
  let end = text.length;
  for (const pattern of [SENTENCE_END, PARAGRAPH_BREAK]) {
    pattern.lastIndex = from;
    const match = pattern.exec(text);
    if (match) end = Math.min(end, pattern === SENTENCE_END ? match.index + match[0].length : match.index);
  }
  return end;
}

/** The sentence that starts at the first non-space character at or after `offset`; undefined at the end of the text. */
export function sentenceAfter(text: string, offset: number): TextSpan | undefined {
  let start = offset;
  while (start < text.length && /\s/.test(text[start]!)) start++;
  if (start >= text.length) return undefined;
  const result = span(text, start, sentenceEnd(text, start));
  return result.text === '' ? undefined : result;
}

/**
 * The sentence around `offset`: the one that starts after the last sentence end before the offset
 * (a caret right after a full stop still belongs to that sentence) or the last blank line at or
 * before it (a caret at a paragraph's start belongs to the paragraph).
 */
export function sentenceAt(text: string, offset: number): TextSpan | undefined {
  let start = 0;
  const after = (pattern: RegExp, before: (end: number) => boolean): void => {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match && before(match.index + match[0].length); match = pattern.exec(text)) {
      start = Math.max(start, match.index + match[0].length);
    }
  };
  after(SENTENCE_END, (end) => end < offset);
  after(PARAGRAPH_BREAK, (end) => end <= offset);
  return sentenceAfter(text, start);
}

/**
 * Sentences A and B for next-sentence prediction, from the editor's selections (document offsets):
 * two selections → A is the first in the document, B the second; one selection → A is the
 * selection, B the sentence after it; no selection → A is the sentence at the cursor, B the next one.
 */
export function sentencePair(text: string, selections: ReadonlyArray<{ start: number; end: number }>, cursor: number): SentencePair {
  const chosen = selections
    .map(({ start, end }) => span(text, Math.min(start, end), Math.max(start, end)))
    .filter((s) => s.text !== '')
    .sort((x, y) => x.start - y.start);
  if (chosen.length >= 2) {
    const note = chosen.length > 2 ? `${chosen.length} selections: the first two are used` : undefined;
    return note ? { a: chosen[0]!, b: chosen[1]!, note } : { a: chosen[0]!, b: chosen[1]! };
  }
  const a = chosen[0] ?? sentenceAt(text, cursor);
  if (!a) return { error: 'nothing to compare: select sentence A (and, with Alt+click, sentence B), or put the cursor in a sentence that has another after it' };
  const b = sentenceAfter(text, a.end);
  if (!b) return { error: `no sentence follows ${chosen[0] ? 'the selection' : 'the sentence at the cursor'}: select sentence B as a second selection (Alt+click)` };
  return { a, b };
}
