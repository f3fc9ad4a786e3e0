import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';
import type { TokenEntity } from '../../../src/core/tasks/tokenClassification/types';
import { JobError, type WorkerClient } from '../../../src/host/workerClient';
import { entitiesFromResults } from '../../../src/host/ner/entities';
import { segmentsToAnalyse } from '../../../src/host/ner/segments';
import type { JobProgress, ModelSpec } from '../../../src/worker/jobKinds';
import { bundleWorker, clientFor, copyModel, SEQUENCE_CLASSIFICATION, TOKEN_CLASSIFICATION } from './workerHarness';

let worker: { workerPath: string; dispose(): Promise<void> };
let cacheDir: string;
const scratch: string[] = [];

beforeAll(async () => {
  worker = await bundleWorker();
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-worker-cache-'));
  scratch.push(cacheDir);
});
afterAll(async () => {
  await worker?.dispose();
  for (const dir of scratch) await fs.rm(dir, { recursive: true, force: true });
});

const spec = (reference: string): ModelSpec => ({ reference, cacheDir, threads: 1 });
const fractions = (events: Array<JobProgress<'recognizeEntities'>>) => events.flatMap((e) => (e.phase === 'inference' ? [e.fraction] : []));

async function expectJobError(promise: Promise<unknown>): Promise<JobError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(JobError);
  return error as JobError;
}

describe('worker client with the bundled worker process', () => {
  let client: WorkerClient;
  const logs: string[] = [];
  beforeAll(() => {
    client = clientFor(worker.workerPath, logs);
  });
  afterAll(() => client?.dispose());

  const MIXED = 'Intro line\r\n🙂 Angela Merkel met 東京 officials\r\nin Paris, naïve café — 👩‍👩‍👧 emoji family.\r\n';

  it('starts lazily and returns the same entities as the pipeline run in this process', async () => {
    expect(client.pid).toBeUndefined();
    const events: Array<JobProgress<'recognizeEntities'>> = [];
    const result = await client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: [MIXED, ''], options: { aggregationStrategy: 'simple' } }, { onProgress: (e) => events.push(e) });
    expect(client.pid).toBeGreaterThan(0);
    const local = await loadModel(TOKEN_CLASSIFICATION, { head: 'token-classification', cacheDir, threads: 1 });
    const expected = await recognizeEntities(local, MIXED, { aggregationStrategy: 'simple' });
    await local.session.release();
    expect(result.entities[0]).toEqual(expected);
    expect(result.entities[1]).toEqual([]);
    expect(result.model).toMatchObject({ head: 'token-classification', source: 'local', labels: ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'] });
    expect(events[0]).toEqual({ phase: 'loading' });
    expect(fractions(events).at(-1)).toBe(1);
  });

  it('gives document offsets for a selection over CRLF, emoji and CJK: the tokens cover exactly the selected non-space text', async () => {
    const doc = `Heading\r\n\r\n${MIXED}tail`;
    const selectionStart = doc.indexOf('🙂');
    const selectionEnd = doc.indexOf('tail');
    const segments = segmentsToAnalyse(doc, [{ start: selectionStart, end: selectionEnd }]);
    // Strategy none with no ignored label: one result per token, so their spans must tile the text.
    const result = await client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: segments.map((s) => s.text), options: { aggregationStrategy: 'none', ignoreLabels: [] } });
    const entities = entitiesFromResults(result.entities, segments, doc);
    expect(entities.length).toBeGreaterThan(10);
    for (const entity of entities) {
      expect(entity.start).toBeGreaterThanOrEqual(selectionStart);
      expect(entity.end).toBeLessThanOrEqual(selectionEnd);
      expect(doc.slice(entity.start, entity.end)).toBe(entity.text);
      expect(entity.text).not.toMatch(/\s/);
      // Never between the two halves of a surrogate pair.
      for (const offset of [entity.start, entity.end]) expect(/[\uDC00-\uDFFF]/.test(doc[offset] ?? '') && /[\uD800-\uDBFF]/.test(doc[offset - 1] ?? '')).toBe(false);
    }
    expect(entities.map((e) => e.text).join('')).toBe(doc.slice(selectionStart, selectionEnd).replace(/\s+/g, ''));
    expect((result.entities[0] as TokenEntity[])[0]).toHaveProperty('entity');
  });

  it('runs a warm-up loadModel job and reports the model', async () => {
    const info = await client.run('loadModel', { model: spec(TOKEN_CLASSIFICATION), head: 'token-classification' });
    expect(info).toMatchObject({ reference: TOKEN_CLASSIFICATION, head: 'token-classification', quantized: false });
  });

  it('names the missing or corrupt file of a broken model folder, and keeps working afterwards', async () => {
    const noConfig = await copyModel(TOKEN_CLASSIFICATION);
    scratch.push(noConfig);
    await fs.rm(path.join(noConfig, 'config.json'));
    let error = await expectJobError(client.run('recognizeEntities', { model: spec(noConfig), texts: ['Ann'], options: {} }));
    expect(error.code).toBe('model-folder');
    expect(error.file).toBe(path.join(noConfig, 'config.json'));
    expect(error.message).toContain('config.json');

    const badConfig = await copyModel(TOKEN_CLASSIFICATION);
    scratch.push(badConfig);
    await fs.writeFile(path.join(badConfig, 'config.json'), '{"model_type": "bert", ');
    error = await expectJobError(client.run('recognizeEntities', { model: spec(badConfig), texts: ['Ann'], options: {} }));
    expect(error.code).toBe('model-folder');
    expect(error.message).toContain(path.join(badConfig, 'config.json'));

    const noTokenizer = await copyModel(TOKEN_CLASSIFICATION);
    scratch.push(noTokenizer);
    await fs.rm(path.join(noTokenizer, 'vocab.txt'));
    await fs.rm(path.join(noTokenizer, 'tokenizer.json'));
    error = await expectJobError(client.run('recognizeEntities', { model: spec(noTokenizer), texts: ['Ann'], options: {} }));
    expect(error.code).toBe('model-folder');
    expect(error.message).toMatch(/tokenizer\.json or vocab\.txt/);

    const corruptOnnx = await copyModel(TOKEN_CLASSIFICATION);
    scratch.push(corruptOnnx);
    await fs.rm(path.join(corruptOnnx, 'model.safetensors'));
    await fs.mkdir(path.join(corruptOnnx, 'onnx'), { recursive: true });
    await fs.writeFile(path.join(corruptOnnx, 'onnx', 'model.onnx'), 'not a protobuf');
    error = await expectJobError(client.run('recognizeEntities', { model: spec(corruptOnnx), texts: ['Ann'], options: {} }));
    expect(error.message).toContain(path.join(corruptOnnx, 'onnx', 'model.onnx'));

    const pid = client.pid;
    const ok = await client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: ['Ann met Bob.'], options: {} });
    expect(ok.entities).toHaveLength(1);
    expect(client.pid).toBe(pid);
  });

  it('says which head is needed when the model has another one', async () => {
    const error = await expectJobError(client.run('recognizeEntities', { model: spec(SEQUENCE_CLASSIFICATION), texts: ['Ann'], options: {} }));
    expect(error.code).toBe('head-mismatch');
    expect(error.message).toMatch(/BertForSequenceClassification.*needs a token-classification head \(BertForTokenClassification\)/);
  });

  it('rejects an invalid payload in the worker with bad-request', async () => {
    const payload = { model: spec(TOKEN_CLASSIFICATION), texts: ['x'], options: { aggregationStrategy: 'mean' } } as unknown as Parameters<WorkerClient['run']>[1];
    const error = await expectJobError(client.run('recognizeEntities', payload as never));
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain('options.aggregationStrategy must be one of none, simple, first, average, max, got "mean"');
  });

  it('cancels a running job promptly through its AbortSignal; the worker process stays and serves the next job', async () => {
    const pid = client.pid;
    const controller = new AbortController();
    const long = 'Angela Merkel visited Paris and met officials of the United Nations. '.repeat(6000);
    let cancelledAt = 0;
    const job = client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: [long], options: {} }, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === 'inference' && !controller.signal.aborted) {
          cancelledAt = performance.now();
          controller.abort();
        }
      },
    });
    const error = await expectJobError(job);
    expect(error.cancelled).toBe(true);
    expect(performance.now() - cancelledAt).toBeLessThan(5000);
    expect(client.pendingJobs).toBe(0);
    const next = await client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: ['Ann met Bob.'], options: {} });
    expect(next.entities).toHaveLength(1);
    expect(client.pid).toBe(pid);
  });
});

