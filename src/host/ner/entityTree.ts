import type { DocumentEntity } from './entities';

/** One label of the Entities tree: also the legend (its colour slot, its count). */
export interface LabelGroup {
  label: string;
  slot: string | undefined;
  count: number;
  /** In document order, at most `limit` of them. */
  entities: DocumentEntity[];
  /** How many were left out by the limit. */
  hidden: number;
}

/**
 * Groups entities by label for the tree: groups in the order of the colour slots (the model's
 * label order), then any other label alphabetically. A tree of tens of thousands of rows helps no
 * one and slows the view, so each group lists at most `limit` entities and says how many more.
 */
export function groupByLabel(entities: readonly DocumentEntity[], slots: ReadonlyMap<string, string>, limit = 1000): LabelGroup[] {
  const byLabel = new Map<string, DocumentEntity[]>();
  for (const entity of entities) {
    let list = byLabel.get(entity.label);
    if (!list) byLabel.set(entity.label, (list = []));
    list.push(entity);
  }
  const typeOrder = [...slots.keys()];
  const rank = (entity: DocumentEntity): number => {
    const index = typeOrder.indexOf(entity.type);
    return index < 0 ? typeOrder.length : index;
  };
  return [...byLabel.entries()]
    .sort(([labelA, a], [labelB, b]) => rank(a[0]!) - rank(b[0]!) || labelA.localeCompare(labelB))
    .map(([label, list]) => {
      const sorted = [...list].sort((a, b) => a.start - b.start);
      return {
        label,
        slot: slots.get(sorted[0]!.type),
        count: sorted.length,
        entities: sorted.slice(0, limit),
        hidden: Math.max(0, sorted.length - limit),
      };
    });
}
