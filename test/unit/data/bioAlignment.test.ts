import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/data/annotation';
import { decodeEntities, detectTagScheme, spansToTags, tagsToSpans, toIob2 } from '../../../src/core/data/bioAlignment';
import { joinWords, punctuationWordTokens, whitespaceTokens } from '../../../src/core/data/wordTokens';
import { mulberry32, pick, randomInt } from './helpers/prng';

describe('spansToTags / tagsToSpans', () => {
  const text = 'Angela Merkel visited New York City.';
  const words = punctuationWordTokens(text);

  it('tags aligned spans as IOB2 and reads them back', () => {
    const spans: Span[] = [
      { start: 0, end: 13, label: 'PER' },
      { start: 22, end: 35, label: 'LOC' },
    ];
    const { tags, issues } = spansToTags(spans, words, { text });
    expect(words.map(([s, e]) => text.slice(s, e))).toEqual(['Angela', 'Merkel', 'visited', 'New', 'York', 'City', '.']);
    expect(tags).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'I-LOC', 'O']);
    expect(issues).toEqual([]);
    expect(tagsToSpans(tags, words).spans).toEqual(spans);
  });

  it('reports a span that cuts a token, naming the token and the document, and skips it', () => {
    const { tags, issues, spans } = spansToTags([{ start: 2, end: 13, label: 'PER' }], words, { text, documentPath: 'news.txt' });
    expect(tags.every((t) => t === 'O')).toBe(true);
    expect(spans).toEqual([]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ spanIndex: 0, documentPath: 'news.txt', action: 'skipped' });
    expect(issues[0]!.reason).toContain('starts inside token 0 "Angela" [0, 6)');
  });

  it("with snap 'outward' widens the span to whole tokens and reports it", () => {
    const { tags, issues, spans } = spansToTags([{ start: 24, end: 30, label: 'LOC' }], words, { text, snap: 'outward' });
    expect(tags).toEqual(['O', 'O', 'O', 'B-LOC', 'I-LOC', 'O', 'O']);
    expect(spans).toEqual([{ start: 22, end: 30, label: 'LOC' }]);
    expect(issues[0]).toMatchObject({ action: 'snapped', snappedTo: { start: 22, end: 30, label: 'LOC' } });
  });

  it('keeps the earlier of two overlapping spans and reports the other', () => {
    const { tags, issues } = spansToTags(
      [
        { start: 26, end: 35, label: 'ORG' },
        { start: 22, end: 35, label: 'LOC' },
      ],
      words,
    );
    expect(tags.slice(3, 6)).toEqual(['B-LOC', 'I-LOC', 'I-LOC']);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.spanIndex).toBe(0);
    expect(issues[0]!.reason).toContain('overlaps span 1');
  });

  it('works with WordPiece offsets: special tokens stay O, sub-words inside an entity get I-', () => {
    // "[CLS] Merkel ##s Berlin [SEP]" style offsets over "Merkels Berlin"
    const offsets: Array<[number, number]> = [[0, 0], [0, 5], [5, 7], [8, 14], [0, 0]];
    const { tags } = spansToTags([{ start: 0, end: 7, label: 'PER' }, { start: 8, end: 14, label: 'LOC' }], offsets);
    expect(tags).toEqual(['O', 'B-PER', 'I-PER', 'B-LOC', 'O']);
    expect(spansToTags([{ start: 0, end: 5, label: 'PER' }], offsets).tags).toEqual(['O', 'B-PER', 'O', 'O', 'O']);
    expect(spansToTags([{ start: 0, end: 6, label: 'PER' }], offsets).issues[0]!.reason).toContain('ends inside token 2');
  });

  it('reports spans over whitespace only', () => {
    const { issues } = spansToTags([{ start: 13, end: 14, label: 'X' }], words);
    expect(issues[0]!.reason).toContain('covers no token');
  });

  it('round-trips random aligned, non-overlapping spans (200 seeded cases)', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 200; trial++) {
      const wordList = Array.from({ length: 1 + randomInt(random, 15) }, () => pick(random, ['a', 'bb', 'ccc', 'Ünï', '😀x', ',']));
      const { text: joined, offsets } = joinWords(wordList);
      const spans: Span[] = [];
      for (let i = 0; i < offsets.length; ) {
        if (random() < 0.4) {
          const length = 1 + randomInt(random, Math.min(3, offsets.length - i));
          spans.push({ start: offsets[i]![0], end: offsets[i + length - 1]![1], label: pick(random, ['PER', 'LOC']) });
          i += length;
        } else i++;
      }
      const encoded = spansToTags(spans, offsets, { text: joined });
      expect(encoded.issues).toEqual([]);
      expect(tagsToSpans(encoded.tags, offsets).spans).toEqual(spans);
    }
  });
});

describe('tag schemes', () => {
  it('reads IOB1 (entities start with I-, B- only between adjacent same-type entities)', () => {
    const iob1 = ['I-PER', 'I-PER', 'B-PER', 'O', 'I-LOC', 'I-ORG'];
    expect(detectTagScheme([iob1])).toBe('IOB1');
    const converted = toIob2(iob1);
    expect(converted.tags).toEqual(['B-PER', 'I-PER', 'B-PER', 'O', 'B-LOC', 'B-ORG']);
    expect(converted.changed).toBe(3);
  });

  it('reads BIOES and BILOU', () => {
    const bioes = ['S-PER', 'O', 'B-LOC', 'I-LOC', 'E-LOC', 'S-LOC', 'B-ORG', 'E-ORG'];
    expect(detectTagScheme([bioes])).toBe('BIOES');
    expect(toIob2(bioes).tags).toEqual(['B-PER', 'O', 'B-LOC', 'I-LOC', 'I-LOC', 'B-LOC', 'B-ORG', 'I-ORG']);
    const bilou = ['U-PER', 'B-LOC', 'L-LOC', 'U-LOC'];
    expect(detectTagScheme([bilou])).toBe('BILOU');
    expect(toIob2(bilou).tags).toEqual(['B-PER', 'B-LOC', 'I-LOC', 'B-LOC']);
  });

  it('detects IOB2, and IO as IOB1 (both read the same way)', () => {
    expect(detectTagScheme([['I-PER', 'I-PER', 'O', 'I-LOC']])).toBe('IOB1');
    expect(detectTagScheme([['B-PER', 'I-PER', 'O', 'B-LOC'], ['O']])).toBe('IOB2');
  });

  it('decodes leniently and lists invalid tags', () => {
    const { entities, invalid } = decodeEntities(['B-PER', 'I-LOC', 'X', 'I-LOC', 'B-creative-work', 'I-creative-work']);
    expect(entities).toEqual([
      { type: 'PER', start: 0, end: 1 },
      { type: 'LOC', start: 1, end: 2 },
      { type: 'LOC', start: 3, end: 4 },
      { type: 'creative-work', start: 4, end: 6 },
    ]);
    expect(invalid).toEqual([2]);
  });
});

describe('word tokenizers', () => {
  it('split whitespace, punctuation, CJK and keep astral characters whole', () => {
    const text = 'Hi, 東京! 😀ok\tno';
    const pieces = punctuationWordTokens(text).map(([s, e]) => text.slice(s, e));
    expect(pieces).toEqual(['Hi', ',', '東', '京', '!', '😀', 'ok', 'no']);
    expect(whitespaceTokens(text).map(([s, e]) => text.slice(s, e))).toEqual(['Hi,', '東京!', '😀ok', 'no']);
  });
});
