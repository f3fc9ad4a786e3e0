import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

const MODEL = join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

describe('bert-lens ner --segmentation / --packing', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ner-seg-')), 'doc.txt');
  writeFileSync(file, 'Ada Lovelace lived in London.\nCharles Babbage too.\r\n\r\nParis is far.');

  it('refuses an unknown mode with a one-line error before loading anything', async () => {
    const bad = await run(['ner', file, '--segmentation', 'paragraph']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--segmentation must be one of sentence, line, none, got "paragraph"/);
    const badPacking = await run(['ner', file, '--packing', 'mixed']);
    expect(badPacking.code).toBe(2);
    expect(badPacking.stderr).toMatch(/--packing must be one of context, isolated, got "mixed"/);
  });

  it('runs every mode; with line segmentation no entity crosses a line', async () => {
    const text = 'Ada Lovelace lived in London.\nCharles Babbage too.\r\n\r\nParis is far.';
    for (const segmentation of ['line', 'sentence', 'none']) {
      for (const packing of ['isolated', 'context']) {
        const result = await run(['ner', file, '--model', MODEL, '--segmentation', segmentation, '--packing', packing, '--ignore-labels', '', '--json']);
        expect(result.code, result.stderr).toBe(0);
        const entities = JSON.parse(result.stdout) as Array<{ start: number; end: number }>;
        expect(entities.length).toBeGreaterThan(0);
        if (segmentation === 'line') for (const e of entities) expect(text.slice(e.start, e.end)).not.toMatch(/[\r\n]/);
      }
    }
  });

  it('documents both flags in --help', async () => {
    const help = await run(['ner', '--help']);
    expect(help.stdout + help.stderr).toMatch(/--segmentation M/);
    expect(help.stdout + help.stderr).toMatch(/--packing P/);
  });
});
