import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBertConfig, type BertConfig } from '../../../src/core/bert/config';
import { headFromArchitecture, type HeadKind } from '../../../src/core/bert/heads';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { writeOnnx } from '../../../src/core/graph/onnxWriter';
import { createSession, tensor } from '../../../src/core/runtime/ort';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { batchFeeds, BatchError, type Batch } from '../../../src/core/train/batch';
import { collatePacked } from '../../../src/core/train/collate';
import { IGNORE_INDEX, type Feature } from '../../../src/core/train/features';
import { buildTrainingGraph, GRAD_PREFIX } from '../../../src/core/train/trainingGraph';

// Padding-free batches must compute what padded batches compute: the same examples, packed several
// to a row with a block-diagonal attention mask and restarting positions, give the same loss and the
// same gradient for every parameter. Checked in float64 (tanh GELU: ORT has no float64 Erf), where
// only summation order differs, on the committed conformance batches of every packable head — for
// BERT, and for DistilBERT and RoBERTa (whose positions count from padding_idx + 1 in each example,
// and whose sequence head reads each example's <s>).
const CONFORMANCE = path.join(__dirname, '..', '..', 'fixtures', 'train', 'conformance');
const FAMILY = path.join(__dirname, '..', '..', 'fixtures', 'family', 'train');
const CASES = [
  ...['token-classification-linear', 'sequence-classification-restarts', 'sequence-classification-multilabel-polynomial', 'sequence-classification-regression-inverse-sqrt']
    .map((name) => path.join(CONFORMANCE, name)),
  ...['roberta-token-classification-linear', 'roberta-sequence-classification-linear', 'xlm-roberta-token-classification-linear',
    'distilbert-token-classification-linear', 'distilbert-sequence-classification-linear',
    // DeBERTa's relative positions depend only on q − k, which packing keeps within an example.
    'deberta-v3-token-classification-linear', 'deberta-v2-token-classification-linear', 'deberta-v3-sequence-classification-linear'].map((name) => path.join(FAMILY, name)),
];

/** The padded rows of a batch as the features they were made from (padding stripped). */
function unpad(batch: Batch, head: HeadKind): Feature[] {
  const ids = batch.input_ids as number[][];
  const mask = batch.attention_mask as number[][];
  return ids.map((row, r) => {
    const length = mask[r]!.filter((m) => m === 1).length;
    // DistilBERT batches have no token types.
    const types = (batch.token_type_ids as number[][] | undefined)?.[r] ?? new Array<number>(row.length).fill(0);
    const feature: Feature = { inputIds: row.slice(0, length), tokenTypeIds: types.slice(0, length), example: r };
    const labels = batch.labels![r]!;
    if (head === 'token-classification') feature.tokenLabels = (labels as number[]).slice(0, length);
    else if (Array.isArray(labels)) feature.labelValues = labels;
    else feature.label = labels;
    return feature;
  });
}

async function lossAndGradients(config: BertConfig, head: HeadKind, params: Map<string, Float64Array>, batch: Batch, packed: boolean): Promise<{ loss: number; grads: Map<string, Float64Array> }> {
  const graph = buildTrainingGraph({ config, head, trainable: new Set(params.keys()), weights: () => { throw new Error('all trainable'); }, dtype: 'float64', packed });
  const session = await createSession(writeOnnx(graph.graph), { graphOptimizationLevel: 'disabled' });
  const shapes = new Map(weightSpecs(config, head).map((s) => [s.name, s.shape]));
  const feeds = batchFeeds(graph, config, batch, 'float64');
  for (const [name, value] of params) feeds[name] = tensor('float64', value, shapes.get(name)!);
  const outputs = await session.run(feeds);
  await session.release();
  const grads = new Map(graph.parameterNames.map((n) => [n, outputs[`${GRAD_PREFIX}${n}`]!.data as Float64Array]));
  return { loss: Number((outputs.loss!.data as Float64Array)[0]), grads };
}

