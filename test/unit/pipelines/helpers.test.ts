import { describe, expect, it } from 'vitest';
import { greedyToken, sampleTopK, topKDistribution } from '../../../src/core/tasks/causalLm/sampling';
import { encodeTruncatedPair, longestFirstLengths } from '../../../src/core/tasks/shared/pairTruncation';
import { BertTokenizer } from '../../../src/core/runtime/tokenizer/bertTokenizer';
import { Random } from '../../../src/core/util/random';

describe('longestFirstLengths (Rust tokenizers LongestFirst)', () => {
  it.each([
    // [n1, n2, budget, expected]
    [3, 4, 10, [3, 4]], // fits: untouched
    [3, 20, 10, [3, 7]], // only the longer one is cut
    [20, 3, 10, [7, 3]],
    [8, 9, 10, [5, 5]], // both cut to half the budget
    [9, 8, 11, [6, 5]], // the originally longer text gets the odd token
    [8, 9, 11, [5, 6]],
    [12, 30, 10, [5, 5]], // the shorter one alone exceeds the budget
  ] as const)('%i + %i tokens in %i → %j', (n1, n2, budget, expected) => {
    expect(longestFirstLengths(n1, n2, budget)).toEqual(expected);
  });

  it('encodeTruncatedPair keeps the template and each text\'s first tokens', () => {
    const tokenizer = BertTokenizer.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', 'd', 'x', 'y'], { lowercase: false });
    const encoding = encodeTruncatedPair(tokenizer, 'a b c d a b', 'x y x', 8);
    expect(encoding.tokens).toEqual(['[CLS]', 'a', 'b', 'c', '[SEP]', 'x', 'y', '[SEP]']);
    expect(encoding.typeIds).toEqual([0, 0, 0, 0, 0, 1, 1, 1]);
    expect(encoding.offsets[5]).toEqual([0, 1]);
  });
});

describe('sampling', () => {
  const logits = Float32Array.from([1, 3, 2, 3, -1, 0.5]);

  it('greedy takes the first maximum (torch.argmax)', () => {
    expect(greedyToken(logits, 0, 6)).toBe(1);
    expect(greedyToken(Float32Array.from([9, 0, 1, 5]), 1, 3)).toBe(2);
  });

  it('top-k keeps the k largest (and ties with the k-th), softmax of logits / temperature', () => {
    const { ids, probabilities } = topKDistribution(logits, 0, 6, 3, 0.5);
    expect(ids).toEqual([1, 2, 3]);
    const weights = [3, 2, 3].map((v) => Math.exp(v / 0.5));
    const sum = weights.reduce((a, b) => a + b, 0);
    probabilities.forEach((p, i) => expect(p).toBeCloseTo(weights[i]! / sum, 14));
    expect(topKDistribution(logits, 0, 6, 1, 1).ids).toEqual([1, 3]); // tie at the top: both kept, as HF
    expect(topKDistribution(logits, 0, 6, 100, 1).ids).toHaveLength(6);
  });

  it('draws follow the distribution (20,000 draws, each frequency within 5 standard errors)', () => {
    const random = new Random(7);
    const draws = 20_000;
    const counts = new Map<number, number>();
    for (let i = 0; i < draws; i++) {
      const id = sampleTopK(logits, 0, 6, 4, 1, random);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const { ids, probabilities } = topKDistribution(logits, 0, 6, 4, 1);
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    ids.forEach((id, i) => {
      const p = probabilities[i]!;
      const se = Math.sqrt((p * (1 - p)) / draws);
      expect(Math.abs(counts.get(id)! / draws - p)).toBeLessThan(5 * se);
    });
  });
});
