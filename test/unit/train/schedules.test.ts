import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isScheduleType,
  lambdaFor,
  learningRateAt,
  learningRates,
  ScheduleError,
  warmupStepsFor,
  type LearningRateOptions,
} from '../../../src/core/train/schedules';

interface ReferenceCase {
  type: string;
  lr: number;
  steps: number;
  options: { warmup_steps?: number; warmup_ratio?: number; num_cycles?: number; power?: number; lr_end?: number; timescale?: number };
  num_warmup_steps: number;
  lrs: number[];
}

// Produced by torch.optim.lr_scheduler.LambdaLR with HF's λ functions: scripts/reference/make_schedule_refs.py.
const reference = JSON.parse(readFileSync(join(__dirname, '../../fixtures/train/schedules.json'), 'utf8')) as { cases: ReferenceCase[] };

function optionsOf(c: ReferenceCase): LearningRateOptions {
  if (!isScheduleType(c.type)) throw new Error(`fixture has unknown type ${c.type}`);
  return {
    type: c.type,
    lr: c.lr,
    numTrainingSteps: c.steps,
    numWarmupSteps: warmupStepsFor(c.steps, { warmupSteps: c.options.warmup_steps, warmupRatio: c.options.warmup_ratio }),
    numCycles: c.options.num_cycles,
    power: c.options.power,
    lrEnd: c.options.lr_end,
    timescale: c.options.timescale,
  };
}

describe('schedules against torch LambdaLR + HF λ', () => {
  it('covers every schedule type', () => {
    expect(new Set(reference.cases.map((c) => c.type)).size).toBe(7);
  });

  for (const c of reference.cases) {
    it(`${c.type} lr=${c.lr} steps=${c.steps} ${JSON.stringify(c.options)}`, () => {
      const options = optionsOf(c);
      expect(options.numWarmupSteps).toBe(c.num_warmup_steps);
      const ours = learningRates(c.steps, options);
      expect(ours).toHaveLength(c.lrs.length);
      for (let i = 0; i < ours.length; i++) {
        // Same formulas in IEEE double; only cos/pow may differ by an ulp between libm and V8.
        expect(Math.abs(ours[i]! - c.lrs[i]!)).toBeLessThanOrEqual(1e-15 * Math.abs(c.lrs[i]!) + 1e-300);
        expect(learningRateAt(i, options)).toBe(ours[i]);
      }
    });
  }
});

describe('schedule details', () => {
  it('warmup ratio rounds up as HF (ceil in floating point)', () => {
    expect(warmupStepsFor(50, { warmupRatio: 0.14 })).toBe(8); // 50 * 0.14 = 7.000000000000001
    expect(warmupStepsFor(10, { warmupRatio: 0.3 })).toBe(3);
    expect(warmupStepsFor(100, { warmupRatio: 0.06 })).toBe(6);
    expect(warmupStepsFor(100, { warmupSteps: 7, warmupRatio: 0.5 })).toBe(7);
    expect(warmupStepsFor(100, {})).toBe(0);
  });

  it('inverse_sqrt timescale defaults to warmup, or 10 000 without warmup', () => {
    expect(lambdaFor('inverse_sqrt', { numWarmupSteps: 4 })(16)).toBeCloseTo(0.5, 15);
    expect(lambdaFor('inverse_sqrt')(30_000)).toBeCloseTo(0.5, 15);
  });

  it('polynomial λ is relative to lr_init and ends at lr_end', () => {
    const options: LearningRateOptions = { type: 'polynomial', lr: 1e-3, numTrainingSteps: 10, lrEnd: 1e-4 };
    expect(learningRateAt(10, options)).toBeCloseTo(1e-4, 18);
    expect(learningRateAt(50, options)).toBeCloseTo(1e-4, 18);
    expect(learningRateAt(5, options)).toBeCloseTo(5.5e-4, 18);
  });

  it('rejects bad input with clear messages', () => {
    expect(() => learningRates(5, { type: 'polynomial', lr: 1e-7, numTrainingSteps: 5 })).toThrow(
      'lr_end (1e-7) must be smaller than initial lr (1e-7)',
    );
    expect(() => learningRates(5, { type: 'linear', lr: 1e-3 })).toThrow('linear schedule needs num_training_steps');
    expect(() => learningRates(5, { type: 'linear', lr: 0, numTrainingSteps: 5 })).toThrow('learning rate must be a positive number');
    expect(() => lambdaFor('cosine_with_restarts', { numTrainingSteps: 5, numCycles: 1.5 })).toThrow('integer ≥ 1');
    expect(() => lambdaFor('linear', { numTrainingSteps: 5, numWarmupSteps: -1 })).toThrow('num_warmup_steps must be an integer ≥ 0');
    expect(() => lambdaFor('inverse_sqrt', { timescale: 0 })).toThrow('timescale must be a positive number');
    expect(() => warmupStepsFor(10, { warmupRatio: 1.5 })).toThrow('warmup_ratio must be in [0, 1]');
    expect(() => lambdaFor('nope' as never)).toThrow(ScheduleError);
    // HF divides by zero here; we say why.
    expect(() => learningRateAt(3, { type: 'polynomial', lr: 1e-3, numTrainingSteps: 3, numWarmupSteps: 3 })).toThrow('undefined at step 3');
  });
});
