/*
 * Entity label → colour. Colours are theme colours contributed in package.json
 * (`bertLens.entity.<slot>.background` / `.border`, with light, dark and high-contrast defaults), so
 * users and themes can override them. The four CoNLL types have their own slot; any other type gets
 * a palette slot, in the order the model lists its labels, so that a model's colours are stable.
 */

export const NAMED_SLOTS = ['PER', 'ORG', 'LOC', 'MISC'] as const;
export const PALETTE_SIZE = 8;
export const PALETTE_SLOTS: readonly string[] = Array.from({ length: PALETTE_SIZE }, (_, i) => `palette${i}`);
export const ALL_SLOTS: readonly string[] = [...NAMED_SLOTS, ...PALETTE_SLOTS];

const ALIASES: Readonly<Record<string, string>> = {
  PERSON: 'PER',
  ORGANIZATION: 'ORG',
  ORGANISATION: 'ORG',
  LOCATION: 'LOC',
  MISCELLANEOUS: 'MISC',
};

/** The entity type of a label: `B-PER`, `I-PER` and `PER` are all `PER` (IOB, IOBES and BILOU prefixes). */
export function entityType(label: string): string {
  const match = /^[BIESLU]-(.+)$/.exec(label);
  return match ? match[1]! : label;
}

function namedSlot(type: string): string | undefined {
  const upper = type.toUpperCase();
  const canonical = ALIASES[upper] ?? upper;
  return (NAMED_SLOTS as readonly string[]).includes(canonical) ? canonical : undefined;
}

/**
 * A colour slot for every entity type: the model's labels first, in id2label order (its "outside"
 * label O takes no slot there), then any other label found in the results (O included, for a run
 * that keeps every label). Types beyond the palette share slots, cycling.
 */
export function assignColorSlots(modelLabels: readonly string[], resultLabels: readonly string[] = []): Map<string, string> {
  const slots = new Map<string, string>();
  let next = 0;
  const types = [...modelLabels.map(entityType).filter((type) => type !== 'O'), ...resultLabels.map(entityType)];
  for (const type of types) {
    if (slots.has(type)) continue;
    slots.set(type, namedSlot(type) ?? PALETTE_SLOTS[next++ % PALETTE_SIZE]!);
  }
  return slots;
}

export function colorIds(slot: string): { background: string; border: string } {
  return { background: `bertLens.entity.${slot}.background`, border: `bertLens.entity.${slot}.border` };
}
