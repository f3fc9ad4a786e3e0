import { describe, expect, it } from 'vitest';
import { mapEntityTypes, NAMED_ENTITY_TYPE_MAPS, WNUT17_TO_WIKIANN } from '../../../src/core/data/entityTypeMap';

describe('mapEntityTypes', () => {
  it('renames mapped types keeping B-/I-, and turns unmapped types into O', () => {
    const tags = ['B-person', 'I-person', 'O', 'B-product', 'I-product', 'B-group', 'B-corporation', 'I-corporation', 'B-location', 'B-creative-work'];
    expect(mapEntityTypes(tags, WNUT17_TO_WIKIANN)).toEqual(['B-PER', 'I-PER', 'O', 'O', 'O', 'B-ORG', 'B-ORG', 'I-ORG', 'B-LOC', 'O']);
  });

  it('never takes a type from the object prototype', () => {
    expect(mapEntityTypes(['B-constructor', 'I-toString'], { person: 'PER' })).toEqual(['O', 'O']);
  });

  it('names the WNUT17 map for the CLI', () => {
    expect(NAMED_ENTITY_TYPE_MAPS.wnut17).toBe(WNUT17_TO_WIKIANN);
  });
});
