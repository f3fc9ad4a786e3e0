import { describe, expect, it } from 'vitest';
import type { TokenClassificationResult } from '../../../src/core/tasks/tokenClassification/types';
import { entitiesFromResults, entityAt, mapOffset, reanchorEntities, replaceInRanges, type DocumentEntity } from '../../../src/host/ner/entities';
import { EntityStore } from '../../../src/host/ner/entityStore';
import { applyChanges, type TextChange } from '../../../src/host/ner/textChanges';
import type { ModelInfo } from '../../../src/worker/jobKinds';

const MODEL: ModelInfo = { reference: '/m', dir: '/m', source: 'local', head: 'token-classification', labels: ['O', 'B-PER', 'I-PER'], quantized: false, graphSource: 'folder' };

/** Entities at the given occurrences of words in text (first occurrence at or after `from`). */
function entitiesAt(text: string, words: string[], label = 'PER'): DocumentEntity[] {
  let from = 0;
  return entitiesFromResults([words.map((word) => {
    const start = text.indexOf(word, from);
    from = start + word.length;
    return { entity_group: label, score: 0.9, word, start, end: start + word.length };
  })], [{ offset: 0, text }], text);
}

describe('entitiesFromResults', () => {
  it('shifts each segment\'s offsets to document offsets, over CRLF, emoji and CJK before the selection', () => {
    const doc = 'Intro 🙂 東京\r\nsecond line\r\nAnn met Bob in 大阪.';
    const segmentStart = doc.indexOf('Ann');
    const segment = { offset: segmentStart, text: doc.slice(segmentStart) };
    const results: TokenClassificationResult[][] = [[
      { entity_group: 'PER', score: 0.8, word: 'Ann', start: 0, end: 3 },
      { entity: 'B-LOC', score: 0.7, word: '大', index: 5, start: 15, end: 16 },
      { entity: 'I-LOC', score: 0.6, word: '阪', index: 6, start: 16, end: 17 },
    ]];
    const entities = entitiesFromResults(results, [segment], doc);
    expect(entities.map((e) => [e.label, e.type, doc.slice(e.start, e.end), e.text])).toEqual([
      ['PER', 'PER', 'Ann', 'Ann'], ['B-LOC', 'LOC', '大', '大'], ['I-LOC', 'LOC', '阪', '阪'],
    ]);
    expect(new Set(entities.map((e) => e.id)).size).toBe(3);
  });

  it('skips results with offsets outside their segment and refuses a result count that does not match', () => {
    const entities = entitiesFromResults([[{ entity_group: 'PER', score: 1, word: 'x', start: 2, end: 9 }]], [{ offset: 0, text: 'abc' }], 'abc');
    expect(entities).toEqual([]);
    expect(() => entitiesFromResults([], [{ offset: 0, text: 'abc' }], 'abc')).toThrow(/1 segments, got 0/);
  });
});

describe('reanchorEntities', () => {
  const text = 'Ann met Bob. Carl met Dan.';
  const entities = entitiesAt(text, ['Ann', 'Bob', 'Carl', 'Dan']);

  it('moves untouched entities through edits and drops those whose text was edited', () => {
    const changes: TextChange[] = [{ rangeOffset: 0, rangeLength: 0, text: 'Today ' }, { rangeOffset: 15, rangeLength: 0, text: 'by' }];
    const after = applyChanges(text, changes);
    expect(after).toBe('Today Ann met Bbyob. Carl met Dan.');
    const { entities: kept, dropped } = reanchorEntities(entities, changes, after);
    expect(kept.map((e) => after.slice(e.start, e.end))).toEqual(['Ann', 'Carl', 'Dan']);
    expect(dropped.map((e) => e.text)).toEqual(['Bob']);
    expect(kept.map((e) => e.id)).toEqual([entities[0]!.id, entities[2]!.id, entities[3]!.id]);
  });

  it('drops an entity that the edits place on other text (an edit was missed): never shown at a wrong place', () => {
    const missed = 'XX' + text; // two characters inserted that the change list does not know about
    const { entities: kept, dropped } = reanchorEntities(entities, [], missed);
    expect(kept).toEqual([]);
    expect(dropped).toHaveLength(4);
  });
});

describe('mapOffset and replaceInRanges', () => {
  it('maps range ends through edits, clamping offsets inside replaced text to its start or end', () => {
    const changes: TextChange[] = [{ rangeOffset: 5, rangeLength: 5, text: 'abc' }];
    expect(mapOffset(3, changes, 'start')).toBe(3);
    expect(mapOffset(5, changes, 'start')).toBe(5);
    expect(mapOffset(7, changes, 'start')).toBe(5);
    expect(mapOffset(7, changes, 'end')).toBe(8);
    expect(mapOffset(12, changes, 'end')).toBe(10);
  });

  it('replaces the entities that overlap re-analysed ranges and keeps the others, in document order', () => {
    const text = 'Ann met Bob. Carl met Dan.';
    const old = entitiesAt(text, ['Ann', 'Bob', 'Carl', 'Dan']);
    const fresh = entitiesAt(text, ['Carl'], 'ORG');
    const merged = replaceInRanges(old, fresh, [{ start: 13, end: 26 }]);
    expect(merged.map((e) => [e.text, e.label])).toEqual([['Ann', 'PER'], ['Bob', 'PER'], ['Carl', 'ORG']]);
  });
});

describe('entityAt', () => {
  it('finds the entity covering an offset (start inclusive, end exclusive) by binary search', () => {
    const text = 'Ann met Bob. Carl met Dan.';
    const entities = entitiesAt(text, ['Ann', 'Bob', 'Carl', 'Dan']);
    const label = (offset: number) => entityAt(entities, offset)?.text;
    expect([0, 2, 3, 8, 10, 11, 13, 16, 22, 24, 25, 100, -1].map(label)).toEqual(['Ann', 'Ann', undefined, 'Bob', 'Bob', undefined, 'Carl', 'Carl', 'Dan', 'Dan', undefined, undefined, undefined]);
    expect(entityAt([], 0)).toBeUndefined();
  });
});

describe('EntityStore', () => {
  it('follows edits, tells listeners only when entities were dropped, and looks entities up by offset and id', () => {
    const store = new EntityStore();
    const heard: string[] = [];
    store.onDidChange((key) => heard.push(key));
    const text = 'Ann met Bob.';
    const entities = entitiesAt(text, ['Ann', 'Bob']);
    store.set('doc', { model: MODEL, modelDescription: 'test', entities });
    expect(heard).toEqual(['doc']);
    expect(store.applyChanges('doc', [{ rangeOffset: 0, rangeLength: 0, text: '>> ' }])).toEqual([]);
    expect(heard).toEqual(['doc']);
    expect(store.entityAt('doc', 3)?.text).toBe('Ann');
    expect(store.entityAt('doc', 0)).toBeUndefined();
    const dropped = store.applyChanges('doc', [{ rangeOffset: 12, rangeLength: 0, text: 'x' }]); // inside "Bob" (now at 11..14)
    expect(dropped.map((e) => e.text)).toEqual(['Bob']);
    expect(heard).toEqual(['doc', 'doc']);
    expect(store.findById('doc', entities[0]!.id)?.start).toBe(3);
    store.delete('doc');
    expect(store.has('doc')).toBe(false);
    expect(store.applyChanges('doc', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }])).toEqual([]);
  });
});
