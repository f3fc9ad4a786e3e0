import { describe, expect, it } from 'vitest';
import { decodeEntities } from '../../../src/core/data/bioAlignment';
import { joinedRows } from '../../../src/core/train/joinedRows';

const sentences = [
  { tokens: ['Conch', 'Key', ',', 'Florida'], tags: ['B-LOC', 'I-LOC', 'O', 'B-LOC'] },
  { tokens: ['Roger', 'Houdet'], tags: ['I-PER', 'I-PER'] },
  { tokens: ['the', 'club'], tags: ['O', 'O'] },
  { tokens: ['Cardiff', 'City'], tags: ['B-ORG', 'I-ORG'] },
  { tokens: [], tags: [] },
];

describe('joinedRows', () => {
  it('joins distinct sentences word list to word list, keeping every entity and its words', () => {
    const rows = joinedRows(sentences, { perRow: 3, rows: 50, seed: 4 });
    expect(rows).toHaveLength(50);
    for (const row of rows) {
      expect(row.tokens).toHaveLength(row.tags.length);
      const texts = decodeEntities(row.tags).entities.map((e) => `${e.type}:${row.tokens.slice(e.start, e.end).join(' ')}`);
      // Every entity of a member appears whole; none spans two members (e.g. "Florida Roger Houdet").
      for (const t of texts) expect(['LOC:Conch Key', 'LOC:Florida', 'PER:Roger Houdet', 'ORG:Cardiff City']).toContain(t);
      // Three distinct non-empty members (of 4, 2, 2 and 2 words; the empty one never joins): 8 or 6 words.
      expect([6, 8]).toContain(row.tokens.length);
    }
  });

  it('is seeded: the same seed gives the same rows, another seed others', () => {
    const a = joinedRows(sentences, { perRow: 2, rows: 20, seed: 1 });
    expect(joinedRows(sentences, { perRow: 2, rows: 20, seed: 1 })).toEqual(a);
    expect(joinedRows(sentences, { perRow: 2, rows: 20, seed: 2 })).not.toEqual(a);
  });

  it('opens with B- a member that starts inside an entity, so entities never merge across members', () => {
    const rows = joinedRows([sentences[0]!, sentences[1]!], { perRow: 2, rows: 10, seed: 3 });
    for (const row of rows) {
      const persons = decodeEntities(row.tags).entities.filter((e) => e.type === 'PER');
      expect(persons).toHaveLength(1);
      expect(row.tags[persons[0]!.start]).toBe('B-PER');
    }
  });

  it('refuses a row of fewer than two sentences and makes nothing from too few sentences', () => {
    expect(() => joinedRows(sentences, { perRow: 1, rows: 1, seed: 1 })).toThrow(RangeError);
    expect(() => joinedRows(sentences, { perRow: 2, rows: -1, seed: 1 })).toThrow(RangeError);
    expect(joinedRows(sentences.slice(0, 1), { perRow: 2, rows: 5, seed: 1 })).toEqual([]);
  });
});
