import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../util/jsonDepth';
import { jsonErrorLocation, jsonSyntaxErrorOffset, jsonValueEnd } from '../util/jsonSyntax';
import { describeError, lineIndex, type ParseIssue } from './parseResult';

/**
 * Reads a JSON file that holds an array of records (Label Studio's export, a label list) so that each
 * record has a line number, and one malformed record does not cost the others: the elements of the
 * top-level array are located by a small iterative scanner (strings, escapes, nesting) and parsed one
 * by one. After a broken element the scanner resynchronises at the next top-level element, whether
 * the array is pretty-printed or written on a single line.
 */

export interface JsonElement {
  /** 1-based line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
  value: unknown;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0xfeff;
}

/** Characters a JSON value can start with: `{ [ "`, a digit or minus, or the first letter of true/false/null. */
function startsValue(code: number): boolean {
  return code === OPEN_BRACE || code === OPEN_BRACKET || code === QUOTE || code === 0x2d || (code >= 0x30 && code <= 0x39) || code === 0x74 || code === 0x66 || code === 0x6e;
}

/** What the elements read so far have in common; a resynchronisation point must look like them. */
interface ElementShape {
  kind: string;
  /** For objects: the keys of the first element read (Label Studio tasks: id, data, …; their inner results lack data). */
  keys?: Set<string>;
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** The shape of `samples` (the first element read and the last of the file): fixed once taken, so a damaged element read as valid cannot widen it. */
function shapeOf(samples: unknown[]): ElementShape | undefined {
  let shape: ElementShape | undefined;
  for (const value of samples) {
    const kind = kindOf(value);
    if (!shape) shape = { kind, keys: kind === 'object' ? new Set(Object.keys(value as object)) : undefined };
    else if (shape.kind !== kind) return { kind: 'any' };
    else if (shape.keys) for (const key of [...shape.keys]) if (!Object.hasOwn(value as object, key)) shape.keys.delete(key);
  }
  return shape;
}

function fitsShape(shape: ElementShape | undefined, value: unknown): boolean {
  if (!shape || shape.kind === 'any') return true;
  if (kindOf(value) !== shape.kind) return false;
  // At least half the keys of the first element: tasks differ (some lack annotations or meta), and
  // share far fewer with the objects nested in them (a result has only "id" in common with a task).
  if (!shape.keys || shape.keys.size === 0) return true;
  const shared = [...shape.keys].filter((key) => Object.hasOwn(value as object, key)).length;
  return 2 * shared >= shape.keys.size;
}

class ArrayScanner {
  /** Characters the resynchronisation may still scan: a hostile file cannot make it quadratic. */
  private budget: number;
  exhausted = false;

  constructor(private readonly text: string) {
    this.budget = 32 * text.length + 1_000_000;
  }

  skipSpace(from: number): number {
    let i = from;
    while (i < this.text.length && isSpace(this.text.charCodeAt(i))) i++;
    return i;
  }

  /**
   * Index just past the JSON value that starts at `start` (brackets must match, strings must close on
   * their line), or -1 when it does not end well-formed. Iterative: any nesting depth is safe.
   */
  valueEnd(start: number): number {
    const text = this.text;
    const first = text.charCodeAt(start);
    if (first === QUOTE) return this.stringEnd(start);
    if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
      let i = start;
      while (i < text.length) {
        const code = text.charCodeAt(i);
        if (code === COMMA || code === CLOSE_BRACKET || code === CLOSE_BRACE || isSpace(code)) break;
        i++;
      }
      return i;
    }
    const closers: number[] = [];
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) {
        const end = this.stringEnd(i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (code === OPEN_BRACE) closers.push(CLOSE_BRACE);
      else if (code === OPEN_BRACKET) closers.push(CLOSE_BRACKET);
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (closers.pop() !== code) return -1;
        if (closers.length === 0) return i + 1;
      }
    }
    return -1;
  }

