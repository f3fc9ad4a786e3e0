import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { effectiveMaxLength, recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';
import type { EntityGroup, TokenEntity } from '../../../src/core/tasks/tokenClassification/types';
import { Random } from '../../../src/core/util/random';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseBertConfig } from '../../../src/core/bert/config';
import { saveModelFolder } from '../../../src/core/bert/saveFolder';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import * as os from 'node:os';

// The NER pipeline end to end on the fixture model (seeded weights: its labels are arbitrary, which
// makes plenty of entities of every length to check offsets and window merging against).
const MODEL = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-ner-'));
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(MODEL, { head: 'token-classification', cacheDir });
});
afterAll(async () => {
  await model.session.release();
  rmSync(cacheDir, { recursive: true, force: true });
});

const WORDS = 'the city of London John Smith Google Paris said new war film 中文 😀 é café'.split(' ');

function document(seed: number, words: number): string {
  const random = new Random(seed);
  const parts: string[] = [];
  for (let i = 0; i < words; i++) {
    parts.push(WORDS[random.int(WORDS.length)]!);
    parts.push(random.next() < 0.05 ? '\r\n' : random.next() < 0.1 ? '. ' : ' ');
  }
  return parts.join('');
}

function isCodePointBoundary(text: string, offset: number): boolean {
  const code = text.charCodeAt(offset);
  return !(code >= 0xdc00 && code <= 0xdfff && offset > 0);
}

