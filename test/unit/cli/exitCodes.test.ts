import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verbs } from '../../../src/cli/verbs/index';
import { cli, fixtureModel, scratch } from './harness';

const { dir, file } = scratch('exit-codes');
const text = file('text.txt', 'Ada Lovelace lived in London.');

describe('bert-lens exit codes: one convention for every verb', () => {
  it('is documented in --help and in every verb\'s --help', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/exit codes: 0 success; 2 bad usage or bad input .*\n.*1 a failure while running/);
    for (const verb of verbs) {
      const help = await cli(verb.name, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout, verb.name).toContain('exit codes: 0 success; 2 bad usage or bad input');
    }
  });

  it('bad usage exits 2: no verb, an unknown verb, an unknown option, a bad option value — for every verb', async () => {
    expect((await cli()).code).toBe(2);
    expect(await cli('frobnicate')).toMatchObject({ code: 2, stderr: 'bert-lens: unknown verb "frobnicate" (try --help)\n' });
    for (const verb of verbs) {
      const unknown = await cli(verb.name, '--no-such-option');
      expect(unknown, verb.name).toMatchObject({ code: 2, stderr: `bert-lens ${verb.name}: unknown option --no-such-option\n` });
    }
    expect(await cli('ner', text, '--batch-size', 'lots')).toMatchObject({ code: 2, stderr: 'bert-lens ner: --batch-size must be a number, got "lots"\n' });
  });

  it('bad input exits 2: a missing or undecodable file, bad data, a model of the wrong kind, an empty question', async () => {
    expect(await cli('ner', path.join(dir, 'nope.txt'))).toMatchObject({ code: 2, stderr: `bert-lens ner: ${path.join(dir, 'nope.txt')}: no such file\n` });
    expect((await cli('classify', file('bin.txt', Buffer.from([1, 0, 2, 0]))))).toMatchObject({ code: 2, stderr: `bert-lens classify: ${path.join(dir, 'bin.txt')}: looks like a binary file (contains NUL bytes)\n` });
    expect((await cli('train', '--task', 'classify', '--model', fixtureModel('base'), '--data', path.join(dir, 'none.tsv'), '--out', path.join(dir, 'out'))).code).toBe(2);
    const wrongHead = await cli('qa', text, '--question', 'Who?', '--model', fixtureModel('masked-lm'));
    expect(wrongHead.code).toBe(2);
    expect(wrongHead.stderr).toMatch(/^bert-lens qa: .*needs a question-answering head/);
    expect(await cli('qa', text, '--question', ' ', '--model', fixtureModel('question-answering'))).toMatchObject({ code: 2, stderr: 'bert-lens qa: the question is empty\n' });
  });

  it('a missing model folder exits 2 for every verb that loads a model', async () => {
    const missing = path.join(dir, 'no-such-model');
    const runs: string[][] = [
      ['ner', text, '--model', missing],
      ['qa', text, '--question', 'Who?', '--model', missing],
      ['classify', text, '--model', missing],
      ['fill-mask', '--text', 'a [MASK] b', '--model', missing],
      ['nsp', '--a', 'A.', '--b', 'B.', '--model', missing],
      ['generate', '--prompt', 'Once', '--model', missing],
      ['choice', '--prompt', 'Q', '--choice', 'a', '--choice', 'b', '--model', missing],
      ['evaluate', '--task', 'classify', '--data', file('ev.tsv', 'good\tPOSITIVE\n'), '--model', missing],
      ['train', '--task', 'classify', '--data', file('tr.tsv', 'good\tPOSITIVE\nbad\tNEGATIVE\n'), '--model', missing, '--out', path.join(dir, 'out')],
    ];
    for (const argv of runs) {
      const { code, stderr } = await cli(...argv);
      expect(code, argv[0]).toBe(2);
      expect(stderr, argv[0]).toMatch(new RegExp(`^bert-lens ${argv[0]}: .*Model folder not found: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
    }
  });

  it('train: data the trainer refuses before starting exits 2; a run that diverges exits 1', async () => {
    const oneLabel = await cli('train', '--task', 'classify', '--model', fixtureModel('base'), '--data', file('one.tsv', 'good\tPOSITIVE\nfine\tPOSITIVE\n'), '--out', path.join(dir, 'out-one'));
    expect(oneLabel.code).toBe(2);
    expect(oneLabel.stderr).toMatch(/bert-lens train: .*single label .*needs at least two\n$/);
    const data = file('two.tsv', 'a fine film\tPOSITIVE\na dull film\tNEGATIVE\ngreat\tPOSITIVE\nawful\tNEGATIVE\n');
    const diverged = await cli('train', '--task', 'classify', '--model', fixtureModel('base'), '--data', data, '--out', path.join(dir, 'out-nan'),
      '--learning-rate', '1e30', '--max-steps', '4', '--per-device-train-batch-size', '1', '--threads', '1');
    expect(diverged.code).toBe(1);
    expect(diverged.stderr).toMatch(/bert-lens train: the loss became (NaN|Infinity|-Infinity) at step \d+; training stopped/);
  });

  it('a failure while running exits 1: the hub is needed but offline', async () => {
    const saved = process.env.HF_HUB_OFFLINE;
    const savedCache = process.env.HF_HUB_CACHE;
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_HUB_CACHE = path.join(dir, 'empty-hub-cache');
    mkdirSync(process.env.HF_HUB_CACHE, { recursive: true });
    try {
      const { code, stderr } = await cli('classify', text, '--model', 'bert-lens-test/not-cached');
      expect(code).toBe(1);
      expect(stderr.split('\n')).toHaveLength(2);
      expect(stderr).toMatch(/^bert-lens classify: .*bert-lens-test\/not-cached/);
    } finally {
      if (saved === undefined) delete process.env.HF_HUB_OFFLINE;
      else process.env.HF_HUB_OFFLINE = saved;
      if (savedCache === undefined) delete process.env.HF_HUB_CACHE;
      else process.env.HF_HUB_CACHE = savedCache;
    }
  });
});