  /** Index just past the string literal that opens at `start`; -1 when it meets a line break or the end first. */
  private stringEnd(start: number): number {
    const text = this.text;
    for (let i = start + 1; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) return i + 1;
      else if (code < 0x20) return -1;
    }
    return -1;
  }

  /** Spends scanning budget; false once it is spent. */
  charge(characters: number): boolean {
    this.budget -= characters;
    if (this.budget < 0) this.exhausted = true;
    return !this.exhausted;
  }

  /**
   * Start of the next element after a broken one: the first value after a comma that opens with
   * `opening` (when known), is well-formed, parses, is followed by `,` or by the closing `]` of the
   * file, and that `looksLikeElement` accepts (so an object nested inside the broken element is not
   * taken for a task). Undefined when none.
   */
  nextElement(
    from: number,
    opening: number | undefined,
    looksLikeElement: (value: unknown, start: number) => boolean,
  ): { start: number; end: number; value: unknown } | undefined {
    const text = this.text;
    for (let comma = text.indexOf(',', from); comma >= 0; comma = text.indexOf(',', comma + 1)) {
      const start = this.skipSpace(comma + 1);
      const code = text.charCodeAt(start);
      if (!startsValue(code)) continue;
      if (opening !== undefined && code !== opening) continue;
      const end = jsonValueEnd(text, start);
      if (!this.charge((end < 0 ? -1 - end : end) - comma)) return undefined;
      if (end < 0) continue;
      const after = this.skipSpace(end);
      const next = text.charCodeAt(after);
      const closesFile = next === CLOSE_BRACKET && this.skipSpace(after + 1) >= text.length;
      if (!(next === COMMA || closesFile || after >= text.length)) continue;
      let value: unknown;
      try {
        value = JSON.parse(text.slice(start, end)) as unknown;
      } catch {
        continue;
      }
      if (looksLikeElement(value, start)) return { start, end, value };
    }
    return undefined;
  }

  /**
   * With no element read yet to compare with, whether the elements from `start` on (comma-separated)
   * end at the closing "]" of the file, as top-level elements do, rather than at a "]" inside a task
   * (the results of a broken first task). A broken element on the way leaves it open: true.
   */
  chainReachesTopLevelEnd(start: number): boolean {
    const text = this.text;
    let position = start;
    for (;;) {
      const end = jsonValueEnd(text, position);
      if (!this.charge((end < 0 ? -1 - end : end) - position)) return false;
      if (end < 0) return true;
      const after = this.skipSpace(end);
      const next = text.charCodeAt(after);
      if (next === COMMA) position = this.skipSpace(after + 1);
      else if (next === CLOSE_BRACKET) return this.skipSpace(after + 1) >= text.length;
      else return true;
    }
  }
}

export interface JsonArrayOptions {
  /**
   * What an element of this kind of file looks like (a Label Studio task: an object with a "data"
   * object). After a broken element, reading resumes only at a value it accepts, so the objects inside
   * a broken element are never taken for elements, even when the broken one is the first. Without it,
   * a resynchronisation point must look like the first element read (or, before any, open with the
   * same bracket as the broken one and be followed by elements that reach the closing "]").
   */
  looksLikeElement?: (value: unknown) => boolean;
}

/** Elements of a top-level JSON array, each with its line; malformed elements become errors. */
export function parseJsonArray(text: string, file: string, options: JsonArrayOptions = {}): { elements: JsonElement[]; errors: ParseIssue[] } {
  const lineOf = lineIndex(text);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (error) {
    return resynchronisingParse(text, file, lineOf, error, options.looksLikeElement);
  }
  if (!Array.isArray(value)) return { elements: [], errors: [{ file, line: 1, message: 'expected a JSON array of tasks' }] };
  const starts = elementStarts(text);
  const lines = starts.length === value.length ? starts.map(lineOf) : undefined;
  const elements: JsonElement[] = [];
  const errors: ParseIssue[] = [];
  value.forEach((item: unknown, index) => {
    const line = lines?.[index] ?? 1;
    // Nesting d levels deep takes at least 2d characters: an element with less text needs no walk.
    const length = lines ? (starts[index + 1] ?? text.length) - starts[index]! : text.length;
    if (length > 2 * MAX_JSON_DEPTH && exceedsJsonDepth(item)) errors.push({ file, line, message: tooDeep(index) });
    else elements.push({ line, index, value: item });
  });
  return { elements, errors };
}

function tooDeep(index: number): string {
  return `element ${index} is nested deeper than ${MAX_JSON_DEPTH} levels; skipped`;
}

