import { expect } from 'vitest';

/** BertTokenizer.convert_tokens_to_string — the same stand-in the Python reference uses. */
export function convertTokensToString(tokens: readonly string[]): string {
  return tokens.join(' ').replaceAll(' ##', '').trim();
}

export function expectClose(actual: number, expected: number, tolerance: { relative: number; absolute: number }, what: string): void {
  const allowed = tolerance.absolute + tolerance.relative * Math.abs(expected);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(allowed);
}