async function contextFreeModel(): Promise<LoadedModel> {
  const dir = path.join(cacheDir, 'context-free');
  const file = await readSafetensors(path.join(MODEL, 'model.safetensors'));
  const raw = JSON.parse(readFileSync(path.join(MODEL, 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = parseBertConfig({ ...raw, max_position_embeddings: 4096 });
  const weights = new Map<string, Float32Array>();
  for (const spec of weightSpecs(config, 'token-classification')) {
    let data = spec.name === 'bert.embeddings.position_embeddings.weight' ? new Float32Array(4096 * config.hidden_size) : file.float32(spec.name).slice();
    if (/attention\.output\.dense\.weight$|layer\.\d+\.output\.dense\.weight$/.test(spec.name)) data = new Float32Array(data.length);
    weights.set(spec.name, data);
  }
  const tokenizerFiles = Object.fromEntries(['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'].map((n) => [n, readFileSync(path.join(MODEL, n), 'utf8')]));
  tokenizerFiles['tokenizer_config.json'] = JSON.stringify({ ...JSON.parse(tokenizerFiles['tokenizer_config.json']!), model_max_length: 4096 });
  await saveModelFolder(dir, { config, head: 'token-classification', weights, tokenizerFiles });
  const model = await loadModel(dir, { head: 'token-classification', cacheDir });
  return model;
}

describe('recognizeEntities', () => {
  it('returns nothing for empty and whitespace-only text', async () => {
    expect(await recognizeEntities(model, '')).toEqual([]);
    expect(await recognizeEntities(model, ' \r\n\t\n ')).toEqual([]);
  });

  it('gives UTF-16 offsets that slice the entity out of the exact text (CRLF, emoji, CJK, accents)', async () => {
    const text = document(1, 400);
    const entities = (await recognizeEntities(model, text, { aggregationStrategy: 'none', ignoreLabels: [] })) as TokenEntity[];
    expect(entities.length).toBeGreaterThan(300);
    for (const e of entities) {
      expect(isCodePointBoundary(text, e.start) && isCodePointBoundary(text, e.end)).toBe(true);
      const slice = text.slice(e.start, e.end);
      // Cased vocabulary: a known word piece is the text itself (## stripped); [UNK] covers its text.
      if (e.word !== '[UNK]') expect(slice).toBe(e.word.replace(/^##/, ''));
      expect(slice.trim()).toBe(slice);
    }
  });

  it('windows a long document with stride: no entity lost, duplicated or overlapping at window borders', async () => {
    // A context-free variant of the fixture (attention and FFN outputs zeroed, no position
    // embeddings): each token's label depends on the token alone, so windowed results must equal
    // one window over the whole text.
    const local = await contextFreeModel();
    const text = document(2, 1500);
    expect(local.tokenizer.encodeIdsWithOffsets(text).ids.length).toBeLessThan(effectiveMaxLength(local, 4096));
    const single = (await recognizeEntities(local, text, { aggregationStrategy: 'none', maxLength: 4096, segmentation: 'none' })) as TokenEntity[];
    const key = (e: TokenEntity | EntityGroup) => `${e.start}:${e.end}:${'entity' in e ? e.entity : e.entity_group}:${e.score.toFixed(6)}`;
    // Token results of a context-free model do not depend on how windows are cut, segments included.
    for (const segmentation of ['none', 'line', 'sentence'] as const) {
      for (const [maxLength, stride] of [[24, 8], [64, 16], [40, 0]] as const) {
        const windowed = (await recognizeEntities(local, text, { aggregationStrategy: 'none', maxLength, stride, segmentation })) as TokenEntity[];
        expect(windowed.map(key), `${segmentation} ${maxLength}/${stride}`).toEqual(single.map(key));
      }
    }
    // Grouped entities: identical as long as no entity is longer than the overlap.
    const whole = (await recognizeEntities(local, text, { aggregationStrategy: 'simple', maxLength: 4096, segmentation: 'none' })) as EntityGroup[];
    const grouped = (await recognizeEntities(local, text, { aggregationStrategy: 'simple', maxLength: 64, stride: 24, segmentation: 'none' })) as EntityGroup[];
    for (let i = 1; i < grouped.length; i++) expect(grouped[i]!.start).toBeGreaterThanOrEqual(grouped[i - 1]!.end);
    const short = whole.filter((e) => local.tokenizer.encodeIdsWithOffsets(text.slice(e.start, e.end), { addSpecialTokens: false }).ids.length <= 24);
    const groupedKeys = new Set(grouped.map(key));
    expect(short.length).toBeGreaterThan(50);
    for (const e of short) expect(groupedKeys.has(key(e)), key(e)).toBe(true);
    expect(whole[whole.length - 1]!.end).toBeGreaterThan(text.length - 100);
    await local.session.release();
  });

  it('word-level aggregation never reports a word cut by a window border: the window that holds it whole decides', async () => {
    const local = await contextFreeModel();
    const text = document(3, 1500);
    const key = (e: TokenEntity | EntityGroup) => `${e.start}:${e.end}:${'entity' in e ? e.entity : e.entity_group}:${e.score.toFixed(6)}`;
    for (const strategy of ['first', 'average', 'max'] as const) {
      const whole = (await recognizeEntities(local, text, { aggregationStrategy: strategy, maxLength: 4096, segmentation: 'none' })) as EntityGroup[];
      const wholeKeys = new Set(whole.map(key));
      for (const [maxLength, stride] of [[24, 8], [32, 12], [64, 16]] as const) {
        const windowed = (await recognizeEntities(local, text, { aggregationStrategy: strategy, maxLength, stride, segmentation: 'none' })) as EntityGroup[];
        // No reported entity starts or ends inside a word (entities longer than the overlap may
        // still be split between windows, at word boundaries, as HF splits them) ...
        const inWord = (at: number) => at > 0 && at < text.length && /[\p{L}\p{N}]/u.test(text[at - 1]!) && /[\p{L}\p{N}]/u.test(text[at]!);
        const fragments = windowed.filter((e) => !wholeKeys.has(key(e)) && (inWord(e.start) || inWord(e.end))).map((e) => `${key(e)} "${text.slice(e.start, e.end)}"`);
        expect(fragments, `${strategy} ${maxLength}/${stride}`).toEqual([]);
        // ... and the short ones are all there.
        const windowedKeys = new Set(windowed.map(key));
        const short = whole.filter((e) => local.tokenizer.encodeIdsWithOffsets(text.slice(e.start, e.end), { addSpecialTokens: false }).ids.length <= stride / 2);
        expect(short.length).toBeGreaterThan(20);
        for (const e of short) expect(windowedKeys.has(key(e)), `${strategy} ${maxLength}/${stride} lost ${key(e)}`).toBe(true);
      }
    }
    await local.session.release();
  });

  it('reports progress to 100 % and honours cancellation', async () => {
    const text = document(3, 20000);
    const seen: number[] = [];
    await recognizeEntities(model, text, { onProgress: (f) => seen.push(f) });
    expect(seen[seen.length - 1]).toBe(1);
    const controller = new AbortController();
    const run = recognizeEntities(model, text, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
