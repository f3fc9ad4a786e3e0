/**
 * First-fit-decreasing bin packing: items by length, longest first (ties in their given order), each
 * into the first bin it fits, else a new one. Returns the item indices of each bin, in placement order.
 * An item longer than `capacity` gets a bin of its own.
 */
export function firstFitDecreasing(lengths: readonly number[], capacity: number): number[][] {
  const longestFirst = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const bins: Array<{ members: number[]; used: number }> = [];
  for (const index of longestFirst) {
    const length = lengths[index]!;
    const bin = bins.find((b) => b.used + length <= capacity);
    if (bin) {
      bin.members.push(index);
      bin.used += length;
    } else bins.push({ members: [index], used: length });
  }
  return bins.map((b) => b.members);
}
