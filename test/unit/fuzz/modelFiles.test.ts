import { describe, expect, it } from 'vitest';
import { runCases, TEST_SCALE } from '../../fuzz/harness';
import { MODEL_FILE_TARGETS } from '../../fuzz/modelFileTargets';

/*
 * The standing fuzz suite (issue 16), bounded for npm test: config.json, the safetensors header, torch
 * .bin files and SentencePiece models are refused with their own one-line error or read, never crash.
 * Longer runs: `npm run fuzz -- --cases 5000 --seed 7`.
 */

const SEED = 16;
const CASES = 40;

describe.each(MODEL_FILE_TARGETS)('fuzz: $name', (target) => {
  it(`${CASES} seeded cases: read, or refused with its own one-line error naming the file`, () => {
    const failures = runCases(target, SEED, 0, CASES, TEST_SCALE).flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
    expect(failures).toEqual([]);
  }, 30_000);
});
