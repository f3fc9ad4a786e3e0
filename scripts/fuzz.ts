// The long run of the standing fuzz suite (issue 16); `npm test` runs a bounded share of the same cases
// (test/unit/fuzz). Every case is seeded from (seed, target, case number), so a failure replays alone.
//
//   npm run fuzz -- [--cases 2000] [--seed 1] [--from 0] [--target NAME[,NAME…]] [--scale test|long] [--slow-ms 60000]
//
// --scale long (the default) makes "many records" 10^5 records and "deep nesting" 10^5 levels, as the
// issue's probes did. A case slower than --slow-ms is reported as a possible hang (the machine may be
// loaded by others: rerun that case alone before believing it). Exit code 1 when any case failed.
import { DATA_TARGETS } from '../test/fuzz/dataTargets';
import { LONG_SCALE, runCases, TEST_SCALE } from '../test/fuzz/harness';
import { MODEL_FILE_TARGETS } from '../test/fuzz/modelFileTargets';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}

const cases = Number(option('cases', '2000'));
const seed = Number(option('seed', '1'));
const from = Number(option('from', '0'));
const slowMs = Number(option('slow-ms', '60000'));
const scale = option('scale', 'long') === 'test' ? TEST_SCALE : LONG_SCALE;
const all = [...DATA_TARGETS, ...MODEL_FILE_TARGETS];
const wanted = option('target', '').split(',').filter((name) => name !== '');
const unknown = wanted.filter((name) => !all.some((target) => target.name === name));
if (unknown.length > 0 || ![cases, seed, from, slowMs].every(Number.isFinite)) {
  console.error(`unknown target ${unknown.join(', ')} or a non-numeric option; targets: ${all.map((t) => t.name).join(', ')}`);
  process.exit(2);
}
const targets = wanted.length > 0 ? all.filter((target) => wanted.includes(target.name)) : all;

let failed = 0;
for (const target of targets) {
  const begin = performance.now();
  const outcomes = runCases(target, seed, from, cases, scale);
  const failures = outcomes.filter((outcome) => outcome.failure);
  const slow = outcomes.filter((outcome) => !outcome.failure && outcome.ms > slowMs);
  const slowest = outcomes.reduce((worst, outcome) => (outcome.ms > worst.ms ? outcome : worst), outcomes[0]!);
  console.log(
    `${target.name.padEnd(22)} ${cases} cases in ${((performance.now() - begin) / 1000).toFixed(1)} s, ` +
      `slowest case ${slowest.index} ${slowest.ms.toFixed(0)} ms: ${failures.length} failed, ${slow.length} over ${slowMs} ms`,
  );
  for (const failure of failures.slice(0, 10)) console.log(`  ${failure.failure}`);
  for (const outcome of slow.slice(0, 5)) console.log(`  possible hang: ${target.name} case ${outcome.index} (seed ${seed}) took ${outcome.ms.toFixed(0)} ms`);
  failed += failures.length + slow.length;
}
console.log(failed === 0 ? 'no failures' : `${failed} failing case(s)`);
process.exit(failed === 0 ? 0 : 1);
