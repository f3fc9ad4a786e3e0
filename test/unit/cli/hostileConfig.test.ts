import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_BAD_INPUT } from '../../../src/cli/exitCodes';
import { cli, fixtureModel, scratch } from './harness';

/*
 * Issue 16 from the command line: `bert-lens ner --model DIR` with a config.json whose sizes would take
 * the machine (num_hidden_layers 1e9 ran 96 s and died out of memory; num_labels 1e7 without id2label
 * never answered) prints one line and exits with the bad-input code. No timing is asserted; the test
 * timeout is what would catch a hang or a build of the hostile model.
 */

const work = scratch('cli-hostile-config');
const text = work.file('text.txt', 'Ada Lovelace lived in London.');
const FIXTURE = fixtureModel('token-classification');
const FILES = ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'];

function folderWith(name: string, change: Record<string, unknown>, remove: string[] = []): string {
  const dir = path.join(work.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const file of FILES) copyFileSync(path.join(FIXTURE, file), path.join(dir, file));
  const config = { ...(JSON.parse(readFileSync(path.join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>), ...change };
  for (const key of remove) delete config[key];
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

describe('bert-lens ner --model with a hostile config.json', () => {
  const cases: Array<[string, Record<string, unknown>, string[], RegExp]> = [
    ['num_hidden_layers 1e9', { num_hidden_layers: 1e9 }, [], /num_hidden_layers 1000000000 is beyond the supported maximum/],
    ['num_labels 1e7 without id2label', { num_labels: 1e7 }, ['id2label', 'label2id'], /num_labels 10000000 is beyond the supported maximum/],
    ['a layer count the weights do not have', { num_hidden_layers: 500 }, [], /num_hidden_layers is 500, but model\.safetensors holds 2 encoder layers/],
  ];

  it.each(cases)('%s: one line on stderr, exit code 2, nothing on stdout', async (name, change, remove, message) => {
    const dir = folderWith(name.replace(/\W+/g, '-'), change, remove);
    for (const json of [false, true]) {
      const result = await cli('ner', text, '--model', dir, ...(json ? ['--json'] : []));
      expect(result.code).toBe(EXIT_BAD_INPUT);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(path.join(dir, 'config.json'));
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  }, 20_000);

  it('the unchanged fixture still runs (so the refusals above come from the config)', async () => {
    const result = await cli('ner', text, '--model', folderWith('unchanged', {}), '--json');
    expect(result.code).toBe(0);
    expect(Array.isArray(JSON.parse(result.stdout))).toBe(true);
  }, 60_000);
});
