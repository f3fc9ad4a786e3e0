import type { DocumentEntities, DocumentEntity } from './entities';
import { assignColorSlots, PALETTE_SLOTS } from './labelColors';

/** Colour slots for a document's entities: the model's label order first, then labels only the results have. */
export function colorSlotsFor(document: DocumentEntities): Map<string, string> {
  const resultLabels = new Set<string>();
  for (const entity of document.entities) resultLabels.add(entity.label);
  return assignColorSlots(document.model.labels, [...resultLabels]);
}

/** Entities grouped by colour slot: one decoration type per slot, set with all its spans at once. */
export function entitiesBySlot(entities: readonly DocumentEntity[], slots: ReadonlyMap<string, string>): Map<string, DocumentEntity[]> {
  const groups = new Map<string, DocumentEntity[]>();
  for (const entity of entities) {
    const slot = slots.get(entity.type) ?? PALETTE_SLOTS[0]!;
    let group = groups.get(slot);
    if (!group) groups.set(slot, (group = []));
    group.push(entity);
  }
  return groups;
}
