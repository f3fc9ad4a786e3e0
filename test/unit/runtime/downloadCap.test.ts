import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '../../../src/core/runtime/hub/hubError';
import { resolveModel } from '../../../src/core/runtime/hub/resolveModel';
import { DownloadSizeCap, SizeLimitError } from '../../../src/core/runtime/hub/sizeCap';
import { serializeSafetensors } from '../../../src/core/runtime/safetensors';
import { COMMIT, startFakeHub, type FakeHub } from './fakeHub';

/*
 * A server that announces no size (neither Content-Length nor X-Linked-Size) must not be able to
 * stream without end into the cache: a safetensors download stops at the size its own header gives,
 * any other file at the most that file type can be (or maxDownloadBytes).
 */

const CONFIG = {
  model_type: 'bert', vocab_size: 8, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2,
  intermediate_size: 8, max_position_embeddings: 16, id2label: { 0: 'O', 1: 'B-PER' },
};

let hub: FakeHub;
let root: string;
let weights: Uint8Array;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-download-cap-'));
  const repo = path.join(root, 'repo');
  await fs.mkdir(repo, { recursive: true });
  weights = serializeSafetensors({ 'payload.weight': { dtype: 'F32', shape: [128, 128], data: Float32Array.from({ length: 16384 }, (_, i) => i) } });
  await fs.writeFile(path.join(repo, 'config.json'), JSON.stringify(CONFIG));
  await fs.writeFile(path.join(repo, 'vocab.txt'), '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n');
  await fs.writeFile(path.join(repo, 'model.safetensors'), weights);
  hub = await startFakeHub({ 'acme/sizeless': { dir: repo } });
});
afterAll(async () => {
  await hub.close();
  await fs.rm(root, { recursive: true, force: true });
});

const snapshot = (cacheDir: string) => path.join(cacheDir, 'models--acme--sizeless', 'snapshots', COMMIT);

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error);
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('downloads whose size the server does not announce', () => {
  it('accepts a whole safetensors file: its header gives the size', async () => {
    const cacheDir = await fs.mkdtemp(path.join(root, 'cache-'));
    hub.faults.set('model.safetensors', 'no-size');
    const resolved = await resolveModel('acme/sizeless', { endpoint: hub.endpoint, cacheDir, weights: ['safetensors'] });
    expect(resolved.downloaded).toContain('model.safetensors');
    expect(new Uint8Array(await fs.readFile(path.join(snapshot(cacheDir), 'model.safetensors')))).toEqual(weights);
  });

  it('stops a safetensors stream at the size its header gives and caches nothing of it', async () => {
    const cacheDir = await fs.mkdtemp(path.join(root, 'cache-'));
    hub.faults.set('model.safetensors', 'no-size-endless');
    const error = await refusal(resolveModel('acme/sizeless', { endpoint: hub.endpoint, cacheDir, weights: ['safetensors'] }));
    expect(error).toBeInstanceOf(HubError);
    expect(error.message).toContain(`Download of model.safetensors for model "acme/sizeless" stopped`);
    expect(error.message).toContain(`its header gives the file ${weights.byteLength} bytes`);
    expect(error.message).toContain('nothing was cached');
    expect((await fs.readdir(snapshot(cacheDir))).filter((name) => name.includes('safetensors'))).toEqual([]);
  }, 10_000);

  it('stops any other file at maxDownloadBytes', async () => {
    const cacheDir = await fs.mkdtemp(path.join(root, 'cache-'));
    hub.faults.set('config.json', 'no-size-endless');
    const error = await refusal(resolveModel('acme/sizeless', { endpoint: hub.endpoint, cacheDir, maxDownloadBytes: 1 << 20 }));
    expect(error.message).toMatch(/Download of config\.json .* stopped: config\.json: received \d+ bytes, more than the file can have \(the most allowed is 1048576 bytes\)/);
    expect(await fs.readdir(snapshot(cacheDir)).catch(() => [])).toEqual([]);
  }, 10_000);

  it('refuses an announced size beyond the cap before reading the body', async () => {
    const cacheDir = await fs.mkdtemp(path.join(root, 'cache-'));
    const error = await refusal(resolveModel('acme/sizeless', { endpoint: hub.endpoint, cacheDir, maxDownloadBytes: 10 }));
    expect(error.message).toMatch(/config\.json would be \d+ bytes, more than the 10 allowed/);
  });
});

describe('DownloadSizeCap', () => {
  it('reads the safetensors header across chunks of any size', () => {
    for (const size of [1, 3, 7, 8, 9, 100, weights.byteLength]) {
      const cap = new DownloadSizeCap('model.safetensors');
      let loaded = 0;
      for (let at = 0; at < weights.byteLength; at += size) {
        const chunk = weights.subarray(at, at + size);
        loaded += chunk.byteLength;
        cap.accept(chunk, loaded);
      }
      cap.finish(loaded);
      expect(cap.limit).toBe(weights.byteLength);
      expect(() => cap.accept(Uint8Array.of(0), loaded + 1)).toThrow(SizeLimitError);
    }
  });

  it('refuses a truncated file, a header length beyond the parser maximum and bytes that are no header', () => {
    const short = new DownloadSizeCap('model.safetensors');
    short.accept(weights.subarray(0, 1000), 1000);
    expect(() => short.finish(1000)).toThrow(/stopped after 1000 of the \d+ bytes its header gives/);
    const absurd = new Uint8Array(16);
    new DataView(absurd.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => new DownloadSizeCap('model.safetensors').accept(absurd, 16)).toThrow(SizeLimitError);
    const garbage = new Uint8Array(24);
    garbage[0] = 8;
    expect(() => new DownloadSizeCap('model.safetensors').accept(garbage, 24)).toThrow(/header is not valid JSON/);
    expect(new DownloadSizeCap('onnx/model.onnx').limit).toBe(2 ** 31);
    expect(new DownloadSizeCap('tokenizer.json').limit).toBe(2 ** 29);
  });
});
