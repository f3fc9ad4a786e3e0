import type { Random } from '../../util/random';
import { TaskInputError } from '../shared/taskModel';

/** How the next token is picked from the logits of the last position. */
export type DecodingStrategy =
  | { kind: 'greedy' }
  /** HF `do_sample=True` with TemperatureLogitsWarper then TopKLogitsWarper (defaults 1.0 and 50). */
  | { kind: 'top-k'; topK: number; temperature: number };

export function checkStrategy(strategy: DecodingStrategy): void {
  if (strategy.kind === 'greedy') return;
  if (!Number.isInteger(strategy.topK) || strategy.topK < 1) throw new TaskInputError(`top_k must be an integer >= 1, got ${String(strategy.topK)}`);
  if (!(strategy.temperature > 0) || !Number.isFinite(strategy.temperature)) {
    throw new TaskInputError(`temperature must be a positive number, got ${String(strategy.temperature)}`);
  }
}

/** torch.argmax: the first maximum. */
export function greedyToken(logits: ArrayLike<number>, start: number, vocabSize: number): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < vocabSize; i++) {
    const v = logits[start + i]!;
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/**
 * The distribution HF samples from: logits / temperature, every logit below the k-th largest set to
 * -inf (ties with the k-th are kept, as `logits < topk(...)[..., -1]` does), softmax. Returns the kept
 * token ids and their probabilities.
 */
export function topKDistribution(logits: ArrayLike<number>, start: number, vocabSize: number, topK: number, temperature: number): { ids: number[]; probabilities: number[] } {
  const k = Math.min(topK, vocabSize);
  const values = new Float64Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) values[i] = logits[start + i]! / temperature;
  const kth = Float64Array.from(values).sort()[vocabSize - k]!;
  const ids: number[] = [];
  for (let i = 0; i < vocabSize; i++) if (values[i]! >= kth) ids.push(i);
  const max = Math.max(...ids.map((i) => values[i]!));
  const weights = ids.map((i) => Math.exp(values[i]! - max));
  const sum = weights.reduce((a, b) => a + b, 0);
  return { ids, probabilities: weights.map((w) => w / sum) };
}

/** One draw from the top-k distribution (inverse CDF on a uniform from the seeded generator). */
export function sampleTopK(logits: ArrayLike<number>, start: number, vocabSize: number, topK: number, temperature: number, random: Random): number {
  const { ids, probabilities } = topKDistribution(logits, start, vocabSize, topK, temperature);
  const u = random.next();
  let cumulative = 0;
  for (let i = 0; i < ids.length; i++) {
    cumulative += probabilities[i]!;
    if (u < cumulative) return ids[i]!;
  }
  return ids[ids.length - 1]!;
}
