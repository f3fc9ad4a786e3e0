/**
 * Character alignment between two versions of a text, for re-anchoring spans after a document changed
 * outside the editor. Myers' O(ND) shortest edit script, applied first to lines (cheap, and it keeps
 * unrelated lines from being matched character by character) and then to the characters of each
 * changed hunk. Each diff has an edit budget; beyond it a region counts as replaced, and the caller's
 * fallback (searching for the span's text) takes over.
 */

export interface MatchRun {
  aStart: number;
  bStart: number;
  length: number;
}

/**
 * Runs of equal elements of a shortest edit script from `a` to `b`, in order, or undefined when more
 * than `maxEdits` insertions + deletions would be needed. Memory is O(D²) for D edits.
 */
export function myersMatches(a: ArrayLike<number>, b: ArrayLike<number>, maxEdits: number): MatchRun[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found < 0) return undefined;

  const runs: MatchRun[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const previous = trace[d - 1]!;
    const at = (k: number): number => previous[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const midX = down ? previousX : previousX + 1;
    if (x > midX) runs.push({ aStart: midX, bStart: midX - k, length: x - midX });
    x = previousX;
    y = previousX - previousK;
  }
  if (x > 0) runs.push({ aStart: 0, bStart: 0, length: x });
  return runs.reverse();
}

export interface AlignOptions {
  /** Edit budget of the line diff (in lines). */
  maxLineEdits?: number;
  /** Edit budget of each hunk's character diff (in characters). */
  maxCharEdits?: number;
}

function codeUnits(text: string, start: number, end: number): Uint16Array {
  const units = new Uint16Array(end - start);
  for (let i = start; i < end; i++) units[i - start] = text.charCodeAt(i);
  return units;
}

/** Line start offsets of text[start, end), each line keeping its '\n'; the last entry is `end`. */
function lineStarts(text: string, start: number, end: number): number[] {
  const starts = [start];
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 10 && i + 1 < end) starts.push(i + 1);
  starts.push(end);
  return starts;
}

/**
 * For every UTF-16 offset of `before`, its offset in `after` when that character survived unchanged,
 * else -1.
 */
export function alignTexts(before: string, after: string, options: AlignOptions = {}): Int32Array {
  const maxLineEdits = options.maxLineEdits ?? 4000;
  const maxCharEdits = options.maxCharEdits ?? 2000;
  const map = new Int32Array(before.length).fill(-1);
  const link = (aStart: number, bStart: number, length: number): void => {
    for (let i = 0; i < length; i++) map[aStart + i] = bStart + i;
  };

  const alignChars = (aStart: number, aEnd: number, bStart: number, bEnd: number): void => {
    let prefix = 0;
    while (aStart + prefix < aEnd && bStart + prefix < bEnd && before.charCodeAt(aStart + prefix) === after.charCodeAt(bStart + prefix)) prefix++;
    let suffix = 0;
    while (
      aEnd - suffix > aStart + prefix &&
      bEnd - suffix > bStart + prefix &&
      before.charCodeAt(aEnd - suffix - 1) === after.charCodeAt(bEnd - suffix - 1)
    ) suffix++;
    link(aStart, bStart, prefix);
    link(aEnd - suffix, bEnd - suffix, suffix);
    const a0 = aStart + prefix;
    const b0 = bStart + prefix;
    const a1 = aEnd - suffix;
    const b1 = bEnd - suffix;
    if (a0 === a1 || b0 === b1) return;
    const runs = myersMatches(codeUnits(before, a0, a1), codeUnits(after, b0, b1), maxCharEdits);
    for (const run of runs ?? []) link(a0 + run.aStart, b0 + run.bStart, run.length);
  };

  let prefix = 0;
  const shortest = Math.min(before.length, after.length);
  while (prefix < shortest && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < shortest - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) suffix++;
  link(0, 0, prefix);
  link(before.length - suffix, after.length - suffix, suffix);
  const aEnd = before.length - suffix;
  const bEnd = after.length - suffix;
  if (prefix === aEnd || prefix === bEnd) return map;

  const aLines = lineStarts(before, prefix, aEnd);
  const bLines = lineStarts(after, prefix, bEnd);
  const ids = new Map<string, number>();
  const idsOf = (text: string, starts: number[]): Int32Array => {
    const out = new Int32Array(starts.length - 1);
    for (let i = 0; i + 1 < starts.length; i++) {
      const line = text.slice(starts[i], starts[i + 1]);
      let id = ids.get(line);
      if (id === undefined) ids.set(line, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const lineRuns = myersMatches(idsOf(before, aLines), idsOf(after, bLines), maxLineEdits);
  if (!lineRuns) return map;
  let aLine = 0;
  let bLine = 0;
  for (const run of [...lineRuns, { aStart: aLines.length - 1, bStart: bLines.length - 1, length: 0 }]) {
    if (run.aStart > aLine || run.bStart > bLine) {
      alignChars(aLines[aLine]!, aLines[run.aStart]!, bLines[bLine]!, bLines[run.bStart]!);
    }
    for (let i = 0; i < run.length; i++) {
      const a = aLines[run.aStart + i]!;
      link(a, bLines[run.bStart + i]!, aLines[run.aStart + i + 1]! - a);
    }
    aLine = run.aStart + run.length;
    bLine = run.bStart + run.length;
  }
  return map;
}
