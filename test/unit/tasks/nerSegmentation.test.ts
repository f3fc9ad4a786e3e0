import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { segmentRanges } from '../../../src/core/tasks/shared/segmentation';
import { recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';
import { AGGREGATION_STRATEGIES, type TokenEntity } from '../../../src/core/tasks/tokenClassification/types';

// The NER pipeline with sentence-aware windows on the fixture model (seeded weights, arbitrary
// labels: plenty of entities, including ones that would run across sentence boundaries).
const MODEL = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-nerseg-'));
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(MODEL, { head: 'token-classification', cacheDir });
});
afterAll(async () => {
  await model.session.release();
  rmSync(cacheDir, { recursive: true, force: true });
});

const SENTENCES = [
  'John Smith went to London.', 'The city has a new film.', 'Google said it was the first one.',
  'Paris is in France.', 'She was born in Berlin.', 'The war ended.', '中文 😀 café of the city.',
];
const TEXT = `${SENTENCES.slice(0, 4).join(' ')}\r\n\r\n${SENTENCES.slice(4).join(' ')}`;

describe('recognizeEntities with segmentation', () => {
  it('isolated: each sentence scored exactly as when run alone (within 1e-4)', async () => {
    const options = { aggregationStrategy: 'none' as const, ignoreLabels: [], segmentation: 'none' as const };
    const isolated = (await recognizeEntities(model, TEXT, { ...options, segmentation: 'sentence', packing: 'isolated' })) as TokenEntity[];
    const alone: TokenEntity[] = [];
    for (const [start, end] of segmentRanges(TEXT, 'sentence')) {
      for (const e of (await recognizeEntities(model, TEXT.slice(start, end), options)) as TokenEntity[]) alone.push({ ...e, start: e.start + start, end: e.end + start });
    }
    expect(isolated.length).toBe(alone.length);
    isolated.forEach((e, i) => {
      const a = alone[i]!;
      expect([e.entity, e.word, e.start, e.end]).toEqual([a.entity, a.word, a.start, a.end]);
      expect(Math.abs(e.score - a.score)).toBeLessThan(1e-4);
    });
  });

  it('context: sentences share a window (scores differ from isolated) yet no entity crosses a boundary', async () => {
    const segments = segmentRanges(TEXT, 'sentence');
    for (const strategy of AGGREGATION_STRATEGIES) {
      const context = await recognizeEntities(model, TEXT, { aggregationStrategy: strategy, ignoreLabels: [], segmentation: 'sentence', packing: 'context' });
      expect(context.length).toBeGreaterThan(0);
      for (const e of context) {
        const inside = segments.some(([s, end]) => e.start >= s && e.end <= end);
        expect(inside, `${strategy} ${e.start}-${e.end} "${TEXT.slice(e.start, e.end)}"`).toBe(true);
      }
    }
    const isolated = (await recognizeEntities(model, TEXT, { aggregationStrategy: 'none', ignoreLabels: [], segmentation: 'sentence', packing: 'isolated' })) as TokenEntity[];
    const context = (await recognizeEntities(model, TEXT, { aggregationStrategy: 'none', ignoreLabels: [], segmentation: 'sentence', packing: 'context' })) as TokenEntity[];
    expect(context.map((e) => [e.start, e.end])).toEqual(isolated.map((e) => [e.start, e.end]));
    expect(context.some((e, i) => Math.abs(e.score - isolated[i]!.score) > 1e-4)).toBe(true);
  });

  it('a single sentence gives the same results as without segmentation, under every strategy', async () => {
    const sentence = '  John Smith went to London with Google.\n';
    for (const strategy of AGGREGATION_STRATEGIES) {
      const before = await recognizeEntities(model, sentence, { aggregationStrategy: strategy, ignoreLabels: [], segmentation: 'none' });
      for (const segmentation of ['sentence', 'line'] as const) {
        for (const packing of ['isolated', 'context'] as const) {
          expect(await recognizeEntities(model, sentence, { aggregationStrategy: strategy, ignoreLabels: [], segmentation, packing })).toEqual(before);
        }
      }
    }
  });

  it('a sentence longer than a window falls back to strided windows inside it: entities whole, none overlapping', async () => {
    const long = Array.from({ length: 30 }, (_, i) => SENTENCES[i % SENTENCES.length]!.replace('.', ',')).join(' ') + '.';
    const text = `Short one. ${long}\nLast line.`;
    const segments = segmentRanges(text, 'sentence');
    expect(segments).toHaveLength(3);
    for (const [strategy, packing] of [['simple', 'context'], ['first', 'context'], ['first', 'isolated']] as const) {
      const entities = await recognizeEntities(model, text, { aggregationStrategy: strategy, ignoreLabels: [], segmentation: 'sentence', packing, maxLength: 32, stride: 8 });
      for (let i = 1; i < entities.length; i++) expect(entities[i]!.start).toBeGreaterThanOrEqual(entities[i - 1]!.end);
      for (const e of entities) expect(segments.some(([s, end]) => e.start >= s && e.end <= end)).toBe(true);
      // Whole-word strategies end on word ends.
      if (strategy === 'first') for (const e of entities) expect(/[\p{L}\p{N}]/u.test(text[e.end] ?? ' ')).toBe(false);
    }
  });

  it('5,000 one-word lines in line mode: one whole-word result per line, exact offsets', async () => {
    const words = ['Paris', 'London', 'Smith', 'Google'];
    const text = Array.from({ length: 5000 }, (_, i) => words[i % 4]).join('\r\n');
    const entities = await recognizeEntities(model, text, { aggregationStrategy: 'first', ignoreLabels: [], segmentation: 'line' });
    expect(entities).toHaveLength(5000);
    entities.forEach((e, i) => expect(text.slice(e.start, e.end)).toBe(words[i % 4]));
  });

  it('reports progress to 100 %', async () => {
    const seen: number[] = [];
    await recognizeEntities(model, TEXT.repeat(20), { segmentation: 'sentence', onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});
