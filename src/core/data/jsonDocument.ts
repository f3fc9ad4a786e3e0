import { describeError, lineIndex, type ParseIssue } from './parseResult';

/**
 * Reads a JSON file that holds an array of records (Label Studio's export, a label list) so that each
 * record has a line number, and one malformed record does not cost the others: the elements of the
 * top-level array are located by a small scanner (strings, escapes, nesting) and parsed one by one.
 */

export interface JsonElement {
  /** 1-based line where the element starts. */
  line: number;
  /** 0-based position in the array. */
  index: number;
  value: unknown;
}

interface Slice {
  start: number;
  end: number;
}

/** [start, end) of each top-level element of a JSON array; undefined when text is not an array. */
function topLevelSlices(text: string, resynchronise = false): Slice[] | undefined {
  let i = 0;
  while (i < text.length && /[\s\ufeff]/.test(text[i]!)) i++;
  if (text[i] !== '[') return undefined;
  const slices: Slice[] = [];
  let depth = 0;
  let inString = false;
  let elementStart = -1;
  let elementColumn = -1; // column of the first element: in a pretty-printed file, where each element begins
  let lineStart = 0;
  const finish = (end: number): void => {
    if (elementStart >= 0 && text.slice(elementStart, end).trim() !== '') slices.push({ start: elementStart, end });
    elementStart = -1;
  };
  for (i = i + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') lineStart = i + 1;
    // A broken element (unbalanced brackets) would swallow the rest: in a file known to be invalid, a line
    // that opens an object at the first element's column starts the next element.
    if (resynchronise && depth > 0 && c === '{' && i - lineStart === elementColumn && text.slice(lineStart, i).trim() === '') {
      finish(i);
      depth = 0;
      inString = false;
    }
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      else if (c === '\n') inString = false; // JSON strings cannot span lines: resynchronise
      continue;
    }
    if (depth === 0 && (c === ',' || c === ']')) {
      finish(i);
      if (c === ']') return slices;
      continue;
    }
    if (elementStart < 0 && !/\s/.test(c)) {
      elementStart = i;
      if (elementColumn < 0) elementColumn = i - lineStart;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
  }
  finish(text.length);
  return slices;
}

/** Line of a JSON.parse error: V8 names a position for most errors ("... in JSON at position 17"). */
function errorLine(lineOf: (offset: number) => number, error: unknown, base = 0): number {
  const position = /in JSON at position (\d+)/.exec(describeError(error));
  return lineOf(base + (position ? Number(position[1]) : 0));
}

/** Elements of a top-level JSON array, each with its line; malformed elements become errors. */
export function parseJsonArray(text: string, file: string): { elements: JsonElement[]; errors: ParseIssue[] } {
  const errors: ParseIssue[] = [];
  const lineOf = lineIndex(text);
  try {
    const value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
    if (!Array.isArray(value)) return { elements: [], errors: [{ file, line: 1, message: 'expected a JSON array of tasks' }] };
    const slices = topLevelSlices(text);
    const lines = slices && slices.length === value.length ? slices.map((slice) => lineOf(slice.start)) : undefined;
    return { elements: value.map((item, index) => ({ line: lines?.[index] ?? 1, index, value: item as unknown })), errors };
  } catch (error) {
    const slices = topLevelSlices(text, true);
    if (!slices) return { elements: [], errors: [{ file, line: errorLine(lineOf, error), message: `not valid JSON: ${describeError(error)}` }] };
    const elements: JsonElement[] = [];
    slices.forEach((slice, index) => {
      const line = lineOf(slice.start);
      try {
        elements.push({ line, index, value: JSON.parse(text.slice(slice.start, slice.end)) as unknown });
      } catch (elementError) {
        errors.push({ file, line: errorLine(lineOf, elementError, slice.start), message: `element ${index} is not valid JSON: ${describeError(elementError)}` });
      }
    });
    if (errors.length === 0) errors.push({ file, line: errorLine(lineOf, error), message: `not valid JSON: ${describeError(error)}` });
    return { elements, errors };
  }
}
