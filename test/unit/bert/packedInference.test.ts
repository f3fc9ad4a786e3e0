import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportInferenceOnnx, type InferenceExportOptions } from '../../../src/core/bert/buildGraph';
import { parseBertConfig, type BertConfig } from '../../../src/core/bert/config';
import { headFromArchitecture, type HeadKind } from '../../../src/core/bert/heads';
import { canonicalName } from '../../../src/core/bert/weightNames';
import { createSession, tensor } from '../../../src/core/runtime/ort';
import { readSafetensors } from '../../../src/core/runtime/safetensors';

// Inference graphs with packed rows (exportInferenceOnnx { packed: true }): several examples share a
// row, positions restart at each, and the block-diagonal 3-D mask keeps each to itself. The reference
// for each example is the ordinary (unpacked) graph of the same weights running it alone in a padded
// batch, which HF semantics fix independently (familyReference.test.ts checks those graphs against
// PyTorch). fp32: within 1e-5. int8: DynamicQuantizeMatMul scales activations per tensor, so a
// packed batch quantizes a little differently from a padded one, as any two batches do (measured on
// these fixtures: up to 2.2% of the logits' range packed, up to 2.3% for one example alone against
// the padded batch of seven): within 5% of the range.
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');
const MODELS: Array<[string, string]> = [
  ['bert', path.join(FIXTURES, 'models', 'token-classification')],
  ['bert sequence classification', path.join(FIXTURES, 'models', 'sequence-classification')],
  ...['roberta', 'xlm-roberta', 'distilbert', 'electra', 'deberta-v3', 'deberta-v2'].map((name): [string, string] => [name, path.join(FIXTURES, 'family', `${name}-token-classification`)]),
  ['roberta sequence classification', path.join(FIXTURES, 'family', 'roberta-sequence-classification')],
  ['distilbert sequence classification', path.join(FIXTURES, 'family', 'distilbert-sequence-classification')],
];

async function load(dir: string): Promise<{ config: BertConfig; head: HeadKind; lookup: (name: string) => Float32Array }> {
  const config = parseBertConfig(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const head = headFromArchitecture(config.architectures![0]!)!;
  const weights = await readSafetensors(path.join(dir, 'model.safetensors'));
  return { config, head, lookup: (name) => weights.float32(weights.has(name) ? name : canonicalName(config, name)) };
}

/** Seeded example token ids (never the padding id: RoBERTa reads padding from the ids). */
function examples(config: BertConfig, lengths: readonly number[]): number[][] {
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return lengths.map((length) => Array.from({ length }, () => {
    let id: number;
    do id = 3 + (next() % (config.vocab_size - 3));
    while (id === config.pad_token_id);
    return id;
  }));
}

type Feeds = Record<string, ReturnType<typeof tensor>>;

/** Rows of examples laid end to end and padded to the longest row; position ids restart per example. */
function rowFeeds(config: BertConfig, rows: ReadonlyArray<readonly number[][]>, inputNames: readonly string[]): Feeds {
  const width = Math.max(...rows.map((row) => row.reduce((n, e) => n + e.length, 0)));
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(config.pad_token_id));
  const mask = new BigInt64Array(rows.length * width);
  const positions = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    let at = r * width;
    for (const example of row) {
      example.forEach((id, p) => {
        ids[at] = BigInt(id);
        mask[at] = 1n;
        positions[at] = BigInt(p);
        at++;
      });
    }
  });
  const all: Feeds = {
    input_ids: tensor('int64', ids, [rows.length, width]),
    attention_mask: tensor('int64', mask, [rows.length, width]),
    // Token type 0 everywhere, as single-sentence NER feeds it.
    token_type_ids: tensor('int64', new BigInt64Array(rows.length * width), [rows.length, width]),
    position_ids: tensor('int64', positions, [rows.length, width]),
  };
  return Object.fromEntries(inputNames.map((name) => [name, all[name]!]));
}

