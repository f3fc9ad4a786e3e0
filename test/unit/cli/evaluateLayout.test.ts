import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { FIXTURE_MODELS } from '../pipelines/fixtureModels';

const dir = mkdtempSync(join(tmpdir(), 'evaluate-layout-'));
const model = join(FIXTURE_MODELS, 'token-classification');

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

// Two -DOCSTART- documents, WNUT17-style types (person, location, product).
const conll = [
  '-DOCSTART- -X- O O', '',
  'Ada\tB-person', 'Lovelace\tI-person', 'visited\tO', 'London\tB-location', '.\tO', '',
  'She\tO', 'met\tO', 'Babbage\tB-person', '.\tO', '',
  '-DOCSTART- -X- O O', '',
  'The\tO', 'iPhone\tB-product', 'sold\tO', 'in\tO', 'Paris\tB-location', '',
].join('\n');
const data = join(dir, 'tiny.conll');

beforeAll(() => {
  process.env.BERT_LENS_CACHE = join(dir, 'cache');
  writeFileSync(data, conll);
});

describe('bert-lens evaluate --layout', () => {
  it('refuses a layout it does not know with one line and exit code 2', async () => {
    const result = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--layout', 'document');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'bert-lens evaluate: --layout must be one of sentences, paragraphs, lines, got "document"\n' });
  });

  it('refuses document layouts for other tasks, a paragraph size without one, and a malformed type map', async () => {
    const classify = await cli('evaluate', '--task', 'classify', '--data', data, '--layout', 'lines');
    expect(classify).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --layout lines is for --task ner only\n' });
    const size = await cli('evaluate', '--task', 'ner', '--data', data, '--sentences-per-paragraph', '3');
    expect(size).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --sentences-per-paragraph needs --layout paragraphs or lines\n' });
    const zero = await cli('evaluate', '--task', 'ner', '--data', data, '--layout', 'lines', '--sentences-per-paragraph', '0');
    expect(zero).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --sentences-per-paragraph must be ≥ 1, got 0\n' });
    const map = await cli('evaluate', '--task', 'ner', '--data', data, '--map-types', 'person:PER');
    expect(map.code).toBe(2);
    expect(map.stderr).toMatch(/^bert-lens evaluate: --map-types takes wnut17 or FROM=TO pairs separated by commas, got "person:PER"\n$/);
  });

  it('scores the document pipeline on the -DOCSTART- documents, with the data\'s types mapped', async () => {
    const run = async (layout: string) => {
      const { code, stdout, stderr } = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--layout', layout, '--map-types', 'wnut17', '--json');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      return JSON.parse(stdout) as { f1: number; examples: number; paragraphs: number; characters: number; layout: string; unknown_labels: string[]; per_label: Record<string, { support: number }> };
    };
    const paragraphs = await run('paragraphs');
    const text = 'Ada Lovelace visited London . She met Babbage .\n\nThe iPhone sold in Paris';
    expect(paragraphs).toMatchObject({ examples: 3, paragraphs: 2, characters: text.length, layout: 'paragraphs', unknown_labels: [] });
    // Gold support comes from the data alone: product is dropped, person and location renamed.
    const support = Object.fromEntries(Object.entries(paragraphs.per_label).filter(([, s]) => s.support > 0).map(([type, s]) => [type, s.support]));
    expect(support).toEqual({ LOC: 2, PER: 2 });
    expect(paragraphs.f1).toBeGreaterThanOrEqual(0);
    expect(paragraphs.f1).toBeLessThanOrEqual(1);
    // WordPiece reads a newline as a space: the same tokens, so the same entities and scores.
    const lines = await run('lines');
    expect({ ...lines, layout: 'paragraphs' }).toEqual(paragraphs);
  });

  it('passes --segmentation and --packing to the document pipeline, and refuses them without a document layout', async () => {
    const sentences = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--segmentation', 'none');
    expect(sentences).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --segmentation needs --layout paragraphs or lines\n' });
    const bad = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--layout', 'lines', '--packing', 'block');
    expect(bad).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --packing must be one of context, isolated, got "block"\n' });
    for (const flags of [['--segmentation', 'none'], ['--segmentation', 'sentence', '--packing', 'context']]) {
      const { code, stdout, stderr } = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--layout', 'paragraphs', ...flags, '--json');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ examples: 3, paragraphs: 2, layout: 'paragraphs' });
    }
  });

  it('prints the layout in the table for people', async () => {
    const { code, stdout } = await cli('evaluate', '--task', 'ner', '--data', data, '--model', model, '--layout', 'lines', '--sentences-per-paragraph', '1');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toBe('3 sentences as one document of 2 paragraphs, 73 characters (layout lines)');
    expect(stdout).toMatch(/entity F1 .* \(micro, strict IOB2\)/);
  });
});
