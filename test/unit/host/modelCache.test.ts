import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadedModel, LoadModelOptions } from '../../../src/core/runtime/loadModel';
import { CancelledError } from '../../../src/core/tasks/shared/forward';
import { ModelCache } from '../../../src/worker/modelCache';

/** A loader that records its calls and lets the test decide when (and how) each load ends. */
function fakeLoader() {
  const calls: Array<{ reference: string; options: LoadModelOptions; finish(): void; fail(error: Error): void; released: () => boolean }> = [];
  const load = (reference: string, options: LoadModelOptions) => new Promise<LoadedModel>((resolve, reject) => {
    let released = false;
    const model = { reference, session: { release: async () => { released = true; } } } as unknown as LoadedModel;
    options.signal?.addEventListener('abort', () => reject(new Error('aborted by signal')));
    calls.push({ reference, options, finish: () => resolve(model), fail: reject, released: () => released });
  });
  return { calls, load };
}

/** After a timer, every acquire() has passed its (instant, below) fingerprint step and joined or started a load. */
const tick = () => new Promise((r) => setTimeout(r, 5));
/** Hub-id references: no folder to fingerprint, and no file system timing in these tests. */
const noFingerprint = async () => '';

describe('ModelCache', () => {
  it('shares one load between concurrent jobs and reuses it, keyed by reference, head, quantized and threads', async () => {
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load, 3, noFingerprint);
    const a = cache.acquire({ reference: 'org/m' }, 'token-classification');
    const b = cache.acquire({ reference: 'org/m', threads: 0 }, 'token-classification');
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    const [leaseA, leaseB] = await Promise.all([a, b]);
    expect(leaseA.model).toBe(leaseB.model);
    expect((await cache.acquire({ reference: 'org/m' }, 'token-classification')).model).toBe(leaseA.model);
    void cache.acquire({ reference: 'org/m', threads: 2 }, 'token-classification');
    void cache.acquire({ reference: 'org/m', quantized: true }, 'token-classification');
    void cache.acquire({ reference: 'org/m' }, 'question-answering');
    await tick();
    expect(calls.map((c) => [c.options.threads, c.options.quantized, c.options.head])).toEqual([
      [undefined, undefined, 'token-classification'], [2, undefined, 'token-classification'], [undefined, true, 'token-classification'], [undefined, undefined, 'question-answering'],
    ]);
  });

  it('forwards download progress to every waiting job', async () => {
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load, 3, noFingerprint);
    const seenA: number[] = [];
    const seenB: number[] = [];
    const a = cache.acquire({ reference: 'org/m' }, 'token-classification', { onProgress: (p) => seenA.push(p.loaded) });
    await tick();
    const b = cache.acquire({ reference: 'org/m' }, 'token-classification', { onProgress: (p) => seenB.push(p.loaded) });
    await tick();
    calls[0]!.options.onProgress!({ file: 'onnx/model.onnx', loaded: 10, total: 20 });
    calls[0]!.finish();
    await Promise.all([a, b]);
    expect([seenA, seenB]).toEqual([[10], [10]]);
  });

  it('aborts a load only when every job waiting for it was cancelled, and does not cache it', async () => {
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load, 3, noFingerprint);
    const first = new AbortController();
    const second = new AbortController();
    const a = cache.acquire({ reference: 'org/m' }, 'token-classification', { signal: first.signal });
    const b = cache.acquire({ reference: 'org/m' }, 'token-classification', { signal: second.signal });
    await tick();
    first.abort();
    await expect(a).rejects.toBeInstanceOf(CancelledError);
    expect(calls[0]!.options.signal!.aborted).toBe(false);
    second.abort();
    await expect(b).rejects.toBeInstanceOf(CancelledError);
    expect(calls[0]!.options.signal!.aborted).toBe(true);
    await tick();
    expect(cache.size).toBe(0);
    const again = cache.acquire({ reference: 'org/m' }, 'token-classification');
    await tick();
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    await again;
  });

  it('does not cache a failed load, so a fixed model folder loads on the next try', async () => {
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load, 3, noFingerprint);
    const a = cache.acquire({ reference: 'org/m' }, 'token-classification');
    await tick();
    calls[0]!.fail(new Error('config.json is missing'));
    await expect(a).rejects.toThrow('config.json is missing');
    const b = cache.acquire({ reference: 'org/m' }, 'token-classification');
    await tick();
    calls[1]!.finish();
    await expect(b).resolves.toBeDefined();
  });

  it('releases the least recently used session beyond capacity, but only once no job holds it', async () => {
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load, 1, noFingerprint);
    const first = cache.acquire({ reference: 'a/one' }, 'token-classification');
    await tick();
    calls[0]!.finish();
    const leaseOne = await first;
    const second = cache.acquire({ reference: 'b/two' }, 'token-classification');
    await tick();
    calls[1]!.finish();
    const leaseTwo = await second;
    expect(cache.size).toBe(1);
    expect(calls[0]!.released()).toBe(false); // still held by leaseOne
    leaseOne.release();
    leaseOne.release();
    expect(calls[0]!.released()).toBe(true);
    expect(calls[1]!.released()).toBe(false);
    leaseTwo.release();
    await cache.dispose();
    expect(calls[1]!.released()).toBe(true);
  });

  it('loads a local folder again when its weights or config change (e.g. fine-tuned into the same folder)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-cache-'));
    await fs.writeFile(path.join(dir, 'config.json'), '{}');
    const { calls, load } = fakeLoader();
    const cache = new ModelCache(load);
    const first = cache.acquire({ reference: dir }, 'token-classification');
    await expect.poll(() => calls.length).toBe(1);
    calls[0]!.finish();
    await first;
    const same = cache.acquire({ reference: dir }, 'token-classification');
    await same;
    expect(calls).toHaveLength(1);
    await fs.writeFile(path.join(dir, 'model.safetensors'), 'new weights');
    const changed = cache.acquire({ reference: dir }, 'token-classification');
    await expect.poll(() => calls.length).toBe(2);
    calls[1]!.finish();
    await changed;
    await fs.rm(dir, { recursive: true });
  });
});
