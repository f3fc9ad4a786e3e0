import { describe, expect, it } from 'vitest';
import { DATA_TARGETS } from '../../fuzz/dataTargets';
import { runCases, TEST_SCALE } from '../../fuzz/harness';

/*
 * The standing fuzz suite (issue 16), bounded for npm test: per data format, random text, bit flips,
 * truncation, deep nesting, huge numbers, valid and damaged records mixed, and many records. Longer
 * runs: `npm run fuzz -- --cases 5000 --seed 7`. A failure names target, case and seed to replay.
 */

const SEED = 16;
const CASES = 14; // 2 of each kind

describe.each(DATA_TARGETS)('fuzz: $name', (target) => {
  it(`${CASES} seeded cases: no uncaught exception, messages name file and line, valid records kept`, () => {
    const failures = runCases(target, SEED, 0, CASES, TEST_SCALE).flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
    expect(failures).toEqual([]);
  }, 30_000);
});
