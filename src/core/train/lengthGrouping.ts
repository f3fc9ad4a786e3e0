/**
 * HF `group_by_length` (trainer_pt_utils.get_length_grouped_indices): the shuffled order is cut into
 * mega-batches of `min(n / (4 × batch), 50)` batches, each sorted longest first, and the longest row
 * of all is moved to the very first batch (an out-of-memory shows at step 1, not hours in). Batches
 * then hold rows of similar length, so little of each batch is padding; the order stays random
 * between mega-batches.
 *
 * `shuffled` is the epoch's random permutation of row indices; the result is a permutation too.
 */
export function lengthGroupedOrder(shuffled: readonly number[], lengths: readonly number[], batchSize: number): number[] {
  const megaBatchMultiple = Math.max(1, Math.min(Math.floor(lengths.length / (batchSize * 4)), 50));
  const megaBatchSize = megaBatchMultiple * batchSize;
  const megaBatches: number[][] = [];
  for (let at = 0; at < shuffled.length; at += megaBatchSize) {
    // Array.prototype.sort is stable, like Python's sorted: equal lengths keep their shuffled order.
    megaBatches.push(shuffled.slice(at, at + megaBatchSize).sort((a, b) => lengths[b]! - lengths[a]!));
  }
  if (megaBatches.length === 0) return [];
  let longest = 0;
  for (let i = 1; i < megaBatches.length; i++) {
    // torch.argmax returns the first maximum.
    if (lengths[megaBatches[i]![0]!]! > lengths[megaBatches[longest]![0]!]!) longest = i;
  }
  const first = megaBatches[0]!;
  const withLongest = megaBatches[longest]!;
  [first[0], withLongest[0]] = [withLongest[0]!, first[0]!];
  return megaBatches.flat();
}
