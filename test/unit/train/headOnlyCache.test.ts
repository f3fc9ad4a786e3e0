import { promises as fs, mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import { initWeights } from '../../../src/core/bert/init';
import { saveModelFolder } from '../../../src/core/bert/saveFolder';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { train, type TrainerEvent, type TrainerOptions } from '../../../src/core/train/trainer';
import type { TaskData } from '../../../src/core/train/trainingData';
import { Random } from '../../../src/core/util/random';
import { FILLER, PEOPLE, PLACES, syntheticNerData } from './syntheticData';

const BASE = path.join(__dirname, '..', '..', 'fixtures', 'models', 'base');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-head-cache-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

const nerData = (count: number, seed: number): TaskData => syntheticNerData(count, seed, 8);

/** Texts labelled by whether they mention a place (learnable from the pooled output). */
function classifyData(count: number, seed: number): TaskData {
  const random = new Random(seed);
  const examples = Array.from({ length: count }, (_, line) => {
    const words = Array.from({ length: 3 + random.int(6) }, () => FILLER[random.int(FILLER.length)]!);
    const place = random.next() < 0.5;
    if (place) words.splice(random.int(words.length), 0, PLACES[random.int(4)]!);
    return { text: words.join(' '), label: place ? 'place' : 'none', line: line + 1 };
  });
  return { task: 'classify', examples, issues: [] };
}

/** Questions whose answer is the person named in the context. */
function qaData(count: number, seed: number): TaskData {
  const random = new Random(seed);
  const examples = Array.from({ length: count }, () => {
    const before = Array.from({ length: 1 + random.int(4) }, () => FILLER[random.int(FILLER.length)]!).join(' ');
    const person = PEOPLE[random.int(4)]!;
    const after = Array.from({ length: 1 + random.int(4) }, () => FILLER[random.int(FILLER.length)]!).join(' ');
    const context = `${before} ${person} ${after}`;
    return { question: 'who was in London', context, answerStart: before.length + 1, answerText: person, answers: [person] };
  });
  return { task: 'qa', examples, issues: [] };
}

interface Run {
  losses: number[];
  weights: Map<string, Float32Array>;
  score: number | undefined;
  /** Median wall time between consecutive optimizer steps (ms; epoch ends add evaluation and a checkpoint). */
  stepMs: number;
  events: TrainerEvent[];
}

async function run(name: string, options: Omit<TrainerOptions, 'outputDir'>): Promise<Run> {
  const events: TrainerEvent[] = [];
  const times: number[] = [];
  const outputDir = path.join(work, name);
  const result = await train({
    ...options,
    outputDir,
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'log') times.push(performance.now());
    },
  });
  const file = await readSafetensors(path.join(outputDir, 'model.safetensors'));
  const weights = new Map(file.names().map((n) => [n, file.float32(n).slice()]));
  const losses = events.flatMap((e) => (e.type === 'log' ? [e.loss] : []));
  const gaps = times.slice(1).map((t, i) => t - times[i]!).sort((a, b) => a - b);
  const stepMs = gaps[Math.floor(gaps.length / 2)]!;
  return { losses, weights, score: result.metrics?.score, stepMs, events };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Trains the same head-only run with and without the feature cache (dropout off) and compares. */