/** Where each element of a well-formed array starts. */
function elementStarts(text: string): number[] {
  const scanner = new ArrayScanner(text);
  const starts: number[] = [];
  let position = scanner.skipSpace(0) + 1;
  for (;;) {
    position = scanner.skipSpace(position);
    const code = text.charCodeAt(position);
    if (position >= text.length || code === CLOSE_BRACKET) return starts;
    const end = scanner.valueEnd(position);
    if (end < 0) return starts;
    starts.push(position);
    position = scanner.skipSpace(end);
    if (text.charCodeAt(position) === COMMA) position++;
  }
}

/**
 * The broken elements in the stretch [start, end) between two readable ones. In a pretty-printed file
 * every element opens at one indentation (that of `layoutAt`: the next readable element, else the
 * last one read) and closes on a line at that indentation ending with "}," (or "],"): each line after
 * such a closing line starts another broken element, reported at its own line, even one that lost its
 * opening bracket; so does a line that holds the opening bracket alone at that indentation after a
 * line ending with a comma (the closing line before it may be the damaged one). In a file on one
 * line adjacent broken elements cannot be told apart: the stretch is one.
 */
function brokenElements(text: string, start: number, end: number, layoutAt: number): Array<[number, number]> {
  const lineStart = text.lastIndexOf('\n', layoutAt - 1) + 1;
  const indent = text.slice(lineStart, layoutAt);
  const opener = text[layoutAt];
  if (lineStart === 0 || !/^[ \t]*$/.test(indent) || (opener !== '{' && opener !== '[')) return [[start, end]];
  const closing = opener === '{' ? '},' : '],';
  // A line that holds the bracket alone, as JSON.stringify opens every element: when the first one does too.
  const firstLineEnd = text.indexOf('\n', layoutAt);
  const openingLine = firstLineEnd >= 0 && text.slice(layoutAt, firstLineEnd).trimEnd() === opener ? `${indent}${opener}` : undefined;
  const starts = [start];
  for (let line = text.lastIndexOf('\n', start - 1) + 1; line < end; ) {
    const newline = text.indexOf('\n', line);
    if (newline < 0 || newline >= end) break;
    const next = newline + 1;
    const content = text.slice(line, newline).trimEnd();
    const opensLine = text.slice(next, text.indexOf('\n', next) < 0 ? end : text.indexOf('\n', next)).trimEnd() === openingLine;
    if ((text.startsWith(indent, line) && !isSpace(text.charCodeAt(line + indent.length)) && content.endsWith(closing)) || (opensLine && content.endsWith(','))) {
      let elementStart = next;
      while (elementStart < end && isSpace(text.charCodeAt(elementStart))) elementStart++;
      if (elementStart < end && elementStart > starts[starts.length - 1]!) starts.push(elementStart);
    }
    line = next;
  }
  return starts.map((from, i) => [from, starts[i + 1] ?? end]);
}

