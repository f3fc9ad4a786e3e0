import { describe, expect, it } from 'vitest';
import { cli, fixtureModel, scratch } from './harness';

const { file } = scratch('evaluate-empty');
const MODEL = { ner: 'token-classification', classify: 'sequence-classification', qa: 'question-answering' } as const;

describe('bert-lens evaluate / train with no usable example', () => {
  it('an empty data file exits 2 with one line, for every task (no "0 examples … F1 0.00", no crash)', async () => {
    for (const task of ['ner', 'classify', 'qa'] as const) {
      const data = file(`empty-${task}.txt`, '');
      const { code, stdout, stderr } = await cli('evaluate', '--task', task, '--data', data, '--model', fixtureModel(MODEL[task]));
      expect(code, task).toBe(2);
      expect(stdout, task).toBe('');
      expect(stderr.trimEnd().split('\n').at(-1), task).toMatch(new RegExp(`^bert-lens evaluate: .*empty-${task}\\.txt: no usable (sentences|examples) \\(`));
    }
  });

  it('a file whose every record is malformed exits 2 after naming the bad lines', async () => {
    const cases = [
      ['classify', file('bad.tsv', 'no label here\nnor here\n')],
      ['qa', file('bad.jsonl', '{"question": "Who?"}\nnot json\n')],
      ['ner', file('bad.conll', '-DOCSTART- -X- O O\n\n')],
    ] as const;
    for (const [task, data] of cases) {
      const { code, stdout, stderr } = await cli('evaluate', '--task', task, '--data', data, '--model', fixtureModel(MODEL[task]));
      expect(code, task).toBe(2);
      expect(stdout, task).toBe('');
      expect(stderr.trimEnd().split('\n').at(-1), task).toMatch(/: no usable (sentences|examples) \(/);
    }
  });

  it('train refuses empty training and evaluation data the same way', async () => {
    const good = file('good.tsv', 'a fine film\tPOSITIVE\na dull film\tNEGATIVE\n');
    const empty = file('empty.tsv', '');
    const out = `${file('placeholder', '')}-out`;
    const noTrain = await cli('train', '--task', 'classify', '--model', fixtureModel('base'), '--data', empty, '--out', out);
    expect(noTrain.code).toBe(2);
    expect(noTrain.stderr).toMatch(/bert-lens train: .*empty\.tsv: no usable examples/);
    const noEval = await cli('train', '--task', 'classify', '--model', fixtureModel('base'), '--data', good, '--eval-data', empty, '--out', out);
    expect(noEval.code).toBe(2);
    expect(noEval.stderr).toMatch(/bert-lens train: .*empty\.tsv: no usable examples/);
  });
});