/** Per example (row-major), its logits: the rows of its tokens (token heads) or its one row (sequence heads). */
function perExample(head: HeadKind, logits: { data: Float32Array; dims: readonly number[] }, rows: ReadonlyArray<readonly number[][]>): Float32Array[] {
  const out: Float32Array[] = [];
  const width = logits.dims[logits.dims.length - 1]!;
  if (head === 'sequence-classification') {
    for (let e = 0; e < rows.flat().length; e++) out.push(logits.data.slice(e * width, (e + 1) * width));
    return out;
  }
  const seq = logits.dims[1]!;
  rows.forEach((row, r) => {
    let at = r * seq;
    for (const example of row) {
      out.push(logits.data.slice(at * width, (at + example.length) * width));
      at += example.length;
    }
  });
  return out;
}

async function run(config: BertConfig, head: HeadKind, lookup: (name: string) => Float32Array, options: InferenceExportOptions, rows: ReadonlyArray<readonly number[][]>): Promise<Float32Array[]> {
  const session = await createSession(exportInferenceOnnx(config, head, lookup, options));
  const outputs = await session.run(rowFeeds(config, rows, session.inputNames));
  const logits = outputs.logits!;
  const result = perExample(head, { data: logits.data as Float32Array, dims: logits.dims }, rows);
  await session.release();
  return result;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

const LENGTHS = [7, 3, 11, 5, 9, 2, 6];
// Three packed rows of unequal fill (the last padded), examples of several lengths in each.
const PACKED = (all: number[][]) => [[all[2]!, all[0]!, all[1]!], [all[4]!, all[6]!, all[5]!], [all[3]!]];

describe.each(MODELS)('packed inference rows: %s', (_name, dir) => {
  for (const variant of [{ fused: true }, { fused: false }] as const) {
    it(`${variant.fused ? 'fused' : 'reference'} fp32: each example's logits equal its own padded row's within 1e-5`, async () => {
      const { config, head, lookup } = await load(dir);
      const all = examples(config, LENGTHS);
      const alone = await run(config, head, lookup, variant, all.map((e) => [e]));
      const packedRows = PACKED(all);
      const packed = await run(config, head, lookup, { ...variant, packed: true }, packedRows);
      const order = packedRows.flat().map((e) => all.indexOf(e));
      packed.forEach((logits, i) => expect(maxAbsDiff(logits, alone[order[i]!]!)).toBeLessThan(1e-5));
      // The packed graph fed one example per row (positions 0, 1, …) is the unpacked graph.
      const single = await run(config, head, lookup, { ...variant, packed: true }, all.map((e) => [e]));
      single.forEach((logits, i) => expect(maxAbsDiff(logits, alone[i]!)).toBeLessThan(1e-5));
      // Not vacuous: the same examples run as one sequence (no packing mask) score differently.
      const joined = await run(config, head, lookup, variant, [[packedRows[0]!.flat()]]);
      if (head === 'token-classification') expect(maxAbsDiff(joined[0]!.slice(0, packed[0]!.length), packed[0]!)).toBeGreaterThan(1e-3);
    });
  }

  it('int8: within 5% of the logits range of the padded int8 rows', async () => {
    const { config, head, lookup } = await load(dir);
    const all = examples(config, LENGTHS);
    const alone = await run(config, head, lookup, { quantize: 'int8' }, all.map((e) => [e]));
    const packedRows = PACKED(all);
    const packed = await run(config, head, lookup, { quantize: 'int8', packed: true }, packedRows);
    const order = packedRows.flat().map((e) => all.indexOf(e));
    const values = alone.flatMap((a) => [...a]);
    const range = Math.max(...values) - Math.min(...values);
    packed.forEach((logits, i) => expect(maxAbsDiff(logits, alone[order[i]!]!)).toBeLessThan(0.05 * range));
  });
});

describe('packed inference rows are refused where the architecture cannot pack', () => {
  it('ModernBERT', async () => {
    const { config, head, lookup } = await load(path.join(FIXTURES, 'family', 'modernbert-token-classification'));
    expect(() => exportInferenceOnnx(config, head, lookup, { packed: true })).toThrow(/cannot be packed/);
  });
});
