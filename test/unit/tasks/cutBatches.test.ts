// cutBatches against an exhaustive search over every way to cut a sorted list into consecutive
// batches (the independent reference), and the batches forwardWindows really runs.
import { describe, expect, it } from 'vitest';
import { cutBatches, forwardWindows, RUN_COST_TOKENS } from '../../../src/core/tasks/shared/forward';
import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';

/** Work of a cut: every pass's fixed cost plus every row padded to its batch's longest. */
function work(lengths: readonly number[], batches: ReadonlyArray<readonly [number, number]>): number {
  return batches.reduce((sum, [start, end]) => sum + RUN_COST_TOKENS + (end - start) * Math.max(...lengths.slice(start, end)), 0);
}

/** The least work over all 2^(n-1) cuts that keep at most batchSize rows a batch. */
function leastWork(lengths: readonly number[], batchSize: number): number {
  let best = Infinity;
  for (let mask = 0; mask < 1 << (lengths.length - 1); mask++) {
    const batches: Array<[number, number]> = [];
    let start = 0;
    for (let i = 1; i <= lengths.length; i++) {
      if (i === lengths.length || mask & (1 << (i - 1))) {
        batches.push([start, i]);
        start = i;
      }
    }
    if (batches.every(([s, e]) => e - s <= batchSize)) best = Math.min(best, work(lengths, batches));
  }
  return best;
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('cutBatches', () => {
  it('finds the least padded work of any cut, covers every row once in order, and keeps batchSize', () => {
    const random = seeded(11);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(random() * 12);
      const batchSize = 1 + Math.floor(random() * 6);
      // Some trials with a long tail, some with near-equal lengths.
      const spread = trial % 2 === 0 ? 300 : 8;
      const lengths = Array.from({ length: n }, () => 3 + Math.floor(random() * spread)).sort((a, b) => a - b);
      const batches = cutBatches(lengths, batchSize);
      expect(batches[0]![0]).toBe(0);
      expect(batches[batches.length - 1]![1]).toBe(n);
      batches.forEach(([start, end], i) => {
        expect(end).toBeGreaterThan(start);
        expect(end - start).toBeLessThanOrEqual(batchSize);
        if (i > 0) expect(start).toBe(batches[i - 1]![1]);
      });
      expect(work(lengths, batches)).toBe(leastWork(lengths, batchSize));
    }
  });

  it('fills batches of equal rows and parts a long tail from the short rows', () => {
    // Equal rows: as few passes as batchSize allows.
    expect(cutBatches(Array(40).fill(64), 16)).toHaveLength(3);
    expect(cutBatches(Array(32).fill(64), 16)).toEqual([[0, 16], [16, 32]]);
    // Fifteen short rows and one of 500: the long one runs alone, not padding the others to 500.
    expect(cutBatches([...Array(15).fill(20), 500], 16)).toEqual([[0, 15], [15, 16]]);
    expect(cutBatches([], 16)).toEqual([]);
  });

  it('forwardWindows runs those batches and returns every window its own outputs in the original order', async () => {
    const lengths = [5, 40, 6, 7, 38, 5, 120];
    const windows = lengths.map((length, w): Encoding => ({
      ids: Array.from({ length }, (_, t) => w * 1000 + t),
      typeIds: Array<number>(length).fill(0),
      offsets: Array.from({ length }, (): [number, number] => [0, 0]),
      wordIds: Array<null>(length).fill(null),
      sequenceIds: Array<number>(length).fill(0),
      tokens: Array<string>(length).fill('x'),
      specialTokensMask: Array<boolean>(length).fill(false),
    }));
    const shapes: number[][] = [];
    // A stand-in session that echoes each input id as its one logit, padding included.
    const session = {
      inputNames: ['input_ids', 'attention_mask'],
      outputNames: ['logits'],
      async run(feeds: Record<string, { data: BigInt64Array; dims: readonly number[] }>) {
        const ids = feeds.input_ids!;
        shapes.push([...ids.dims]);
        return { logits: { data: Float32Array.from(ids.data, Number), dims: [...ids.dims, 1] } };
      },
    };
    const outputs = await forwardWindows(session as never, windows, { tokenOutputs: ['logits'], batchSize: 4 });
    outputs.forEach((out, w) => expect(Array.from(out.logits!)).toEqual(windows[w]!.ids));
    const sorted = [...lengths].sort((a, b) => a - b);
    expect(shapes.map(([rows, length]) => [rows, length])).toEqual(cutBatches(sorted, 4).map(([s, e]) => [e - s, sorted[e - 1]]));
  });
});