describe.each(CASES.map((dir) => [path.basename(dir), dir]))('packed batches: %s', (_name, dir) => {
  it('give the loss and gradients of the padded batch', async () => {
    const spec = JSON.parse(readFileSync(path.join(dir, 'batches.json'), 'utf8')) as { model: string; batches: Batch[]; problem_type?: string };
    const modelDir = path.resolve(dir, spec.model);
    const raw = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    // Erf has no float64 kernel: tanh GELU everywhere (DeBERTa's ContextPooler too).
    const config = parseBertConfig({ ...raw, hidden_act: 'gelu_new', activation: 'gelu_new', ...(raw.model_type === 'deberta-v2' ? { pooler_hidden_act: 'gelu_new' } : {}), ...(spec.problem_type ? { problem_type: spec.problem_type } : {}) });
    const head = headFromArchitecture(config.architectures![0]!)!;
    const file = await readSafetensors(path.join(modelDir, 'model.safetensors'));
    const params = new Map(weightSpecs(config, head).map((s) => [s.name, Float64Array.from(file.float32(s.name))]));
    // Two batches joined: more examples, so that rows hold several of different lengths.
    const features = [...unpad(spec.batches[0]!, head), ...unpad(spec.batches[1]!, head)];
    const longest = Math.max(...features.map((f) => f.inputIds.length));
    const padded: Batch = {
      input_ids: features.map((f) => [...f.inputIds, ...new Array<number>(longest - f.inputIds.length).fill(config.pad_token_id)]),
      attention_mask: features.map((f) => [...f.inputIds.map(() => 1), ...new Array<number>(longest - f.inputIds.length).fill(0)]),
      token_type_ids: features.map((f) => [...f.tokenTypeIds, ...new Array<number>(longest - f.inputIds.length).fill(0)]),
      labels: head === 'token-classification'
        ? features.map((f) => [...f.tokenLabels!, ...new Array<number>(longest - f.inputIds.length).fill(IGNORE_INDEX)])
        : features.map((f) => f.labelValues ?? f.label!) as number[] | number[][],
    };
    const packed = collatePacked(head, features, config.pad_token_id, 2 * longest);
    const rows = packed.input_ids.length;
    expect(rows).toBeLessThan(features.length);

    const reference = await lossAndGradients(config, head, params, padded, false);
    const result = await lossAndGradients(config, head, params, packed, true);
    expect(Math.abs(result.loss - reference.loss)).toBeLessThan(1e-12 * Math.max(1, Math.abs(reference.loss)));
    // Relative to each tensor's largest gradient; the key biases' exact gradient is zero (see
    // conformance.test.ts), so their float64 rounding noise is bounded against the largest of all.
    const largest = Math.max(...[...reference.grads.values()].map((g) => Math.max(...g.map(Math.abs))));
    let compared = 0;
    for (const [name, expected] of reference.grads) {
      const actual = result.grads.get(name)!;
      const scale = Math.max(...expected.map(Math.abs));
      for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `${name}[${i}]`).toBeLessThanOrEqual(1e-9 * scale + 1e-13 * largest);
      if (scale > 1e-6 * largest) compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});

describe('collatePacked', () => {
  const feature = (length: number, i: number): Feature => ({
    inputIds: Array.from({ length }, (_, p) => 100 * i + p), tokenTypeIds: new Array<number>(length).fill(0), tokenLabels: Array.from({ length }, (_, p) => (p === 0 ? IGNORE_INDEX : p % 3)), label: i % 2, example: i,
  });
  const lengths = [5, 17, 3, 40, 9, 9, 2, 30, 12, 1];
  const features = lengths.map(feature);

  it('puts every example in exactly one row, with positions restarting at 0, within the row budget', () => {
    const batch = collatePacked('token-classification', features, 0, 48);
    const ids = batch.input_ids as number[][];
    const positions = batch.position_ids!;
    const mask = batch.attention_mask as number[][];
    expect(ids.length).toBeLessThan(features.length);
    const seen: number[] = [];
    ids.forEach((row, r) => {
      expect(mask[r]!.filter((m) => m === 1).length).toBeLessThanOrEqual(48);
      for (let t = 0; t < row.length; t++) {
        if (mask[r]![t] === 0) {
          expect(row[t]).toBe(0);
          continue;
        }
        if (positions[r]![t] === 0) seen.push(Math.floor(row[t]! / 100));
        // Ids were made 100·example + position, so a token knows where it belongs.
        expect(row[t]! % 100).toBe(positions[r]![t]);
      }
    });
    expect(seen.sort((a, b) => a - b)).toEqual(features.map((_, i) => i));
    // Labels travel with their tokens; padding is ignored.
    const labels = batch.labels as number[][];
    ids.forEach((row, r) => row.forEach((id, t) => expect(labels[r]![t]).toBe(mask[r]![t] === 0 ? IGNORE_INDEX : features[Math.floor(id / 100)]!.tokenLabels![id % 100])));
  });

  it('orders sequence labels as the examples appear in the rows', () => {
    const batch = collatePacked('sequence-classification', features, 0, 48);
    const starts: number[] = [];
    (batch.input_ids as number[][]).forEach((row, r) => row.forEach((id, t) => {
      if ((batch.attention_mask as number[][])[r]![t] === 1 && batch.position_ids![r]![t] === 0) starts.push(Math.floor(id / 100));
    }));
    expect(batch.labels).toEqual(starts.map((i) => features[i]!.label));
  });

  it('gives an example longer than the row budget a row of its own', () => {
    const batch = collatePacked('token-classification', [feature(60, 0), feature(5, 1), feature(5, 2)], 0, 16);
    expect((batch.input_ids as number[][])[0]!.length).toBe(60);
    expect(batch.input_ids.length).toBe(2);
  });

  it('is refused by an unpacked graph and required by a packed one', async () => {
    const modelDir = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
    const config = parseBertConfig(JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')));
    const file = await readSafetensors(path.join(modelDir, 'model.safetensors'));
    const options = { config, head: 'token-classification' as const, trainable: new Set<string>(), weights: (n: string) => file.float32(n) };
    const packed = collatePacked('token-classification', features.slice(0, 3).map((f) => ({ ...f, inputIds: f.inputIds.map((id) => id % 50), tokenLabels: f.tokenLabels!.map((l) => (l < 0 ? l : l % 2)) })), 0);
    expect(() => batchFeeds(buildTrainingGraph({ ...options, packed: false }), config, packed)).toThrow(BatchError);
    const { position_ids: _unused, ...unpacked } = packed;
    expect(() => batchFeeds(buildTrainingGraph({ ...options, packed: true }), config, unpacked)).toThrow(/packed/);
  });
});
