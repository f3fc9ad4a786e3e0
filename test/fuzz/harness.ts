import { mulberry32, randomInt } from '../unit/data/helpers/prng';

/**
 * A seeded fuzz harness shared by the bounded suite in `npm test` (test/unit/fuzz) and the long run
 * behind `npm run fuzz` (scripts/fuzz.ts). Each case draws from its own PRNG, seeded from the run's
 * seed, the target and the case number, so a failure replays alone: `npm run fuzz -- --target NAME
 * --seed S --from C --cases 1`.
 */

export type Random = () => number;

export interface FuzzTarget {
  name: string;
  /** Runs case `index` (its kind of damage is chosen from the index); throws when a property fails. */
  run(random: Random, index: number, scale: FuzzScale): void;
}

/** How large the "many records" and "deep nesting" cases are: small in npm test, issue-sized in the long run. */
export interface FuzzScale {
  manyRecords: number;
  depth: number;
}

export const TEST_SCALE: FuzzScale = { manyRecords: 1_000, depth: 20_000 };
export const LONG_SCALE: FuzzScale = { manyRecords: 100_000, depth: 100_000 };

export class PropertyFailure extends Error {}

export function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new PropertyFailure(what);
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function caseRandom(seed: number, target: string, index: number): Random {
  return mulberry32(hash(`${seed}/${target}/${index}`));
}

export interface CaseOutcome {
  target: string;
  index: number;
  ms: number;
  failure?: string;
}

/** Runs cases [from, from + cases) of one target; never throws, returns one outcome per case. */
export function runCases(target: FuzzTarget, seed: number, from: number, cases: number, scale: FuzzScale): CaseOutcome[] {
  const outcomes: CaseOutcome[] = [];
  for (let index = from; index < from + cases; index++) {
    const begin = performance.now();
    let failure: string | undefined;
    try {
      target.run(caseRandom(seed, target.name, index), index, scale);
    } catch (error) {
      const kind = error instanceof PropertyFailure ? 'property failed' : `uncaught ${(error as Error)?.constructor?.name ?? typeof error}`;
      failure = `${target.name} case ${index} (seed ${seed}): ${kind}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 2000);
    }
    outcomes.push({ target: target.name, index, ms: performance.now() - begin, failure });
  }
  return outcomes;
}

// ---------------------------------------------------------------- damage

/** Structural characters, quotes, digits, line breaks, a BOM, a NUL, a lone surrogate and an emoji. */
const HOSTILE = ['{', '}', '[', ']', '"', '\\', ':', ',', '\n', '\r\n', '\t', ' ', '-', '0', '9', 'e', '.', 'B-', 'I-', 'O', '\ufeff', '\u0000', '\ud800', '😀', 'null', 'true'];
/** The same without line breaks or spaces: damage that stays on its line and in its column. */
const IN_LINE = HOSTILE.filter((s) => !/[\s\ufeff]/.test(s));

export function randomText(random: Random, maxLength: number): string {
  const parts: string[] = [];
  const length = randomInt(random, maxLength);
  for (let i = 0; i < length; i++) {
    parts.push(random() < 0.6 ? HOSTILE[randomInt(random, HOSTILE.length)]! : String.fromCharCode(randomInt(random, 0x3000)));
  }
  return parts.join('');
}

export function randomBytes(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = randomInt(random, 256);
  return bytes;
}

export function flipBits(random: Random, bytes: Uint8Array, flips = 1 + randomInt(random, 4), within = bytes.length): Uint8Array {
  const copy = Uint8Array.from(bytes);
  if (copy.length === 0) return copy;
  for (let f = 0; f < flips; f++) copy[randomInt(random, Math.max(1, Math.min(within, copy.length)))]! ^= 1 << randomInt(random, 8);
  return copy;
}

export function truncateText(random: Random, text: string): string {
  return text.slice(0, randomInt(random, text.length));
}

export function truncateBytes(random: Random, bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, randomInt(random, bytes.length));
}

/** One to three insertions, deletions or replacements that add no line break or space. */
export function damageInLine(random: Random, text: string): string {
  let out = text;
  const edits = 1 + randomInt(random, 3);
  for (let e = 0; e < edits; e++) {
    const at = randomInt(random, out.length + 1);
    const insert = IN_LINE[randomInt(random, IN_LINE.length)]!;
    const mode = randomInt(random, 3);
    out = mode === 0 ? out.slice(0, at) + insert + out.slice(at) : mode === 1 ? out.slice(0, at) + out.slice(at + 1) : out.slice(0, at) + insert + out.slice(at + 1);
  }
  return out;
}

export function nestedJson(depth: number, random: Random): string {
  return random() < 0.5 ? '{"k":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
}

export const HUGE_NUMBERS = ['1e308', '1e400', '-1e400', '9007199254740993', '-0', '1e-400', '123456789012345678901234567890', '-1', '4294967296', '0.5'];

/** Replaces every JSON number in `text` with one drawn from HUGE_NUMBERS (strings stay untouched as best a regex can). */
export function hugeNumbers(random: Random, text: string): string {
  return text.replace(/(?<=[:[,]\s*)-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g, () => HUGE_NUMBERS[randomInt(random, HUGE_NUMBERS.length)]!);
}

export function pickIndices(random: Random, count: number, share: number): Set<number> {
  const picked = new Set<number>();
  for (let i = 0; i < count; i++) if (random() < share) picked.add(i);
  return picked;
}
