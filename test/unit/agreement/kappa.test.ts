import { describe, expect, it } from 'vitest';
import { cohenKappa } from '../../../src/core/data/agreementKappa';

const pairs = (a: string[], b: string[]): Array<[string, string]> => a.map((x, i) => [x, b[i]!]);

describe("Cohen's κ", () => {
  it('matches a hand computation (two categories, 10 items)', () => {
    // A: yes on items 0-5, no on 6-9; B: yes on 0-3 and 6, no on 4, 5, 7, 8, 9.
    // Agree on 0-3 (yes) and 7-9 (no): po = 7/10. pA(yes) = 6/10, pB(yes) = 5/10.
    // pe = 0.6·0.5 + 0.4·0.5 = 0.5; κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    const a = ['y', 'y', 'y', 'y', 'y', 'y', 'n', 'n', 'n', 'n'];
    const b = ['y', 'y', 'y', 'y', 'n', 'n', 'y', 'n', 'n', 'n'];
    const k = cohenKappa(pairs(a, b));
    expect(k.items).toBe(10);
    expect(k.observed).toBeCloseTo(0.7, 12);
    expect(k.expected).toBeCloseTo(0.5, 12);
    expect(k.kappa).toBeCloseTo(0.4, 12);
  });

  it('matches a hand computation with three categories, one used by one rater only', () => {
    // A: p p q q r r; B: p q q q q r. Agree on items 0, 2, 3, 5: po = 4/6.
    // A shares p 2/6, q 2/6, r 2/6; B p 1/6, q 4/6, r 1/6. pe = (2·1 + 2·4 + 2·1)/36 = 12/36 = 1/3.
    // κ = (2/3 − 1/3) / (2/3) = 0.5.
    const k = cohenKappa(pairs(['p', 'p', 'q', 'q', 'r', 'r'], ['p', 'q', 'q', 'q', 'q', 'r']));
    expect(k.expected).toBeCloseTo(1 / 3, 12);
    expect(k.kappa).toBeCloseTo(0.5, 12);
  });

  it('is 1 for identical ratings, below 0 for systematic disagreement, null when undefined', () => {
    expect(cohenKappa(pairs(['a', 'b', 'a'], ['a', 'b', 'a'])).kappa).toBeCloseTo(1, 12);
    // Always opposite: po = 0, pe = 0.5·0.5 + 0.5·0.5 = 0.5, κ = −1.
    expect(cohenKappa(pairs(['a', 'b', 'a', 'b'], ['b', 'a', 'b', 'a'])).kappa).toBeCloseTo(-1, 12);
    // One category for everything on both sides: pe = 1, κ is 0/0 (sklearn: NaN).
    expect(cohenKappa(pairs(['O', 'O'], ['O', 'O']))).toEqual({ items: 2, observed: 1, expected: 1, kappa: null });
    expect(cohenKappa([])).toEqual({ items: 0, observed: null, expected: null, kappa: null });
  });
});
