/**
 * Uncertainty of a model's predictions, for choosing what to annotate next (uncertainty sampling,
 * Settles 2009 § 3.1; Prodigy's ner.teach / textcat.teach order by it). Pure functions over
 * probabilities: the model runs elsewhere (scoreUnits.ts).
 *
 * Both measures are scaled to [0, 1] so that they read alike in the queue and a sentence's score does
 * not depend on how many labels the model has:
 * - entropy: −Σ p ln p / ln K (K = the number of labels; 1 for a uniform distribution, 0 for a sure one);
 * - margin: 1 − (p1 − p2), p1 and p2 the two largest probabilities (1 when the best two tie).
 * With a single label (K = 1) there is nothing to choose between and both are 0.
 */
export type UncertaintyMeasure = 'entropy' | 'margin';
export const UNCERTAINTY_MEASURES: readonly UncertaintyMeasure[] = ['entropy', 'margin'];

/**
 * How the scores of a unit's parts (the words of a sentence, the labels of a multi-label model) make
 * the unit's score. `max` (the default): a unit is as uncertain as its most uncertain part. In NER most
 * words are confidently `O`, so a mean mostly measures how many words a sentence has besides the one
 * ambiguous name a labeller would fix; the max ranks that name's sentence first whatever its length.
 * `mean` favours sentences uncertain throughout.
 */
export type UncertaintyReduction = 'max' | 'mean';
export const UNCERTAINTY_REDUCTIONS: readonly UncertaintyReduction[] = ['max', 'mean'];

/** Entropy of probs[start .. start+n) in nats, divided by ln n. Terms with p = 0 count 0 (lim p ln p). */
export function normalizedEntropy(probs: ArrayLike<number>, start = 0, n = probs.length - start): number {
  if (n <= 1) return 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const p = probs[start + i]!;
    if (p !== p) return NaN;
    if (p > 0) h -= p * Math.log(p);
  }
  return h / Math.log(n);
}

/** 1 − (p1 − p2) over probs[start .. start+n): the two largest probabilities, ties counted twice. */
export function margin(probs: ArrayLike<number>, start = 0, n = probs.length - start): number {
  if (n <= 1) return 0;
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < n; i++) {
    const p = probs[start + i]!;
    if (p !== p) return NaN;
    if (p > first) {
      second = first;
      first = p;
    } else if (p > second) {
      second = p;
    }
  }
  return 1 - (first - second);
}

export function distributionUncertainty(probs: ArrayLike<number>, measure: UncertaintyMeasure, start = 0, n = probs.length - start): number {
  return measure === 'entropy' ? normalizedEntropy(probs, start, n) : margin(probs, start, n);
}

/** The same measures for one independent yes/no probability (a multi-label model's sigmoid output). */
export function binaryUncertainty(p: number, measure: UncertaintyMeasure): number {
  return distributionUncertainty([p, 1 - p], measure);
}

/** Combines part scores; NaN when there are none (nothing was scored) or one is NaN. */
export function reduceScores(values: readonly number[], how: UncertaintyReduction): number {
  if (values.length === 0) return NaN;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v !== v) return NaN;
    if (v > max) max = v;
    sum += v;
  }
  return how === 'max' ? max : sum / values.length;
}

/**
 * Indices of `scores`, most uncertain first. Equal scores keep their input order (document order,
 * so the queue is stable across refreshes of the same text); NaN scores come last, in order.
 */
export function rankMostUncertain(scores: readonly number[]): number[] {
  return scores
    .map((_, i) => i)
    .sort((a, b) => {
      const x = scores[a]!;
      const y = scores[b]!;
      const xNaN = x !== x;
      const yNaN = y !== y;
      if (xNaN || yNaN) return xNaN === yNaN ? a - b : xNaN ? 1 : -1;
      return y - x || a - b;
    });
}
