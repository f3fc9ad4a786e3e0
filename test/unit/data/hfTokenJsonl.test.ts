import { describe, expect, it } from 'vitest';
import { conllToDocuments, parseConll } from '../../../src/core/data/formats/conll';
import { iob2LabelNames, parseHfTokenJsonl, writeHfTokenJsonl } from '../../../src/core/data/formats/hfTokenJsonl';
import { parseLabelNames } from '../../../src/core/data/formats/labelNames';
import { documentsToSentences } from '../../../src/core/data/tokenDocuments';
import { fixture } from './helpers/fixtures';

describe('parseLabelNames', () => {
  it('reads HF dataset_info.json (Sequence of ClassLabel)', () => {
    const { labelNames, errors } = parseLabelNames(fixture('hf-dataset_info.json'));
    expect(errors).toEqual([]);
    expect(labelNames).toEqual(['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC']);
  });

  it('reads a config.json id2label, an array, label_names, and plain lines', () => {
    expect(parseLabelNames('{"id2label": {"1": "B-PER", "0": "O"}}').labelNames).toEqual(['O', 'B-PER']);
    expect(parseLabelNames('["O", "B-X"]').labelNames).toEqual(['O', 'B-X']);
    expect(parseLabelNames('{"label_names": ["O"]}').labelNames).toEqual(['O']);
    expect(parseLabelNames('O\nB-X\n\nI-X\n').labelNames).toEqual(['O', 'B-X', 'I-X']);
    expect(parseLabelNames('{"nothing": 1}').errors[0]!.message).toContain('no label names found');
  });
});

describe('parseHfTokenJsonl', () => {
  const labelNames = parseLabelNames(fixture('hf-dataset_info.json')).labelNames;

  it('maps integer tags through the label names and reports bad lines', () => {
    const result = parseHfTokenJsonl(fixture('hf-token-sample.jsonl'), { file: 'hf.jsonl', labelNames });
    expect(result.records.map((r) => [r.id, r.tags])).toEqual([
      ['0', ['B-ORG', 'O', 'B-MISC', 'O']],
      ['1', ['B-PER', 'I-PER']],
    ]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [3, 'tag 0 is 99, outside the 9 label names'],
      [4, '2 tokens but 1 tags'],
    ]);
  });

  it('says clearly that integer tags need label names', () => {
    const result = parseHfTokenJsonl('{"tokens": ["a"], "ner_tags": [0]}\n');
    expect(result.errors[0]!.message).toContain('no label names were given');
  });

  it('accepts string tags and converts IOB1 to IOB2', () => {
    const result = parseHfTokenJsonl('{"tokens": ["New", "York"], "ner_tags": ["I-LOC", "I-LOC"]}\n');
    expect(result.records[0]!.tags).toEqual(['B-LOC', 'I-LOC']);
    expect(result.warnings).toHaveLength(1);
  });
});

describe('HF token JSONL round trips', () => {
  it('write → read with the written label names reproduces tokens and tags', () => {
    const sentences = parseConll(fixture('conll2003-iob1.txt')).records;
    const written = writeHfTokenJsonl(sentences);
    expect(written.labelNames).toEqual(iob2LabelNames(['ORG', 'MISC', 'PER', 'LOC']));
    const read = parseHfTokenJsonl(written.content, { labelNames: written.labelNames });
    expect(read.errors).toEqual([]);
    expect(read.records.map((r) => [r.tokens, r.tags])).toEqual(sentences.map((s) => [s.tokens, s.tags]));
  });

  it('documents → HF JSONL → documents keeps text and spans', () => {
    const documents = conllToDocuments(parseConll(fixture('conll2003-iob1.txt')).records);
    const { sentences } = documentsToSentences(documents);
    const written = writeHfTokenJsonl(sentences, { labelNames: parseLabelNames(fixture('hf-dataset_info.json')).labelNames });
    const read = parseHfTokenJsonl(written.content, { labelNames: parseLabelNames(fixture('hf-dataset_info.json')).labelNames });
    const again = conllToDocuments(read.records.map((r, i) => ({ ...r, documentIndex: i })));
    expect(again.map((d) => [d.text, d.spans])).toEqual(documents.map((d) => [d.text, d.spans]));
  });

  it('reports tags missing from given label names', () => {
    const written = writeHfTokenJsonl([{ tokens: ['x'], tags: ['B-NEW'] }], { labelNames: ['O'] });
    expect(written.content).toBe('');
    expect(written.issues[0]).toContain('B-NEW is not among the label names');
  });
});
