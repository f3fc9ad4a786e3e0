import { promises as fs, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { exportInferenceOnnx } from '../../../src/core/bert/buildGraph';
import { parseBertConfig } from '../../../src/core/bert/config';
import { canonicalName } from '../../../src/core/bert/weightNames';
import { canPackInference } from '../../../src/core/bert/architecture';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { segmentPackingOf } from '../../../src/core/tasks/shared/segmentation';
import { forwardPackedRounds, recognizeEntities, type PackedRound } from '../../../src/core/tasks/tokenClassification/pipeline';
import type { TokenClassificationResult } from '../../../src/core/tasks/tokenClassification/types';
import { folderWithTokenizer } from '../family/familyFolders';

// The NER document pipeline on a model converted with packed rows (LoadedModel.packedRows): isolated
// segments share rows (forwardPackedRows), each attending only to itself. The reference is the same
// weights converted without packed rows, one window per padded row (forwardWindows): the same windows
// must get the same logits within 1e-5 and the same entities, for every fixture architecture that packs.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-packedrows-'));
const cacheDir = path.join(scratch, 'cache');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const BERT = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
const BERT_TEXT = [
  'John Smith went to London.', 'The city has a new film.', 'Google said it was the first one.',
  'Paris is in France.', '', 'She was born in Berlin.', 'The war ended.', '中文 😀 café of the city.',
].join('\n');
// The family fixtures have a small WordPiece vocabulary (familyFolders.ts) and 40 positions.
const FAMILY_TEXT = [
  'ada lovelace lived in london', 'grace hopper worked at yale', 'paris', 'the film was in paris',
  'a good film', 'the film was awful in london', 'grace hopper lived in paris', 'ada worked at yale',
].join('\n');
const CASES: Array<[string, () => string, string]> = [
  ['bert', () => BERT, BERT_TEXT],
  ...['roberta', 'xlm-roberta', 'distilbert', 'electra', 'deberta-v3', 'deberta-v2'].map((name): [string, () => string, string] =>
    [name, () => folderWithTokenizer(`${name}-token-classification`, scratch), FAMILY_TEXT]),
];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

async function rounds(model: LoadedModel, text: string, maxLength: number, stride: number): Promise<PackedRound[]> {
  const all: PackedRound[] = [];
  for await (const round of forwardPackedRounds(model, text, { segmentation: 'line', packing: 'isolated' }, maxLength, stride)) all.push(round);
  return all;
}

/** Same entities (label, offsets, word) in the same order, scores within 1e-5. */
function expectSameEntities(actual: TokenClassificationResult[], expected: TokenClassificationResult[]): void {
  const key = (e: TokenClassificationResult) => ['entity' in e ? e.entity : e.entity_group, e.start, e.end, e.word];
  expect(actual.map(key)).toEqual(expected.map(key));
  actual.forEach((e, i) => expect(Math.abs(e.score - expected[i]!.score)).toBeLessThan(1e-5));
}

/** Rows and windows the packed session ran: rows from the feeds it got. */
function countRows(model: LoadedModel): { rows: () => number; restore: () => void } {
  const spy = vi.spyOn(model.session, 'run');
  return {
    rows: () => spy.mock.calls.reduce((n, [feeds]) => n + (feeds as Record<string, { dims: readonly number[] }>).input_ids!.dims[0]!, 0),
    restore: () => spy.mockRestore(),
  };
}

/** The architectures whose converted graphs take packed rows (canPackInference): positions 0, 1, …, no relative positions. */
const PACKING = ['bert', 'distilbert', 'electra'];

describe.each(CASES)('packed rows: %s', (name, folder, text) => {
  it('isolated segments packed into rows get the logits and entities of one window per row', async () => {
    const dir = folder();
    const packed = await loadModel(dir, { head: 'token-classification', cacheDir });
    const unpacked = await loadModel(dir, { head: 'token-classification', cacheDir, packedRows: false });
    const packs = PACKING.includes(name);
    expect(canPackInference(packed.config)).toBe(packs);
    expect(packed.packedRows).toBe(packs);
    expect(packed.session.inputNames.includes('position_ids')).toBe(packs);
    expect(unpacked.packedRows).toBe(false);
    expect(unpacked.session.inputNames).not.toContain('position_ids');
    const maxLength = Math.min(64, packed.config.max_position_embeddings - 2);
    const counter = countRows(packed);
    const got = await rounds(packed, text, maxLength, 8);
    const rows = counter.rows();
    counter.restore();
    const want = await rounds(unpacked, text, maxLength, 8);
    const windows = got.flatMap((r) => r.windows);
    expect(windows.length).toBeGreaterThan(3);
    // Several segments to a row: fewer rows than windows (RoBERTa, XLM-R, DeBERTa: one window a row).
    if (packs) expect(rows).toBeLessThan(windows.length / 2);
    else expect(rows).toBe(windows.length);
    expect(windows).toEqual(want.flatMap((r) => r.windows));
    const wantLogits = want.flatMap((r) => r.logits);
    got.flatMap((r) => r.logits).forEach((logits, i) => expect(maxAbsDiff(logits, wantLogits[i]!)).toBeLessThan(1e-5));
    for (const aggregationStrategy of ['none', 'first', 'simple'] as const) {
      const options = { aggregationStrategy, ignoreLabels: [], segmentation: 'line' as const, packing: 'isolated' as const, maxLength };
      const entities = await recognizeEntities(packed, text, options);
      expect(entities.length).toBeGreaterThan(0);
      expectSameEntities(entities, await recognizeEntities(unpacked, text, options));
    }
    await packed.session.release();
    await unpacked.session.release();
  });
});

describe('packed rows in the document pipeline', () => {
  it('a line longer than a row still gets strided windows (each a row of its own), with the entities of the unpacked path', async () => {
    const packed = await loadModel(BERT, { head: 'token-classification', cacheDir });
    const unpacked = await loadModel(BERT, { head: 'token-classification', cacheDir, packedRows: false });
    const long = Array.from({ length: 12 }, () => 'John Smith went to London with Google,').join(' ');
    const text = `Short one.\n${long}\nParis is in France.\nThe war ended.`;
    const spy = vi.spyOn(packed.session, 'run');
    const windows = (await rounds(packed, text, 24, 6)).flatMap((r) => r.windows);
    expect(windows.filter((w) => w.stridedGroup !== undefined).length).toBeGreaterThan(2);
    // No row is wider than the window limit, and the short lines still share one.
    const widths = spy.mock.calls.map(([feeds]) => (feeds as Record<string, { dims: readonly number[] }>).input_ids!.dims);
    expect(Math.max(...widths.map((d) => d[1]!))).toBeLessThanOrEqual(24);
    expect(widths.reduce((n, d) => n + d[0]!, 0)).toBeLessThan(windows.length);
    spy.mockRestore();
    for (const aggregationStrategy of ['first', 'none'] as const) {
      const options = { aggregationStrategy, ignoreLabels: [], segmentation: 'line' as const, packing: 'isolated' as const, maxLength: 24, stride: 6 };
      const entities = await recognizeEntities(packed, text, options);
      for (let i = 1; i < entities.length; i++) expect(entities[i]!.start).toBeGreaterThanOrEqual(entities[i - 1]!.end);
      expectSameEntities(entities, await recognizeEntities(unpacked, text, options));
    }
    // The whole-text path (no segmentation) runs the packed graph one window per row.
    const whole = { aggregationStrategy: 'simple' as const, ignoreLabels: [], segmentation: 'none' as const, maxLength: 24, stride: 6 };
    expectSameEntities(await recognizeEntities(packed, text, whole), await recognizeEntities(unpacked, text, whole));
    await packed.session.release();
    await unpacked.session.release();
  });

  it('a folder with its own ONNX graph keeps one window per row', async () => {
    const dir = path.join(scratch, 'ready-onnx');
    await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
    for (const file of ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
      await fs.copyFile(path.join(BERT, file), path.join(dir, file));
    }
    const config = parseBertConfig(JSON.parse(readFileSync(path.join(BERT, 'config.json'), 'utf8')));
    const weights = await readSafetensors(path.join(BERT, 'model.safetensors'));
    const lookup = (name: string) => weights.float32(weights.has(name) ? name : canonicalName(config, name));
    await fs.writeFile(path.join(dir, 'onnx', 'model.onnx'), exportInferenceOnnx(config, 'token-classification', lookup));
    const ready = await loadModel(dir, { head: 'token-classification', cacheDir });
    expect(ready.graphSource).toBe('folder');
    expect(ready.packedRows).toBe(false);
    const packed = await loadModel(BERT, { head: 'token-classification', cacheDir });
    const options = { aggregationStrategy: 'first' as const, ignoreLabels: [], segmentation: 'line' as const, packing: 'isolated' as const };
    expectSameEntities(await recognizeEntities(ready, BERT_TEXT, options), await recognizeEntities(packed, BERT_TEXT, options));
    await ready.session.release();
    await packed.session.release();
  });

  it('ModernBERT (rotary positions, sliding windows) is converted without packed rows', async () => {
    const model = await loadModel(folderWithTokenizer('modernbert-token-classification', scratch), { head: 'token-classification', cacheDir });
    expect(model.packedRows).toBe(false);
    expect(model.session.inputNames).not.toContain('position_ids');
    await model.session.release();
  });
});

describe('a model folder\'s packing (config.json bert_lens_packing)', () => {
  it('reads "isolated" and "context", and ignores anything else', () => {
    expect(segmentPackingOf({ bert_lens_packing: 'context' })).toBe('context');
    expect(segmentPackingOf({ bert_lens_packing: 'isolated' })).toBe('isolated');
    expect(segmentPackingOf({})).toBe('isolated');
    expect(segmentPackingOf({ bert_lens_packing: 'mixed' })).toBe('isolated');
    expect(segmentPackingOf({ bert_lens_packing: true })).toBe('isolated');
  });

  it('is the pipeline\'s default packing; a packing passed as an option (the user\'s setting) wins', async () => {
    const dir = path.join(scratch, 'context-model');
    await fs.cp(BERT, dir, { recursive: true });
    const raw = JSON.parse(readFileSync(path.join(BERT, 'config.json'), 'utf8')) as Record<string, unknown>;
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...raw, bert_lens_packing: 'context' }));
    const model = await loadModel(dir, { head: 'token-classification', cacheDir });
    expect(segmentPackingOf(model.config)).toBe('context');
    const base = { aggregationStrategy: 'none' as const, ignoreLabels: [], segmentation: 'sentence' as const };
    const byModel = await recognizeEntities(model, BERT_TEXT, base);
    const context = await recognizeEntities(model, BERT_TEXT, { ...base, packing: 'context' });
    const isolated = await recognizeEntities(model, BERT_TEXT, { ...base, packing: 'isolated' });
    expect(byModel).toEqual(context);
    // Not vacuous: sentences that see each other score differently.
    expect(context.some((e, i) => Math.abs(e.score - isolated[i]!.score) > 1e-4)).toBe(true);
    await model.session.release();
  });
});
