import { describe, expect, it } from 'vitest';
import { readNerSentences } from '../../../src/core/data/datasets';
import { layOutDocument, type LaidOutDocument } from '../../../src/core/data/documentLayout';
import { spansFromWordTags, wordTagsFromSpans } from '../../../src/core/data/spanWordTags';

const sentences = [
  { tokens: ['Ada', 'Lovelace', 'met', 'Charles', 'Babbage', '.'], tags: ['B-PER', 'I-PER', 'O', 'B-PER', 'I-PER', 'O'] },
  { tokens: ['She', 'lived', 'in', 'London', 'and', 'Paris'], tags: ['O', 'O', 'O', 'B-LOC', 'O', 'B-LOC'] },
  { tokens: ['The', 'Royal', 'Society', 'Acme', 'Corp', 'agreed'], tags: ['O', 'B-ORG', 'I-ORG', 'B-ORG', 'I-ORG', 'O'] },
  { tokens: ['Bonn', 'Berlin'], tags: ['B-LOC', 'B-LOC'] },
];

/** Every word's span must hold exactly that word: the layout's one promise the mapping relies on. */
function expectSpansHoldWords(document: LaidOutDocument, input: ReadonlyArray<{ tokens: readonly string[] }>): void {
  input.forEach((sentence, s) => sentence.tokens.forEach((token, w) => {
    const span = document.words[s]![w]!;
    expect(document.text.slice(span.start, span.end)).toBe(token);
  }));
}

describe('layOutDocument', () => {
  it('paragraphs: words by spaces, sentences by a space, a blank line every N sentences', () => {
    const document = layOutDocument(sentences, { layout: 'paragraphs', sentencesPerParagraph: 2 });
    expect(document.text).toBe('Ada Lovelace met Charles Babbage . She lived in London and Paris\n\nThe Royal Society Acme Corp agreed Bonn Berlin');
    expect(document.paragraphs).toBe(2);
    expectSpansHoldWords(document, sentences);
  });

  it('lines: one sentence per line, paragraphs still apart by a blank line', () => {
    const document = layOutDocument(sentences, { layout: 'lines', sentencesPerParagraph: 3 });
    expect(document.text).toBe('Ada Lovelace met Charles Babbage .\nShe lived in London and Paris\nThe Royal Society Acme Corp agreed\n\nBonn Berlin');
    expect(document.paragraphs).toBe(2);
    expectSpansHoldWords(document, sentences);
  });

  it('follows -DOCSTART- documents instead of counting sentences when the data has them', () => {
    const conll = '-DOCSTART- -X- O O\n\nAda\tB-PER\nwrote\tO\n\nShe\tO\nleft\tO\n\n-DOCSTART- -X- O O\n\nBonn\tB-LOC\n\nBerlin\tB-LOC\n\nRome\tB-LOC\n';
    const read = readNerSentences(conll, { file: 'd.conll' }).records;
    expect(read.map((s) => s.documentIndex)).toEqual([0, 0, 1, 1, 1]);
    const document = layOutDocument(read, { layout: 'paragraphs', sentencesPerParagraph: 1 });
    expect(document.text).toBe('Ada wrote She left\n\nBonn Berlin Rome');
    expect(document.paragraphs).toBe(2);
    expectSpansHoldWords(document, read);
  });

  it('a file without -DOCSTART- gives sentences no document, so N per paragraph applies', () => {
    const read = readNerSentences('Ada\tB-PER\n\nBonn\tB-LOC\n\nRome\tB-LOC\n', { file: 'plain.conll' }).records;
    expect(read.every((s) => s.documentIndex === undefined)).toBe(true);
    expect(layOutDocument(read, { layout: 'lines', sentencesPerParagraph: 2 }).text).toBe('Ada\nBonn\n\nRome');
  });

  it('a sentence without words adds no text and keeps the paragraph break', () => {
    const input = [{ tokens: ['A'] }, { tokens: [] }, { tokens: ['B'] }, { tokens: ['C'] }];
    const document = layOutDocument(input, { layout: 'lines', sentencesPerParagraph: 1 });
    expect(document.text).toBe('A\n\nB\n\nC');
    expect(document.words[1]).toEqual([]);
    expect(document.paragraphs).toBe(3);
  });

  it('refuses a paragraph size that is not a positive integer', () => {
    expect(() => layOutDocument(sentences, { layout: 'lines', sentencesPerParagraph: 0 })).toThrow(/positive integer/);
  });
});

describe('wordTagsFromSpans', () => {
  it('round trip: gold tags → character spans in the document → the same tags, for both layouts', () => {
    for (const layout of ['paragraphs', 'lines'] as const) {
      const document = layOutDocument(sentences, { layout, sentencesPerParagraph: 2 });
      const spans = sentences.flatMap((s, i) => spansFromWordTags(document.words[i]!, s.tags));
      expect(spans.map((e) => document.text.slice(e.start, e.end))).toEqual(['Ada Lovelace', 'Charles Babbage', 'London', 'Paris', 'Royal Society', 'Acme Corp', 'Bonn', 'Berlin']);
      expect(wordTagsFromSpans(document.words, spans)).toEqual(sentences.map((s) => s.tags));
    }
  });

  it('an entity starting or ending inside a word tags the whole word', () => {
    // "U.S.-based Acme" with the model marking only "U.S" and, separately, "based Ac".
    const words = [[{ start: 0, end: 10 }, { start: 11, end: 15 }, { start: 16, end: 20 }]];
    expect(wordTagsFromSpans(words, [{ type: 'LOC', start: 0, end: 3 }])).toEqual([['B-LOC', 'O', 'O']]);
    expect(wordTagsFromSpans(words, [{ type: 'ORG', start: 5, end: 13 }])).toEqual([['B-ORG', 'I-ORG', 'O']]);
    expect(wordTagsFromSpans(words, [{ type: 'ORG', start: 12, end: 13 }])).toEqual([['O', 'B-ORG', 'O']]);
  });

  it('where two entities share a word, the one starting first takes it; the next word may begin the other', () => {
    const words = [[{ start: 0, end: 5 }, { start: 6, end: 10 }]];
    const tags = wordTagsFromSpans(words, [{ type: 'ORG', start: 3, end: 8 }, { type: 'PER', start: 0, end: 2 }]);
    expect(tags).toEqual([['B-PER', 'B-ORG']]);
  });

  it('keeps two adjacent entities of one type apart, and restarts an entity at a sentence boundary', () => {
    const words = [[{ start: 0, end: 4 }, { start: 5, end: 11 }], [{ start: 12, end: 16 }]];
    expect(wordTagsFromSpans(words, [{ type: 'LOC', start: 0, end: 4 }, { type: 'LOC', start: 5, end: 11 }])).toEqual([['B-LOC', 'B-LOC'], ['O']]);
    expect(wordTagsFromSpans(words, [{ type: 'LOC', start: 5, end: 16 }])).toEqual([['O', 'B-LOC'], ['B-LOC']]);
  });

  it('an entity over only the space between words tags nothing, nor does an empty span', () => {
    const words = [[{ start: 0, end: 3 }, { start: 4, end: 7 }]];
    expect(wordTagsFromSpans(words, [{ type: 'PER', start: 3, end: 4 }, { type: 'LOC', start: 1, end: 1 }])).toEqual([['O', 'O']]);
  });
});
