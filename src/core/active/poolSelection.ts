import { Random } from '../util/random';
import { rankMostUncertain } from './uncertainty';

/**
 * Pool-based active learning, one round (Settles 2009 § 2.3): which pool items an annotation budget
 * takes, by uncertainty or at random. Pure index bookkeeping; the model scores the pool elsewhere
 * (scoreUnits.ts), so the benchmark (bench/active/curves.ts) and any later loop choose alike.
 */

/**
 * `k` distinct indices of [0, n) that are not in `exclude`, drawn with a generator seeded by `seed`
 * (a partial Fisher–Yates over the allowed indices), in draw order: a prefix of the answer for k is the
 * answer for any smaller k with the same seed, so nested budgets grow by adding items.
 */
export function sampleIndices(n: number, k: number, seed: number, exclude: ReadonlySet<number> = new Set()): number[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`pool size must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`sample size must be a non-negative integer, got ${k}`);
  const allowed: number[] = [];
  for (let i = 0; i < n; i++) if (!exclude.has(i)) allowed.push(i);
  if (k > allowed.length) throw new RangeError(`cannot draw ${k} of ${allowed.length} available pool items`);
  const random = new Random(seed);
  for (let i = 0; i < k; i++) {
    const j = i + random.int(allowed.length - i);
    [allowed[i], allowed[j]] = [allowed[j]!, allowed[i]!];
  }
  return allowed.slice(0, k);
}

/**
 * The `k` candidates with the highest scores, most uncertain first; equal scores keep the candidates'
 * order and NaN scores (nothing scored) come last (rankMostUncertain, the Next Uncertain queue's order).
 */
export function mostUncertain(candidates: readonly number[], scores: readonly number[], k: number): number[] {
  if (candidates.length !== scores.length) throw new RangeError(`${candidates.length} candidates but ${scores.length} scores`);
  if (!Number.isInteger(k) || k < 0 || k > candidates.length) throw new RangeError(`cannot take ${k} of ${candidates.length} candidates`);
  return rankMostUncertain(scores).slice(0, k).map((i) => candidates[i]!);
}

/**
 * The items a budget of `budget` annotations holds: the seed set (already annotated, counted in the
 * budget) followed by the first `budget − seed.length` of `order` (most uncertain first, or a random
 * order). An item of `order` that is in the seed set is a caller's error: it would be counted twice.
 */
export function budgetSelection(seed: readonly number[], order: readonly number[], budget: number): number[] {
  const extra = budget - seed.length;
  if (!Number.isInteger(budget) || extra < 0) throw new RangeError(`budget ${budget} is smaller than the seed set (${seed.length})`);
  if (extra > order.length) throw new RangeError(`budget ${budget} needs ${extra} items beyond the seed set, only ${order.length} candidates`);
  const taken = new Set(seed);
  const chosen = order.slice(0, extra);
  for (const item of chosen) {
    if (taken.has(item)) throw new RangeError(`pool item ${item} is chosen twice (in the seed set or repeated)`);
    taken.add(item);
  }
  return [...seed, ...chosen];
}
