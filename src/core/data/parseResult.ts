/**
 * The result every parser returns instead of throwing: the records it could read, and one issue per
 * problem with the file and 1-based line, so a user can open the exact spot. Valid records are always
 * kept; one bad line never costs the rest of the file.
 */
export interface ParseIssue {
  file: string;
  /** 1-based line in `file`; 0 when the problem concerns the whole file (e.g. empty input). */
  line: number;
  message: string;
}

export interface ParseResult<T> {
  records: T[];
  /** Input that was not read into `records` (skipped lines, sentences, tasks, spans). */
  errors: ParseIssue[];
  /** Input that was read but changed or interpreted (a tag scheme converted, a duplicate resolved). */
  warnings: ParseIssue[];
}

/** What an exporter produced, plus what it could not represent in the target format. */
export interface ExportResult {
  content: string;
  /** One message per item (document, span) that was left out or altered; empty when lossless. */
  issues: string[];
}

export function emptyResult<T>(): ParseResult<T> {
  return { records: [], errors: [], warnings: [] };
}

export interface SourceLine {
  /** 1-based line number. */
  line: number;
  /** The line without its terminator (`\n` or `\r\n`). */
  text: string;
}

/** Splits text into lines, accepting LF and CRLF endings and a leading byte-order mark. */
export function splitLines(text: string): SourceLine[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parts = body.split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((part, index) => ({
    line: index + 1,
    text: part.endsWith('\r') ? part.slice(0, -1) : part,
  }));
}

/** 1-based line of a UTF-16 offset in `text`. Rescans the text: for many offsets use `lineIndex`. */
export function lineOfOffset(text: string, offset: number): number {
  return lineIndex(text)(offset);
}

/**
 * Line lookup for many offsets into one text: the line starts are found once, each lookup is a
 * binary search, so locating every element of a large file stays linear rather than quadratic.
 */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset: number): number => {
    const target = Math.min(offset, text.length);
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= target) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