describe('worker crashes and shutdown', () => {
  it('fails the pending jobs with a clear error when the worker dies, and restarts it (ORT loads again) on the next job', async () => {
    const logs: string[] = [];
    const client = clientFor(worker.workerPath, logs);
    try {
      await client.run('loadModel', { model: spec(TOKEN_CLASSIFICATION), head: 'token-classification' });
      const firstPid = client.pid!;
      const text = 'Angela Merkel visited Paris. '.repeat(20000);
      const job = client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: [text], options: {} }, {
        onProgress: (event) => {
          if (event.phase === 'inference') process.kill(firstPid, 'SIGKILL');
        },
      });
      const error = await expectJobError(job);
      expect(error.code).toBe('worker-crashed');
      expect(error.message).toBe('The BERT Lens worker process was killed by SIGKILL. It will be restarted on the next request.');
      expect(logs.some((line) => line.startsWith('error: The BERT Lens worker process was killed by SIGKILL'))).toBe(true);
      const after = await client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: ['Ann met Bob.'], options: {} });
      expect(after.entities).toHaveLength(1);
      expect(client.startCount).toBe(2);
      expect(client.pid).not.toBe(firstPid);
    } finally {
      client.dispose();
    }
  });

  it('quotes the worker\'s last stderr line when it cannot start', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-badworker-'));
    scratch.push(dir);
    const broken = path.join(dir, 'worker.js');
    await fs.writeFile(broken, 'throw new Error("worker bundle is broken");');
    const client = clientFor(broken);
    const error = await expectJobError(client.run('loadModel', { model: spec(TOKEN_CLASSIFICATION), head: 'token-classification' }));
    expect(error.code).toBe('worker-crashed');
    expect(error.message).toMatch(/exited with code 1 \(.*worker bundle is broken.*\)/);
    client.dispose();
  });

  it('dispose() ends pending jobs and the process', async () => {
    const client = clientFor(worker.workerPath);
    await client.run('loadModel', { model: spec(TOKEN_CLASSIFICATION), head: 'token-classification' });
    const pid = client.pid!;
    const job = client.run('recognizeEntities', { model: spec(TOKEN_CLASSIFICATION), texts: ['Ann met Bob. '.repeat(50000)], options: {} });
    client.dispose();
    const error = await expectJobError(job);
    expect(error.cancelled).toBe(true);
    await expect.poll(() => {
      try {
        process.kill(pid, 0);
        return 'alive';
      } catch {
        return 'gone';
      }
    }, { timeout: 5000 }).toBe('gone');
    await expect(client.run('loadModel', { model: spec(TOKEN_CLASSIFICATION), head: 'token-classification' })).rejects.toThrow('shutting down');
  });
});
