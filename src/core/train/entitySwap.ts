import { decodeEntities, encodeIob2, type EntityRun } from '../data/bioAlignment';
import { Random } from '../util/random';

export interface TaggedSentence {
  tokens: string[];
  tags: string[];
}

/** Distinct entity mentions by type (each a list of words), in first-seen order. */
export type MentionPool = ReadonlyMap<string, ReadonlyArray<readonly string[]>>;

/** The distinct entity mentions of IOB2-tagged sentences, by type (a pool for withSwappedEntities). */
export function entityMentions(sentences: readonly TaggedSentence[]): Map<string, string[][]> {
  const pool = new Map<string, string[][]>();
  const seen = new Set<string>();
  for (const sentence of sentences) {
    for (const entity of decodeEntities(sentence.tags).entities) {
      const words = sentence.tokens.slice(entity.start, entity.end);
      const key = `${entity.type}\u0000${words.join(' ')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = pool.get(entity.type) ?? [];
      list.push(words);
      pool.set(entity.type, list);
    }
  }
  return pool;
}

export interface EntitySwapOptions {
  /** Copies per sentence that has at least one entity of a type in the pool. */
  copies: number;
  seed: number;
}

/**
 * Mention-replacement augmentation for NER (Dai & Adel 2020, "mention replacement"): each copy of a
 * sentence keeps its words and context and replaces every entity with a random mention of the same
 * type from `pool` (with its own length; tags re-encoded in IOB2). A few hundred sentences of prose
 * teach the contexts entities stand in ("said chief executive …", "based in …"); the names of a large
 * dataset keep the model from memorising the handful of names those sentences use. A mention written
 * in capitals (a dateline: `LISBON --`) is replaced in capitals. Seeded; originals first, then the
 * copies in order. Sentences without a replaceable entity get no copy.
 */
export function withSwappedEntities<T extends TaggedSentence>(sentences: readonly T[], pool: MentionPool, options: EntitySwapOptions): T[] {
  if (!Number.isInteger(options.copies) || options.copies < 0) throw new RangeError(`copies must be a whole number ≥ 0, got ${options.copies}`);
  const random = new Random(options.seed);
  const copies: T[] = [];
  for (let copy = 0; copy < options.copies; copy++) {
    for (const sentence of sentences) {
      const all = decodeEntities(sentence.tags).entities;
      const replaced = all.filter((e) => (pool.get(e.type)?.length ?? 0) > 0);
      if (replaced.length === 0) continue;
      copies.push({ ...sentence, ...replaceMentions(sentence, replaced, all.filter((e) => !replaced.includes(e)), pool, random) });
    }
  }
  return [...sentences, ...copies];
}

/** The sentence with `entities` replaced from the pool; `kept` (types without a pool) only move. */
function replaceMentions(sentence: TaggedSentence, entities: readonly EntityRun[], kept: readonly EntityRun[], pool: MentionPool, random: Random): TaggedSentence {
  const tokens: string[] = [];
  const runs: EntityRun[] = [];
  let next = 0;
  for (const entity of entities) {
    tokens.push(...sentence.tokens.slice(next, entity.start));
    const choices = pool.get(entity.type)!;
    const original = sentence.tokens.slice(entity.start, entity.end);
    let words = [...choices[Math.floor(random.next() * choices.length)]!];
    if (original.every(isAllCaps)) words = words.map((w) => w.toUpperCase());
    runs.push({ type: entity.type, start: tokens.length, end: tokens.length + words.length });
    tokens.push(...words);
    next = entity.end;
  }
  tokens.push(...sentence.tokens.slice(next));
  const shifted = kept.map((e) => shift(e, entities, runs));
  return { tokens, tags: encodeIob2([...runs, ...shifted], tokens.length) };
}

/** Where an untouched entity lands after the replacements before it changed the sentence's length. */
function shift(entity: EntityRun, replaced: readonly EntityRun[], runs: readonly EntityRun[]): EntityRun {
  let delta = 0;
  replaced.forEach((r, i) => {
    if (r.end <= entity.start) delta += (runs[i]!.end - runs[i]!.start) - (r.end - r.start);
  });
  return { ...entity, start: entity.start + delta, end: entity.end + delta };
}

function isAllCaps(word: string): boolean {
  return /\p{Lu}/u.test(word) && word === word.toUpperCase();
}
