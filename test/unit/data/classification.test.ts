import { describe, expect, it } from 'vitest';
import {
  classificationLabels,
  parseClassificationJsonl,
  parseClassificationTsv,
  writeClassificationJsonl,
  writeClassificationTsv,
} from '../../../src/core/data/formats/classification';
import { fixture } from './helpers/fixtures';

describe('classification TSV', () => {
  it('reads GLUE-style TSV with a header, keeping text as is, and reports bad lines', () => {
    const result = parseClassificationTsv(fixture('sst2-sample.tsv'), { file: 'sst2.tsv' });
    expect(result.header).toEqual(['sentence', 'label']);
    expect(result.records).toEqual([
      { text: "it 's a charming journey . ", label: '1', line: 2 },
      { text: 'unflinchingly bleak', label: '0', line: 3 },
    ]);
    expect(result.errors.map((e) => [e.line, e.message])).toEqual([
      [4, 'expected text<TAB>label'],
      [5, '4 columns, the header has 2'],
    ]);
  });

  it('reads without a header, maps integer labels to names, rejects unknown ones', () => {
    const result = parseClassificationTsv('good film\t1\nbad film\t0\nodd\t7\n', { labelNames: ['negative', 'positive'] });
    expect(result.header).toBeUndefined();
    expect(result.records.map((r) => r.label)).toEqual(['positive', 'negative']);
    expect(result.errors[0]).toMatchObject({ line: 3, message: 'label 7 is outside the 2 label names' });
  });

  it('round-trips through write, leaving out texts TSV cannot hold', () => {
    const records = [
      { text: 'a fine film', label: 'pos' },
      { text: 'two\nlines', label: 'neg' },
      { text: 'quotes " and \' stay', label: 'neg' },
    ];
    const written = writeClassificationTsv(records);
    expect(written.issues).toHaveLength(1);
    expect(parseClassificationTsv(written.content).records.map(({ text, label }) => ({ text, label }))).toEqual([records[0], records[2]]);
  });
});

describe('classification JSONL', () => {
  it('reads text/label (and sentence), integers and names', () => {
    const result = parseClassificationJsonl('{"text": "a", "label": 1}\n{"sentence": "b", "label": "neg"}\n{"text": "c"}\n');
    expect(result.records.map((r) => [r.text, r.label])).toEqual([
      ['a', '1'],
      ['b', 'neg'],
    ]);
    expect(result.errors[0]).toMatchObject({ line: 3 });
  });

  it('round-trips', () => {
    const records = [
      { text: 'line\nbreak\tand tab', label: '2' },
      { text: '😀', label: '10' },
    ];
    expect(parseClassificationJsonl(writeClassificationJsonl(records).content).records.map(({ text, label }) => ({ text, label }))).toEqual(records);
  });

  it('orders integer labels numerically', () => {
    expect(classificationLabels([{ label: '10' }, { label: '2' }, { label: '0' }])).toEqual(['0', '2', '10']);
    expect(classificationLabels([{ label: 'pos' }, { label: 'neg' }, { label: 'pos' }])).toEqual(['pos', 'neg']);
  });
});
