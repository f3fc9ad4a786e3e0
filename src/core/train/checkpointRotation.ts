/**
 * HF Trainer's checkpoint rotation (transformers 4.46 `Trainer._sorted_checkpoints` and
 * `_rotate_checkpoints`, ordered by step, not mtime), as pure functions over checkpoint paths so the
 * bookkeeping is tested without a disk.
 */

const STEP = /(?:^|[\\/])checkpoint-(\d+)$/;

/**
 * Checkpoints oldest step first, except that the best one is moved up to the second-to-last place
 * (HF's swap loop `for i in range(best_index, len - 2)`), so that the oldest-first deletion never
 * reaches it.
 */
export function sortedCheckpoints(paths: readonly string[], bestModelCheckpoint?: string): string[] {
  const sorted = paths
    .map((p) => ({ p, m: STEP.exec(p) }))
    .filter((e): e is { p: string; m: RegExpExecArray } => e.m !== null)
    .sort((a, b) => Number(a.m[1]) - Number(b.m[1]))
    .map((e) => e.p);
  const bestIndex = bestModelCheckpoint === undefined ? -1 : sorted.indexOf(bestModelCheckpoint);
  if (bestIndex >= 0) {
    for (let i = bestIndex; i < sorted.length - 2; i++) [sorted[i], sorted[i + 1]] = [sorted[i + 1]!, sorted[i]!];
  }
  return sorted;
}

/**
 * The checkpoints `_rotate_checkpoints` deletes. save_total_limit 0 keeps all. With a limit of 1 and a
 * best checkpoint that is not the last, HF keeps 2: the best and the last (to resume from).
 */
export function checkpointsToDelete(paths: readonly string[], saveTotalLimit: number, bestModelCheckpoint?: string): string[] {
  if (!(saveTotalLimit > 0)) return [];
  const sorted = sortedCheckpoints(paths, bestModelCheckpoint);
  if (sorted.length <= saveTotalLimit) return [];
  let limit = saveTotalLimit;
  if (bestModelCheckpoint !== undefined && saveTotalLimit === 1 && sorted[sorted.length - 1] !== bestModelCheckpoint) limit = 2;
  return sorted.slice(0, Math.max(0, sorted.length - limit));
}