function resynchronisingParse(
  text: string,
  file: string,
  lineOf: (offset: number) => number,
  wholeError: unknown,
  looksLikeElement: ((value: unknown) => boolean) | undefined,
): { elements: JsonElement[]; errors: ParseIssue[] } {
  const elements: JsonElement[] = [];
  const errors: ParseIssue[] = [];
  const scanner = new ArrayScanner(text);
  const wholeFileError = (): ParseIssue => ({ file, line: lineOf(jsonSyntaxErrorOffset(text) ?? 0), message: `not valid JSON: ${describeError(wholeError)}` });
  let position = scanner.skipSpace(0);
  if (text.charCodeAt(position) !== OPEN_BRACKET) return { elements, errors: [wholeFileError()] };
  position++;
  let lineStarts: number[] | undefined;
  const columnOf = (offset: number): number => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    }
    return offset - lineStarts[lineOf(offset) - 1]! + 1;
  };
  const report = (offset: number, message: string): void => void errors.push({ file, line: lineOf(offset), message: `${message} (at column ${columnOf(offset)})` });
  // The shape resynchronisation points must have: the first element read (a damaged last element
  // could read as one of its inner objects, so the end of the file is not sampled).
  let shape: ElementShape | undefined;
  let lastElementStart: number | undefined;
  const accept = (start: number, end: number, index: number, item: unknown): void => {
    // Nesting d levels deep takes at least 2d characters: short elements need no walk.
    if (end - start > 2 * MAX_JSON_DEPTH && exceedsJsonDepth(item)) {
      report(start, tooDeep(index));
      return;
    }
    elements.push({ line: lineOf(start), index, value: item });
    lastElementStart = start;
    shape ??= shapeOf([item]);
  };
  /** Whether `value` (at `start`) can be the next element: the caller's rule, else the first element's shape, else a chain that reaches the end. */
  const fits = (value: unknown, start: number): boolean =>
    looksLikeElement ? looksLikeElement(value) : shape ? fitsShape(shape, value) : scanner.chainReachesTopLevelEnd(start);
  /** The bracket the next element must open with: the first element's, else the broken one's (a broken "{" element is a broken object, and a string or number inside it is not the next task). */
  const openingAfter = (broken: number | undefined): number | undefined => {
    const kind = shape?.kind ?? (broken === OPEN_BRACE ? 'object' : broken === OPEN_BRACKET ? 'array' : undefined);
    return kind === 'object' ? OPEN_BRACE : kind === 'array' ? OPEN_BRACKET : undefined;
  };
  let index = 0;
  let closed = false;
  for (;;) {
    position = scanner.skipSpace(position);
    if (position >= text.length) break;
    const code = text.charCodeAt(position);
    if (code === CLOSE_BRACKET) {
      const rest = scanner.skipSpace(position + 1);
      if (rest >= text.length) {
        closed = true;
        break;
      }
      // A "]" before the end (a damaged element's extra bracket): resynchronise rather than stop reading.
      const next = scanner.nextElement(position + 1, openingAfter(undefined), fits);
      report(position, `an unexpected "]" after element ${index - 1}${next ? '' : '; the text after it was not read'}`);
      if (!next) {
        closed = true;
        break;
      }
      position = next.start;
      continue;
    }
    if (code === COMMA) {
      report(position, index === 0 ? 'a comma before the first element' : `a comma after element ${index - 1} with no element`);
      position++;
      continue;
    }
    // The grammar is checked as the element is scanned, so a broken one is found where it breaks.
    const end = startsValue(code) ? jsonValueEnd(text, position) : -1 - position;
    scanner.charge((end < 0 ? -1 - end : end) - position);
    if (end >= 0) {
      const after = scanner.skipSpace(end);
      const next = text.charCodeAt(after);
      let item: unknown;
      let parsed = false;
      try {
        item = JSON.parse(text.slice(position, end)) as unknown;
        parsed = true;
      } catch {
        // broken inside well-matched brackets: resynchronise below like any other broken element
      }
      if (parsed && (next === COMMA || next === CLOSE_BRACKET || after >= text.length)) {
        accept(position, end, index, item);
        index++;
        position = next === COMMA ? after + 1 : after;
        if (next === COMMA && text.charCodeAt(scanner.skipSpace(position)) === CLOSE_BRACKET) report(after, `a comma after the last element (${index - 1})`);
        continue;
      }
      if (parsed && startsValue(next) && (looksLikeElement ? looksLikeElement(item) : fitsShape(shape, item))) {
        accept(position, end, index, item);
        report(after, `a comma is missing after element ${index}`);
        index++;
        position = after;
        continue;
      }
    }
    const next = scanner.nextElement(position + 1, openingAfter(code), fits);
    const brokenEnd = next ? next.start : text.length;
    for (const [start, end] of brokenElements(text, position, brokenEnd, next?.start ?? lastElementStart ?? position)) {
      // Located in the broken stretch alone (never quoting it: the message names the character only).
      const broken = text.slice(start, end).replace(/[\s,\]]+$/, '');
      const where = jsonSyntaxErrorOffset(broken);
      const reason = where === undefined ? 'no comma after it' : (() => {
        const { problem } = jsonErrorLocation(broken);
        const offset = start + where;
        return `${problem} at line ${lineOf(offset)}, column ${columnOf(offset)}`;
      })();
      report(start, `element ${index} is not valid JSON: ${reason}`);
      index++;
    }
    if (!next) {
      if (scanner.exhausted) report(position, 'could not find where the next element begins; the rest of the file was not read');
      closed = true; // what follows the broken element is unreadable, and already reported with it
      break;
    }
    position = next.start;
  }
  if (!closed) report(text.length, 'the array is not closed with "]"');
  if (errors.length === 0) errors.push(wholeFileError());
  return { elements, errors };
}
