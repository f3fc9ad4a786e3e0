import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';
import { expect } from 'vitest';

/** BertTokenizer.convert_tokens_to_string — the same stand-in the Python reference uses. */
export function convertTokensToString(tokens: readonly string[]): string {
  return tokens.join(' ').replaceAll(' ##', '').trim();
}

export function expectClose(actual: number, expected: number, tolerance: { relative: number; absolute: number }, what: string): void {
  const allowed = tolerance.absolute + tolerance.relative * Math.abs(expected);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(allowed);
}

export const CLS_ID = 101;
export const SEP_ID = 102;
export const UNK_ID = 100;

/** A content token: [token string, start, end, word id, sequence id (default 0)]. */
export type TokenSpec = [string, number, number, number, (0 | 1)?];

/** [CLS] tokens… [SEP] (or, with `pair`, [CLS] first [SEP] second [SEP]) with consistent fields. */
export function encodingOf(tokens: readonly TokenSpec[], pair?: readonly TokenSpec[]): Encoding {
  const ids: number[] = [CLS_ID];
  const typeIds: number[] = [0];
  const offsets: Array<[number, number]> = [[0, 0]];
  const wordIds: Array<number | null> = [null];
  const sequenceIds: Array<number | null> = [null];
  const strings: string[] = ['[CLS]'];
  const special: boolean[] = [true];
  const push = (spec: TokenSpec, sequence: 0 | 1): void => {
    ids.push(spec[0] === '[UNK]' ? UNK_ID : 1000 + ids.length);
    typeIds.push(sequence);
    offsets.push([spec[1], spec[2]]);
    wordIds.push(spec[3]);
    sequenceIds.push(sequence);
    strings.push(spec[0]);
    special.push(false);
  };
  const sep = (sequence: 0 | 1): void => {
    ids.push(SEP_ID);
    typeIds.push(sequence);
    offsets.push([0, 0]);
    wordIds.push(null);
    sequenceIds.push(null);
    strings.push('[SEP]');
    special.push(true);
  };
  for (const spec of tokens) push(spec, 0);
  sep(0);
  if (pair) {
    for (const spec of pair) push(spec, 1);
    sep(1);
  }
  return { ids, typeIds, offsets, wordIds, sequenceIds, tokens: strings, specialTokensMask: special };
}

/** Splits `text` on spaces into one-token words with their offsets (word ids from `firstWord`). */
export function wordsOf(text: string, from = 0, firstWord = 0): TokenSpec[] {
  const specs: TokenSpec[] = [];
  const re = /\S+/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text.slice(from))) !== null) {
    specs.push([match[0], from + match.index, from + match.index + match[0].length, firstWord + specs.length]);
  }
  return specs;
}

/** Logits rows [T, labels.length]: `high` on the named label of each row, 0 elsewhere; null rows all 0. */
export function oneHotLogits(labels: readonly string[], rows: ReadonlyArray<string | null>, high = 5): Float32Array {
  const out = new Float32Array(rows.length * labels.length);
  rows.forEach((label, r) => {
    if (label === null) return;
    const index = labels.indexOf(label);
    if (index < 0) throw new Error(`unknown label ${label}`);
    out[r * labels.length + index] = high;
  });
  return out;
}

/** softmax probability of the winning entry of a one-hot row: e^h / (e^h + (n-1)). */
export function oneHotProbability(high: number, n: number): number {
  return Math.exp(high) / (Math.exp(high) + n - 1);
}
