import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../util/jsonDepth';
import { describeError, splitLines, type ParseIssue } from './parseResult';

export interface JsonLine {
  line: number;
  value: unknown;
}

/**
 * Parses JSON Lines: one JSON value per line, blank lines ignored. A line that is not JSON becomes an
 * error naming its line; every other line is still returned. A value nested deeper than MAX_JSON_DEPTH
 * is rejected the same way: later copies, saves and exports of it would overflow the stack.
 */
export function parseJsonLines(text: string, file: string): { values: JsonLine[]; errors: ParseIssue[] } {
  const values: JsonLine[] = [];
  const errors: ParseIssue[] = [];
  for (const { line, text: lineText } of splitLines(text)) {
    if (lineText.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lineText) as unknown;
    } catch (error) {
      errors.push({ file, line, message: `not valid JSON: ${describeError(error)}` });
      continue;
    }
    // Nesting d levels deep takes at least 2d characters: short lines need no walk.
    if (lineText.length > 2 * MAX_JSON_DEPTH && exceedsJsonDepth(value)) errors.push({ file, line, message: `nested deeper than ${MAX_JSON_DEPTH} levels; skipped` });
    else values.push({ line, value });
  }
  return { values, errors };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
