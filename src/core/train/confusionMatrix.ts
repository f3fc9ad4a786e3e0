/** Counts of gold label (row) × predicted label (column), in the order of `labels`. */
export interface ConfusionMatrix {
  labels: string[];
  /** counts[gold][predicted] */
  counts: number[][];
}

/**
 * The confusion matrix of paired gold and predicted labels. A label seen in the data but absent from
 * `labels` is appended (in order of first appearance), so no pair is dropped.
 */
export function confusionMatrix(gold: readonly string[], predicted: readonly string[], labels: readonly string[]): ConfusionMatrix {
  if (gold.length !== predicted.length) throw new Error(`confusion matrix: ${gold.length} gold labels but ${predicted.length} predictions`);
  const order = [...new Set(labels)];
  const index = new Map(order.map((l, i) => [l, i]));
  for (const label of [...gold, ...predicted]) {
    if (!index.has(label)) {
      index.set(label, order.length);
      order.push(label);
    }
  }
  const counts = order.map(() => order.map(() => 0));
  gold.forEach((g, i) => counts[index.get(g)!]![index.get(predicted[i]!)!]!++);
  return { labels: order, counts };
}
