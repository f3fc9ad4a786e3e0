import type { TextSpan } from '../nsp/sentencePair';

export type ParsedChoices = { prompt: TextSpan; choices: TextSpan[] } | { error: string };

/** A list marker before a choice: "-", "*", "•", "+", or "1." "1)" "a)" "(b)" "C." — followed by a space. */
const CHOICE_MARKER = /^(?:[-*•+]|\(?(?:\d{1,2}|[A-Za-z])[.)])[ \t]+/;

/**
 * A multiple-choice question as written in the editor (offsets into `text`, from `offset` on): the
 * first non-blank line is the prompt, every further non-blank line a choice; list markers before a
 * choice are not part of it. Fewer than two choices is an error the user can act on.
 */
export function parseChoices(text: string, offset = 0): ParsedChoices {
  const lines: TextSpan[] = [];
  const pattern = /[^\r\n]+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    let start = match.index;
    let end = start + match[0].length;
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    if (end > start) lines.push({ start: offset + start, end: offset + end, text: text.slice(start, end) });
  }
  if (lines.length === 0) return { error: 'nothing to score: write a prompt line followed by one line per choice, and select them' };
  const [prompt, ...rest] = lines;
  const choices = rest.map((line) => {
    const marker = CHOICE_MARKER.exec(line.text);
    if (!marker || marker[0].length >= line.text.length) return line;
    return { start: line.start + marker[0].length, end: line.end, text: line.text.slice(marker[0].length) };
  });
  if (choices.length < 2) {
    return { error: `multiple choice needs a prompt line followed by at least two choice lines; found ${choices.length} choice line${choices.length === 1 ? '' : 's'}` };
  }
  return { prompt: prompt!, choices };
}

/** The paragraph (lines between blank lines) around `offset`, for a command run without a selection. */
export function paragraphAround(text: string, offset: number): { start: number; end: number } {
  const breaks = /\r?\n[ \t]*(?:\r?\n[ \t]*)+/g;
  let start = 0;
  let end = text.length;
  for (const match of text.matchAll(breaks)) {
    const breakEnd = match.index + match[0].length;
    if (breakEnd <= offset) start = breakEnd;
    else if (match.index >= offset) {
      end = match.index;
      break;
    }
  }
  return { start, end };
}
