/**
 * HF `TokenClassificationPipeline.aggregate_overlapping_entities`, applied when a text was split into
 * several overlapping windows: entities are sorted by start (stably, so earlier windows win ties of
 * order), and an entity whose start falls inside the entity kept so far competes with it — the longer
 * one wins, on equal length the higher score. An entity cut by a window border is therefore replaced by
 * the complete one from the neighbouring window, and an entity seen in both windows is kept once.
 */
export function aggregateOverlappingEntities<T extends { start: number; end: number; score: number }>(entities: T[]): T[] {
  if (entities.length === 0) return entities;
  // Each window's entities are already ordered, so V8's TimSort sees a few long runs: close to linear.
  const sorted = entities.slice().sort((a, b) => a.start - b.start);
  const kept: T[] = [];
  let previous = sorted[0]!;
  for (const entity of sorted) {
    if (previous.start <= entity.start && entity.start < previous.end) {
      const currentLength = entity.end - entity.start;
      const previousLength = previous.end - previous.start;
      if (currentLength > previousLength || (currentLength === previousLength && entity.score > previous.score)) {
        previous = entity;
      }
    } else {
      kept.push(previous);
      previous = entity;
    }
  }
  kept.push(previous);
  return kept;
}
