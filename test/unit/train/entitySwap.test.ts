import { describe, expect, it } from 'vitest';
import { decodeEntities, isIob2 } from '../../../src/core/data/bioAlignment';
import { entityMentions, withSwappedEntities } from '../../../src/core/train/entitySwap';

const sentences = [
  { tokens: ['LISBON', '--', 'Chief', 'executive', 'Ana', 'Sousa', 'of', 'Brisa', 'Motors', 'said', 'so', '.'], tags: ['B-LOC', 'O', 'O', 'O', 'B-PER', 'I-PER', 'O', 'B-ORG', 'I-ORG', 'O', 'O', 'O'], line: 1 },
  { tokens: ['It', 'rained', 'on', 'Monday', '.'], tags: ['O', 'O', 'O', 'O', 'O'], line: 7 },
  { tokens: ['The', 'Euro', 'fell', 'in', 'Paris'], tags: ['O', 'B-MISC', 'O', 'O', 'B-LOC'], line: 9 },
];
const pool = entityMentions([
  { tokens: ['Jean', 'Paul', 'Sartre', 'met', 'Kim'], tags: ['B-PER', 'I-PER', 'I-PER', 'O', 'B-PER'] },
  { tokens: ['United', 'Nations', 'in', 'New', 'York', 'and', 'Kim'], tags: ['B-ORG', 'I-ORG', 'O', 'B-LOC', 'I-LOC', 'O', 'B-PER'] },
]);

describe('entityMentions', () => {
  it('collects distinct mentions by type', () => {
    expect(pool.get('PER')).toEqual([['Jean', 'Paul', 'Sartre'], ['Kim']]);
    expect(pool.get('ORG')).toEqual([['United', 'Nations']]);
    expect(pool.get('LOC')).toEqual([['New', 'York']]);
  });
});

describe('withSwappedEntities', () => {
  const out = withSwappedEntities(sentences, pool, { copies: 20, seed: 3 });
  const copies = out.slice(sentences.length);

  it('keeps the originals first and copies only sentences with a replaceable entity', () => {
    expect(out.slice(0, sentences.length)).toEqual(sentences);
    expect(copies.length).toBe(40);
    expect(copies.every((c) => c.line === 1 || c.line === 9)).toBe(true);
  });

  it('replaces each entity by a pool mention of its type, keeping the context words and valid IOB2', () => {
    for (const copy of copies) {
      expect(isIob2(copy.tags)).toBe(true);
      expect(copy.tokens.length).toBe(copy.tags.length);
      for (const entity of decodeEntities(copy.tags).entities) {
        const words = copy.tokens.slice(entity.start, entity.end);
        if (entity.type === 'MISC') expect(words).toEqual(['Euro']);
        else expect((pool.get(entity.type) ?? []).map((m) => m.join(' ').toUpperCase())).toContain(words.join(' ').toUpperCase());
      }
      const context = copy.tokens.filter((_, i) => copy.tags[i] === 'O');
      const source = sentences.find((s) => s.line === copy.line)!;
      expect(context).toEqual(source.tokens.filter((_, i) => source.tags[i] === 'O'));
    }
  });

  it('writes a mention in capitals where the original was (datelines)', () => {
    for (const copy of copies.filter((c) => c.line === 1)) {
      expect(copy.tokens.slice(0, 2)).toEqual(['NEW', 'YORK']);
      const person = decodeEntities(copy.tags).entities.find((e) => e.type === 'PER')!;
      expect(copy.tokens[person.start]).not.toBe(copy.tokens[person.start]!.toUpperCase());
    }
  });

  it('uses the whole pool and is deterministic for a seed', () => {
    const persons = new Set(copies.filter((c) => c.line === 1).map((c) => c.tokens.includes('Kim') ? 'Kim' : 'Sartre'));
    expect(persons).toEqual(new Set(['Kim', 'Sartre']));
    expect(withSwappedEntities(sentences, pool, { copies: 20, seed: 3 })).toEqual(out);
    expect(withSwappedEntities(sentences, pool, { copies: 20, seed: 4 })).not.toEqual(out);
  });

  it('refuses a negative or fractional number of copies', () => {
    expect(() => withSwappedEntities(sentences, pool, { copies: -1, seed: 1 })).toThrow(RangeError);
    expect(() => withSwappedEntities(sentences, pool, { copies: 1.5, seed: 1 })).toThrow(RangeError);
  });
});