async function compareCachedToUncached(task: TrainerOptions['task'], trainData: TaskData, evalData: TaskData, headWeights: string[], modelDir = BASE): Promise<void> {
  const common: Omit<TrainerOptions, 'outputDir'> = {
    task, modelDir, train: trainData, eval: evalData, trainLayers: 'head', dropout: 0,
    args: { learning_rate: 3e-2, num_train_epochs: 3, per_device_train_batch_size: 16, warmup_ratio: 0.1, seed: 5 },
  };
  const tag = `${task}-${path.basename(modelDir)}`;
  const uncached = await run(`${tag}-uncached`, { ...common, featureCache: false });
  const cached = await run(`${tag}-cached`, { ...common, featureCache: true });
  expect(cached.events.some((e) => e.type === 'info' && /cached the frozen encoder's/.test(e.message))).toBe(true);
  expect(uncached.events.some((e) => e.type === 'info' && /cached the frozen encoder's/.test(e.message))).toBe(false);

  expect(cached.losses.length).toBe(uncached.losses.length);
  expect(maxAbsDiff(cached.losses, uncached.losses)).toBeLessThan(1e-5);
  // The run must have learned something, or equal weights would prove little.
  const third = Math.max(1, Math.floor(cached.losses.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  expect(mean(cached.losses.slice(-third))).toBeLessThan(mean(cached.losses.slice(0, third)) * 0.95);
  for (const name of headWeights) expect(maxAbsDiff(cached.weights.get(name)!, uncached.weights.get(name)!), name).toBeLessThan(1e-5);
  // The encoder stays as it was in both runs.
  const initial = await readSafetensors(path.join(modelDir, 'model.safetensors'));
  const encoderName = 'bert.encoder.layer.1.output.dense.weight';
  expect(maxAbsDiff(cached.weights.get(encoderName)!, initial.float32(encoderName))).toBe(0);
  expect(cached.score).toBeDefined();
  expect(Math.abs(cached.score! - uncached.score!)).toBeLessThan(1e-9);
  const speedup = uncached.stepMs / cached.stepMs;
  console.log(`head-only ${task} (${path.basename(modelDir)}): ${uncached.stepMs.toFixed(2)} ms/step without the cache, ${cached.stepMs.toFixed(2)} ms/step with it (×${speedup.toFixed(1)}), eval score ${cached.score!.toFixed(4)}`);
}

describe('head-only training on cached frozen features', () => {
  it('NER: same losses, head weights and F1 as running the frozen encoder every step (dropout 0)', async () => {
    await compareCachedToUncached('ner', nerData(160, 1), nerData(40, 2), ['classifier.weight', 'classifier.bias']);
  });

  it('classification (pooled output): same losses, weights and accuracy as without the cache', async () => {
    await compareCachedToUncached('classify', classifyData(160, 3), classifyData(40, 4), ['classifier.weight', 'classifier.bias']);
  });

  it('QA: same losses, weights and F1 as without the cache', async () => {
    // Not qa_outputs.bias: a softmax over positions ignores a shift shared by all of them, so its
    // gradient is zero up to rounding noise, which AdamW's normalization turns into lr-sized steps.
    await compareCachedToUncached('qa', qaData(160, 5), qaData(40, 6), ['qa_outputs.weight']);
  });

  it('NER on a wider model (4 layers, hidden 128): same results, and the cache saves the encoder pass', async () => {
    const dir = path.join(work, 'wide-model');
    const config = parseBertConfig({ ...JSON.parse(readFileSync(path.join(BASE, 'config.json'), 'utf8')), hidden_size: 128, num_hidden_layers: 4, intermediate_size: 512, num_attention_heads: 4, initializer_range: 0.05 });
    const tokenizerFiles = { 'tokenizer.json': readFileSync(path.join(BASE, 'tokenizer.json'), 'utf8') };
    await saveModelFolder(dir, { config, head: 'base', weights: initWeights(weightSpecs(config, 'base'), config, 3), tokenizerFiles, onnx: false });
    await compareCachedToUncached('ner', nerData(160, 1), nerData(40, 2), ['classifier.weight', 'classifier.bias'], dir);
  });

  it('evaluates at the end when no evaluation step came during training (cached and uncached)', async () => {
    for (const featureCache of [true, false]) {
      const result = await run(`ner-final-eval-${featureCache}`, {
        task: 'ner', modelDir: BASE, train: nerData(40, 10), eval: nerData(20, 11), trainLayers: 'head', featureCache,
        args: { learning_rate: 1e-2, num_train_epochs: 1, per_device_train_batch_size: 8, eval_steps: 1000, save_steps: 1000 },
      });
      expect(result.score, `featureCache ${featureCache}`).toBeGreaterThanOrEqual(0);
      expect(result.events.filter((e) => e.type === 'checkpoint')).toEqual([]);
    }
  });

  it('resumes a cached head-only run from a mid-epoch checkpoint bit-identically (dropout on)', async () => {
    const common = {
      task: 'ner' as const, modelDir: BASE, train: nerData(48, 12), trainLayers: 'head' as const, dropout: 0.2,
      args: { learning_rate: 1e-2, num_train_epochs: 2, per_device_train_batch_size: 8, save_steps: 4, seed: 13 },
    };
    const full = await run('resume-full', common);
    await run('resume-partial', { ...common, maxSteps: 4 });
    const resumed = await run('resume-resumed', { ...common, resumeFrom: path.join(work, 'resume-partial', 'checkpoint-4') });
    expect(resumed.losses).toEqual(full.losses.slice(4));
    for (const name of ['classifier.weight', 'classifier.bias']) {
      expect(Buffer.from(resumed.weights.get(name)!.buffer).equals(Buffer.from(full.weights.get(name)!.buffer)), name).toBe(true);
    }
  });

  it('with classifier dropout on, trains the head and leaves the encoder untouched', async () => {
    const result = await run('ner-dropout', {
      task: 'ner', modelDir: BASE, train: nerData(160, 7), eval: nerData(40, 8), trainLayers: 'head', dropout: 0.3,
      args: { learning_rate: 3e-2, num_train_epochs: 4, per_device_train_batch_size: 16, seed: 9 },
    });
    const early = result.losses.slice(0, 3).reduce((a, b) => a + b, 0) / 3;
    const late = result.losses.slice(-3).reduce((a, b) => a + b, 0) / 3;
    expect(late).toBeLessThan(early * 0.8);
    const initial = await readSafetensors(path.join(BASE, 'model.safetensors'));
    for (const name of ['bert.embeddings.word_embeddings.weight', 'bert.encoder.layer.0.attention.self.query.weight']) {
      expect(maxAbsDiff(result.weights.get(name)!, initial.float32(name))).toBe(0);
    }
  });
});
