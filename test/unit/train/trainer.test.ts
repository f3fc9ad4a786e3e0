import { promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { CancelledError } from '../../../src/core/tasks/shared/forward';
import { listCheckpoints } from '../../../src/core/train/checkpoint';
import { train, type TrainerEvent } from '../../../src/core/train/trainer';
import type { TaskData } from '../../../src/core/train/trainingData';
import { syntheticNerData } from './syntheticData';

const BASE = path.join(__dirname, '..', '..', 'fixtures', 'models', 'base');
const TOKEN_MODEL = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-trainer-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

const nerData = (count: number, seed: number): TaskData => syntheticNerData(count, seed);

async function weightsOf(dir: string): Promise<Map<string, Float32Array>> {
  const file = await readSafetensors(path.join(dir, 'model.safetensors'));
  return new Map(file.names().map((n) => [n, file.float32(n).slice()]));
}

describe('trainer', () => {
  it('learns a synthetic NER task and reports entity F1', async () => {
    const out = path.join(work, 'learn');
    const events: TrainerEvent[] = [];
    const result = await train({
      task: 'ner', modelDir: BASE, train: nerData(200, 1), eval: nerData(40, 2), outputDir: out,
      args: { learning_rate: 3e-3, num_train_epochs: 4, per_device_train_batch_size: 16, warmup_ratio: 0.1, seed: 3 },
      onEvent: (e) => events.push(e),
    });
    const logs = events.filter((e): e is Extract<TrainerEvent, { type: 'log' }> => e.type === 'log');
    expect(logs.length).toBe(result.steps);
    const early = logs.slice(0, 5).reduce((a, e) => a + e.loss, 0) / 5;
    const late = logs.slice(-5).reduce((a, e) => a + e.loss, 0) / 5;
    expect(late).toBeLessThan(early * 0.6);
    expect(result.metrics!.score).toBeGreaterThan(0.5);
    // The base model had no classifier: HF's "newly initialized" report must say so.
    expect(events.some((e) => e.type === 'info' && /newly initialized: classifier\.weight/.test(e.message))).toBe(true);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { id2label: Record<string, string>; architectures: string[] };
    expect(config.architectures).toEqual(['BertForTokenClassification']);
    // HF run_ner.py: a model without real labels gets the data's labels sorted.
    expect(Object.values(config.id2label)).toEqual(['B-LOC', 'B-PER', 'O']);
    await fs.access(path.join(out, 'onnx', 'model.onnx'));
  });

  it.each([false, true])('resumes from a mid-epoch checkpoint bit-identically (shuffle and dropout on, group_by_length %s)', async (groupByLength) => {
    const common = {
      task: 'ner' as const, modelDir: BASE, train: nerData(48, 4), dropout: 0.2,
      args: { learning_rate: 1e-3, num_train_epochs: 2, per_device_train_batch_size: 8, save_steps: 4, seed: 11, group_by_length: groupByLength },
    };
    const full = path.join(work, `full-${groupByLength}`);
    await train({ ...common, outputDir: full });
    const partial = path.join(work, `partial-${groupByLength}`);
    await train({ ...common, outputDir: partial, maxSteps: 4 });
    const resumed = path.join(work, `resumed-${groupByLength}`);
    await train({ ...common, outputDir: resumed, resumeFrom: path.join(partial, 'checkpoint-4') });
    const a = await weightsOf(full);
    const b = await weightsOf(resumed);
    for (const [name, value] of a) expect(Buffer.from(b.get(name)!.buffer).equals(Buffer.from(value.buffer)), name).toBe(true);
  });

  it('stops on a NaN loss with a clear message and keeps the last good checkpoint', async () => {
    const out = path.join(work, 'nan');
    const run = train({
      task: 'ner', modelDir: BASE, train: nerData(64, 5), outputDir: out,
      args: { learning_rate: 1e6, max_grad_norm: 0, per_device_train_batch_size: 8, save_steps: 1, num_train_epochs: 5 },
    });
    await expect(run).rejects.toThrow(/(loss became NaN|gradient norm is (NaN|Infinity)).*last good checkpoint is .*checkpoint-\d+/);
    const checkpoints = await listCheckpoints(out);
    expect(checkpoints.length).toBeGreaterThan(0);
    const last = await weightsOf(checkpoints[checkpoints.length - 1]!.dir);
    for (const value of last.values()) expect(value.every(Number.isFinite)).toBe(true);
  });

  it('cancels mid-epoch without touching saved checkpoints', async () => {
    const out = path.join(work, 'cancel');
    const controller = new AbortController();
    const run = train({
      task: 'ner', modelDir: BASE, train: nerData(64, 6), outputDir: out, signal: controller.signal,
      args: { per_device_train_batch_size: 4, save_steps: 2, num_train_epochs: 1 },
      onEvent: (e) => {
        if (e.type === 'checkpoint' && e.step === 4) controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect((await listCheckpoints(out)).map((c) => c.step)).toEqual([2, 4]);
    await readSafetensors(path.join(out, 'checkpoint-4', 'model.safetensors'));
  });

  it('keeps the previous checkpoint when saving fails (disk full)', async () => {
    const out = path.join(work, 'diskfull');
    let steps = 0;
    // Simulate a full disk: writes into checkpoint-4's files fail with ENOSPC.
    const doomed = new WeakSet<object>();
    const realOpen = fs.open.bind(fs);
    const realWriteFile = fs.writeFile.bind(fs);
    const openSpy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (steps >= 4 && String(args[0]).includes('checkpoint-4')) doomed.add(handle);
      return handle;
    });
    const writeSpy = vi.spyOn(fs, 'writeFile').mockImplementation(async (...args: Parameters<typeof fs.writeFile>) => {
      if (typeof args[0] === 'object' && doomed.has(args[0] as object)) {
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return realWriteFile(...args);
    });
    try {
      const run = train({
        task: 'ner', modelDir: BASE, train: nerData(32, 7), outputDir: out,
        args: { per_device_train_batch_size: 4, save_steps: 2, num_train_epochs: 1 },
        onEvent: (e) => {
          if (e.type === 'log') steps = e.step;
        },
      });
      await expect(run).rejects.toThrow(/could not save .*checkpoint-4 .*no space left.*earlier checkpoints are intact/);
    } finally {
      openSpy.mockRestore();
      writeSpy.mockRestore();
    }
    expect((await listCheckpoints(out)).map((c) => c.step)).toEqual([2]);
    const leftovers = (await fs.readdir(out)).filter((n) => n.includes('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('refuses empty data and a single label with clear messages', async () => {
    const out = path.join(work, 'bad');
    await expect(train({ task: 'ner', modelDir: BASE, train: { task: 'ner', sentences: [], issues: [] }, outputDir: out })).rejects.toThrow(/the training data has no examples/);
    const single: TaskData = { task: 'classify', examples: [{ text: 'good', label: 'pos', line: 1 }, { text: 'fine', label: 'pos', line: 2 }], issues: [] };
    await expect(train({ task: 'classify', modelDir: BASE, train: single, outputDir: out })).rejects.toThrow(/single label \(pos\)/);
  });

  it('extends a NER head with labels the model does not know, keeping the known rows', async () => {
    const data = nerData(16, 8);
    if (data.task === 'ner') data.sentences[0]!.tags.splice(0, 1, 'B-FOOD');
    const events: TrainerEvent[] = [];
    const out = path.join(work, 'extend');
    await train({ task: 'ner', modelDir: TOKEN_MODEL, train: data, outputDir: out, maxSteps: 1, args: { per_device_train_batch_size: 4 }, onEvent: (e) => events.push(e) });
    expect(events.some((e) => e.type === 'info' && /Labels new to .*: B-FOOD/.test(e.message))).toBe(true);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
    expect(Object.values(config.id2label)).toEqual(['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC', 'B-FOOD']);
  });
});

describe('label sets as HF builds them', () => {
  it('keeps the classifier rows of a checkpoint with placeholder labels of the same size (by position)', async () => {
    // A checkpoint whose config still says LABEL_0..LABEL_4 (e.g. saved right after HF's init):
    // run_ner.py maps sorted(data labels)[i] to row i and keeps the weights.
    const dir = path.join(work, 'placeholder');
    await fs.cp(TOKEN_MODEL, dir, { recursive: true });
    const configFile = path.join(dir, 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    const labels = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [String(i), `LABEL_${i}`]));
    await fs.writeFile(configFile, JSON.stringify({ ...config, id2label: labels, label2id: undefined }));
    const data = nerData(16, 9);
    if (data.task === 'ner') {
      // Nine distinct tags, as many as the checkpoint's rows.
      data.sentences[0]!.tags = ['B-LOC', 'B-ORG', 'B-PER', 'I-LOC', 'I-ORG', 'I-PER', 'O', 'B-MISC', 'I-MISC'].slice(0, data.sentences[0]!.tags.length);
      data.sentences[1]!.tokens = ['John', 'Mary', 'Smith', 'Obama', 'London', 'Paris', 'the', 'of', 'and'];
      data.sentences[1]!.tags = ['B-LOC', 'B-ORG', 'B-PER', 'I-LOC', 'I-ORG', 'I-PER', 'O', 'B-MISC', 'I-MISC'];
    }
    const events: TrainerEvent[] = [];
    const out = path.join(work, 'placeholder-out');
    await train({ task: 'ner', modelDir: dir, train: data, outputDir: out, maxSteps: 1, args: { learning_rate: 1e-12, per_device_train_batch_size: 4 }, onEvent: (e) => events.push(e) });
    const saved = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as { id2label: Record<string, string> };
    expect(Object.values(saved.id2label)).toEqual(['B-LOC', 'B-MISC', 'B-ORG', 'B-PER', 'I-LOC', 'I-MISC', 'I-ORG', 'I-PER', 'O']);
    expect(events.some((e) => e.type === 'info' && /newly initialized/.test(e.message))).toBe(false);
    const before = (await weightsOf(TOKEN_MODEL)).get('classifier.weight')!;
    const after = (await weightsOf(out)).get('classifier.weight')!;
    expect(Math.max(...after.map((v, i) => Math.abs(v - before[i]!)))).toBeLessThan(1e-6);
  });
});
