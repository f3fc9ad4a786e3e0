import { Random } from '../util/random';

/**
 * How many of `total` examples go to the dev set for a split ratio: ceil(ratio × total), as HF
 * datasets' `train_test_split(test_size=ratio)`, but never all of them (training needs one).
 */
export function devCount(total: number, ratio: number): number {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`example count must be an integer ≥ 0, got ${total}`);
  if (!(ratio >= 0 && ratio < 1)) throw new RangeError(`dev split ratio must be in [0, 1), got ${ratio}`);
  if (ratio === 0 || total < 2) return 0;
  return Math.min(total - 1, Math.ceil(ratio * total));
}

/**
 * A seeded split: the examples are shuffled with the training seed and the first devCount go to dev.
 * Both halves keep the input order among themselves, so a split of the same data with the same seed
 * is the same split, and dev examples are listed in file order.
 */
export function splitDev<T>(items: readonly T[], ratio: number, seed: number): { train: T[]; dev: T[] } {
  const count = devCount(items.length, ratio);
  const order = items.map((_, i) => i);
  new Random(seed).shuffle(order);
  const inDev = new Set(order.slice(0, count));
  const train: T[] = [];
  const dev: T[] = [];
  items.forEach((item, i) => (inDev.has(i) ? dev : train).push(item));
  return { train, dev };
}
