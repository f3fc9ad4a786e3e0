import type { WordSpan } from './documentLayout';

/** An entity found in a document: its type (PER, not B-PER) and its UTF-16 [start, end). */
export interface TypedSpan {
  type: string;
  start: number;
  end: number;
}

/**
 * IOB2 tags for words from entity spans over the same text (the inverse of writing words out with
 * their spans). A word takes the entity that overlaps it (shares at least one character with it):
 * an entity that starts or ends inside a word tags the whole word. Where several overlap one word,
 * the one starting first wins (then the longer one). A word continues (I-) the entity of the word
 * before it in the same sentence when it is the same entity; otherwise it begins one (B-), so two
 * adjacent entities of one type stay two. Sentences are tagged independently: an entity running
 * across a sentence end begins again at the next sentence's first word.
 */
export function wordTagsFromSpans(sentences: ReadonlyArray<readonly WordSpan[]>, entities: readonly TypedSpan[]): string[][] {
  const sorted = entities.filter((e) => e.end > e.start).sort((a, b) => a.start - b.start || b.end - a.end);
  let first = 0; // entities before it end before the current word (words come in text order)
  let previousEnd = -Infinity;
  return sentences.map((words) => {
    let previous: TypedSpan | undefined;
    return words.map((word) => {
      if (word.start < previousEnd) throw new Error('word spans must come in text order without overlapping');
      previousEnd = word.end;
      while (first < sorted.length && sorted[first]!.end <= word.start) first++;
      let chosen: TypedSpan | undefined;
      if (word.end > word.start) {
        for (let i = first; i < sorted.length && sorted[i]!.start < word.end; i++) {
          if (sorted[i]!.end > word.start) {
            chosen = sorted[i];
            break;
          }
        }
      }
      const tag = chosen ? `${chosen === previous ? 'I' : 'B'}-${chosen.type}` : 'O';
      previous = chosen;
      return tag;
    });
  });
}

/** Entity spans of words tagged IOB2 (strict: an I- that continues no entity of its type is none). */
export function spansFromWordTags(words: readonly WordSpan[], tags: readonly string[]): TypedSpan[] {
  const spans: TypedSpan[] = [];
  let open: TypedSpan | undefined;
  tags.forEach((tag, i) => {
    const type = tag.slice(2);
    if (tag.startsWith('I-') && open?.type === type) {
      open.end = words[i]!.end;
      return;
    }
    open = tag.startsWith('B-') ? { type, start: words[i]!.start, end: words[i]!.end } : undefined;
    if (open) spans.push(open);
  });
  return spans;
}
