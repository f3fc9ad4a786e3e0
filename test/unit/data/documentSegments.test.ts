import { describe, expect, it } from 'vitest';
import type { AnnotatedDocument } from '../../../src/core/data/annotation';
import { documentsToSentences } from '../../../src/core/data/tokenDocuments';
import { nerSentencesOfDocuments } from '../../../src/core/finetune/datasetSummary';

// Hard-wrapped prose: a line break inside the first sentence, two sentences on the second line, a
// list after a blank line; CRLF and LF mixed.
const text = 'Ada Lovelace met Charles\r\nBabbage in London. She wrote notes. Dr. Smith agreed.\n\nParis\nBerlin';
const span = (phrase: string, label: string) => ({ start: text.indexOf(phrase), end: text.indexOf(phrase) + phrase.length, label });
const document: AnnotatedDocument = {
  text,
  spans: [span('Ada Lovelace', 'PER'), span('London', 'LOC'), span('Smith', 'PER'), span('Paris', 'LOC'), span('Berlin', 'LOC')],
  meta: { path: 'notes.txt' },
};
const rows = (segmentation?: 'line' | 'sentence' | 'none') => documentsToSentences([document], { segmentation }).sentences.map((s) => s.tokens.join(' '));

describe('NER rows from documents follow the segments inference reads', () => {
  it('without segmentation: one row per line (the CoNLL / token JSONL layout, which exports keep)', () => {
    expect(rows()).toEqual(['Ada Lovelace met Charles', 'Babbage in London . She wrote notes . Dr . Smith agreed .', 'Paris', 'Berlin']);
  });

  it('line: every line break and every sentence end (not after "Dr.")', () => {
    expect(rows('line')).toEqual(['Ada Lovelace met Charles', 'Babbage in London .', 'She wrote notes .', 'Dr . Smith agreed .', 'Paris', 'Berlin']);
  });

  it('sentence: a single line break inside a paragraph is not a boundary; none: the document is one row', () => {
    expect(rows('sentence')).toEqual(['Ada Lovelace met Charles Babbage in London .', 'She wrote notes .', 'Dr . Smith agreed .', 'Paris Berlin']);
    expect(rows('none')).toHaveLength(1);
  });

  it('tags stay on their words in every mode, and the training rows default to the editor default (line)', () => {
    for (const segmentation of [undefined, 'line', 'sentence', 'none'] as const) {
      const { sentences } = documentsToSentences([document], { segmentation });
      const pairs = sentences.flatMap((s) => s.tokens.map((token, i) => `${token}/${s.tags[i]}`));
      expect(pairs.filter((p) => !p.endsWith('/O'))).toEqual(['Ada/B-PER', 'Lovelace/I-PER', 'London/B-LOC', 'Smith/B-PER', 'Paris/B-LOC', 'Berlin/B-LOC']);
    }
    expect(nerSentencesOfDocuments([document]).sentences.map((s) => s.tokens.join(' '))).toEqual(rows('line'));
  });
});
