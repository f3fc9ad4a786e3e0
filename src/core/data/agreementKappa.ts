/**
 * Cohen's κ for two raters who each put every item into one category:
 * κ = (po − pe) / (1 − pe), po the share of items on which they agree, pe = Σ_k pA(k)·pB(k) the
 * agreement expected by chance from each rater's own category shares (Cohen 1960; sklearn's
 * `cohen_kappa_score` without weights).
 */
export interface KappaResult {
  /** Items rated by both. */
  items: number;
  /** po. */
  observed: number | null;
  /** pe. */
  expected: number | null;
  /**
   * null when undefined: no items, or pe = 1 (both raters used one and the same category for every
   * item, where sklearn returns NaN).
   */
  kappa: number | null;
}

/** Accumulates (category of A, category of B) pairs; categories are any strings. */
export class KappaCounter {
  private agreements = 0;
  private total = 0;
  private readonly countsA = new Map<string, number>();
  private readonly countsB = new Map<string, number>();

  add(a: string, b: string): void {
    this.total++;
    if (a === b) this.agreements++;
    this.countsA.set(a, (this.countsA.get(a) ?? 0) + 1);
    this.countsB.set(b, (this.countsB.get(b) ?? 0) + 1);
  }

  result(): KappaResult {
    const n = this.total;
    if (n === 0) return { items: 0, observed: null, expected: null, kappa: null };
    const observed = this.agreements / n;
    let expected = 0;
    for (const [category, countA] of this.countsA) expected += (countA / n) * ((this.countsB.get(category) ?? 0) / n);
    // pe is a sum of products of fractions: compare with a tolerance, not for exact equality to 1.
    const kappa = 1 - expected < 1e-12 ? null : (observed - expected) / (1 - expected);
    return { items: n, observed, expected, kappa };
  }
}

export function cohenKappa(pairs: Iterable<readonly [string, string]>): KappaResult {
  const counter = new KappaCounter();
  for (const [a, b] of pairs) counter.add(a, b);
  return counter.result();
}
