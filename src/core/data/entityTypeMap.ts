/**
 * Renaming the entity types of IOB2 tags, to score or train a model on data labelled with other types
 * (WNUT17's six emerging-entity types against a PER/LOC/ORG model).
 */

/** WNUT17's entity types in WikiANN's three (products and creative works are not names of these kinds). */
export const WNUT17_TO_WIKIANN: Readonly<Record<string, string>> = { person: 'PER', location: 'LOC', corporation: 'ORG', group: 'ORG' };

/** Maps known by name (the CLI's `--map-types NAME`). */
export const NAMED_ENTITY_TYPE_MAPS: Readonly<Record<string, Readonly<Record<string, string>>>> = { wnut17: WNUT17_TO_WIKIANN };

/** One IOB2 tag with its type renamed by `map`; a tag whose type the map lacks becomes O. */
export function mapEntityType(tag: string, map: Readonly<Record<string, string>>): string {
  const match = /^([BI])-(.+)$/.exec(tag);
  const type = match && Object.hasOwn(map, match[2]!) ? map[match[2]!] : undefined;
  return type ? `${match![1]}-${type}` : 'O';
}

export function mapEntityTypes(tags: readonly string[], map: Readonly<Record<string, string>>): string[] {
  return tags.map((tag) => mapEntityType(tag, map));
}
