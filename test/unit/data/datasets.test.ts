import { describe, expect, it } from 'vitest';
import { detectNerFormat, readClassificationExamples, readNerSentences } from '../../../src/core/data/datasets';
import { fixture } from './helpers/fixtures';

describe('readNerSentences', () => {
  it('detects each format from the file name and content', () => {
    expect(detectNerFormat('train.txt', fixture('conll2003-iob1.txt'))).toBe('conll');
    expect(detectNerFormat('a.jsonl', fixture('prodigy-sample.jsonl'))).toBe('prodigy');
    expect(detectNerFormat('a.jsonl', fixture('hf-token-sample.jsonl'))).toBe('hf-jsonl');
    expect(detectNerFormat('export.json', fixture('labelstudio-sample.json'))).toBe('label-studio');
    expect(detectNerFormat('noext', '{"tokens": ["a"], "ner_tags": ["O"]}\n')).toBe('hf-jsonl');
  });

  it('gives the same words and IOB2 tags for the same data in CoNLL and HF JSONL', () => {
    const conll = readNerSentences('EU\tI-ORG\nrejects\tO\n\nPeter\tB-PER\nBlackburn\tI-PER\n', { file: 'x.conll' });
    const hf = readNerSentences('{"tokens":["EU","rejects"],"ner_tags":[1,0]}\n{"tokens":["Peter","Blackburn"],"ner_tags":[3,4]}\n', {
      file: 'x.jsonl',
      labelNames: ['O', 'B-ORG', 'I-ORG', 'B-PER', 'I-PER'],
    });
    expect(conll.format).toBe('conll');
    expect(hf.format).toBe('hf-jsonl');
    expect(conll.records.map(({ tokens, tags }) => ({ tokens, tags }))).toEqual(hf.records.map(({ tokens, tags }) => ({ tokens, tags })));
  });

  it('puts Prodigy character spans on words and reports spans that do not fit, with the task line', () => {
    const text = '{"text":"Visit Paris, France","spans":[{"start":6,"end":11,"label":"LOC"}]}\n{"text":"See NewYork","spans":[{"start":7,"end":11,"label":"LOC"}]}\n';
    const data = readNerSentences(text, { file: 'p.jsonl' });
    expect(data.records).toEqual([
      { tokens: ['Visit', 'Paris', ',', 'France'], tags: ['O', 'B-LOC', 'O', 'O'], line: 1 },
      { tokens: ['See', 'NewYork'], tags: ['O', 'O'], line: 2 },
    ]);
    expect(data.alignment).toHaveLength(1);
    expect(data.warnings).toEqual([{ file: 'p.jsonl', line: 2, message: expect.stringContaining('starts inside token 1 "NewYork"') }]);
  });

  it('reads Label Studio exports', () => {
    const data = readNerSentences(fixture('labelstudio-sample.json'), { file: 'ls.json' });
    expect(data.records[0]).toEqual({ tokens: ['😀', 'Barack', 'Obama', 'visited', 'Paris', '.'], tags: ['O', 'B-PER', 'I-PER', 'O', 'B-LOC', 'O'], line: 2 });
  });
});

describe('readClassificationExamples', () => {
  it('reads TSV and JSONL alike', () => {
    const tsv = readClassificationExamples('sentence\tlabel\ngood\t1\nbad\t0\n', { file: 'd.tsv' });
    const jsonl = readClassificationExamples('{"text":"good","label":1}\n{"text":"bad","label":0}\n', { file: 'd.jsonl' });
    expect([tsv.format, jsonl.format]).toEqual(['tsv', 'jsonl']);
    expect(tsv.records.map(({ text, label }) => [text, label])).toEqual(jsonl.records.map(({ text, label }) => [text, label]));
  });
});
