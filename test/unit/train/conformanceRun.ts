import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { parseBertConfig, type BertConfig } from '../../../src/core/bert/config';
import { headFromArchitecture, type HeadKind } from '../../../src/core/bert/heads';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { batchFeeds, type Batch } from '../../../src/core/train/batch';
import { Optimization } from '../../../src/core/train/optimization';
import { resolveTrainingArguments, type TrainingArguments } from '../../../src/core/train/trainingArguments';
import { buildTrainingGraph } from '../../../src/core/train/trainingGraph';
import { TrainingSession } from '../../../src/core/train/trainingSession';

/**
 * One conformance case: our trainer against PyTorch (scripts/reference/make_train_refs.py:
 * torch.optim.AdamW + LambdaLR with HF's λ + clip_grad_norm_, dropout off) on the same fixed batches
 * in `dir` (batches.json, log.json, final.safetensors): per-step losses, learning rates, gradient
 * norms and the final weights must agree to a relative error of 1e-4.
 *
 * Final weights are compared per tensor by the norm of the difference relative to the norm of the
 * reference (≤ 1e-4), and element by element within 5e-3 of the tensor's largest value: AdamW divides
 * by √v + eps, so an element whose gradient is near eps (a token seen once, far from any label)
 * amplifies float32 summation-order differences in its gradient. Parameters whose exact gradient is
 * zero (`zeroGradient`) have float gradients of rounding noise (~1e-9) that AdamW normalizes into
 * lr-sized steps of random sign, in torch as here, so they are only checked to stay within lr × steps
 * of their start.
 */
export const REL = 1e-4;

export interface Spec {
  model: string;
  problem_type?: string;
  trainable?: string[];
  training: Partial<TrainingArguments>;
  batches: Batch[];
}

export interface Log {
  steps: Array<{ step: number; loss: number; learning_rate: number; grad_norm: number }>;
  training: { num_training_steps: number };
  param_groups: { decay: string[]; no_decay: string[] };
  state_dict_keys?: string[];
}

export interface ConformanceOptions {
  /** The parameters that train, from the head's parameter names (default: all, or the spec's prefixes). */
  trainable?: (config: BertConfig, head: HeadKind) => Set<string>;
  /** The optimizer's arguments from the resolved training arguments (default: as they are). */
  optimizerArgs?: (args: TrainingArguments, config: BertConfig, head: HeadKind) => TrainingArguments;
  zeroGradient: (name: string, head: HeadKind, layers: number, config: BertConfig) => boolean;
}

function close(actual: number, expected: number, rel = REL): boolean {
  return Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-3);
}

export async function expectMatchesReference(dir: string, options: ConformanceOptions): Promise<{ config: BertConfig; head: HeadKind; weights: Map<string, Float32Array>; spec: Spec; log: Log; optimization: Optimization }> {
  const spec = JSON.parse(readFileSync(path.join(dir, 'batches.json'), 'utf8')) as Spec;
  const log = JSON.parse(readFileSync(path.join(dir, 'log.json'), 'utf8')) as Log;
  const modelDir = path.resolve(dir, spec.model);
  const raw = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = parseBertConfig({ ...raw, ...(spec.problem_type ? { problem_type: spec.problem_type } : {}) });
  const head = headFromArchitecture(config.architectures![0]!)!;
  const initial = await readSafetensors(path.join(modelDir, 'model.safetensors'));
  const weights = new Map(weightSpecs(config, head).map((s) => [s.name, initial.float32(s.name).slice()]));
  const candidates = options.trainable ? options.trainable(config, head) : new Set(weights.keys());
  const trainable = new Set([...candidates].filter((n) => !spec.trainable || spec.trainable.some((p) => n.startsWith(p))));

  const graph = buildTrainingGraph({ config, head, trainable, weights: (n) => weights.get(n)! });
  const session = await TrainingSession.create(graph);
  const args = resolveTrainingArguments({ ...spec.training, num_train_epochs: spec.training.num_train_epochs ?? 1 });
  const perEpoch = Math.max(1, Math.floor(spec.batches.length / args.gradient_accumulation_steps));
  const total = perEpoch * args.num_train_epochs;
  expect(total).toBe(log.training.num_training_steps);
  const params = new Map([...trainable].map((n) => [n, weights.get(n)!]));
  const optimization = Optimization.create(params, options.optimizerArgs ? options.optimizerArgs(args, config, head) : args, total);

  const steps: Array<{ loss: number; learning_rate: number; grad_norm: number }> = [];
  let micro: number[] = [];
  for (let epoch = 0; epoch < args.num_train_epochs; epoch++) {
    for (const batch of spec.batches) {
      const result = await session.run(batchFeeds(graph, config, batch), params);
      optimization.accumulate(result.grads);
      micro.push(result.loss);
      if (micro.length === args.gradient_accumulation_steps) {
        const report = optimization.apply();
        steps.push({ loss: micro.reduce((a, b) => a + b, 0) / micro.length, learning_rate: report.learningRate, grad_norm: report.gradNorm });
        micro = [];
      }
    }
  }
  await session.release();

  expect(steps.length).toBe(log.steps.length);
  steps.forEach((step, i) => {
    const expected = log.steps[i]!;
    expect(close(step.learning_rate, expected.learning_rate, 1e-9), `lr of step ${i + 1}: ${step.learning_rate} vs ${expected.learning_rate}`).toBe(true);
    expect(close(step.loss, expected.loss), `loss of step ${i + 1}: ${step.loss} vs ${expected.loss}`).toBe(true);
    expect(close(step.grad_norm, expected.grad_norm), `grad_norm of step ${i + 1}: ${step.grad_norm} vs ${expected.grad_norm}`).toBe(true);
  });
  const final = await readSafetensors(path.join(dir, 'final.safetensors'));
  for (const tensorName of final.names()) {
    const expected = final.float32(tensorName);
    const actual = weights.get(tensorName)!;
    expect(actual, tensorName).toBeDefined();
    if (options.zeroGradient(tensorName, head, config.num_hidden_layers, config)) {
      const start = initial.float32(tensorName);
      const bound = 1.01 * args.learning_rate * steps.length;
      actual.forEach((v, i) => expect(Math.abs(v - start[i]!)).toBeLessThanOrEqual(bound));
      continue;
    }
    let diff = 0;
    let norm = 0;
    let largest = 0;
    let worstElement = 0;
    for (let i = 0; i < expected.length; i++) {
      diff += (actual[i]! - expected[i]!) ** 2;
      norm += expected[i]! ** 2;
      largest = Math.max(largest, Math.abs(expected[i]!));
      worstElement = Math.max(worstElement, Math.abs(actual[i]! - expected[i]!));
    }
    expect(Math.sqrt(diff / Math.max(norm, 1e-30)), `relative error of ${tensorName}`).toBeLessThan(REL);
    expect(worstElement / Math.max(largest, 1e-6), `worst element of ${tensorName}`).toBeLessThan(5e-3);
  }
  return { config, head, weights, spec, log, optimization };
}
