import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdamW, DEFAULT_NO_DECAY, groupParameters, OptimizerError } from '../../../src/core/train/adamw';
import { clipGradNorm, torchNorm2 } from '../../../src/core/train/clip';
import { learningRateAt } from '../../../src/core/train/schedules';

// Real torch.optim.AdamW + clip_grad_norm_ + LambdaLR(HF linear λ): scripts/reference/make_adamw_refs.py.
interface Fixture {
  shapes: Record<string, number[]>;
  lr: number;
  weight_decay: number;
  betas: [number, number];
  eps: number;
  max_grad_norm: number;
  no_decay: string[];
  schedule: { name: 'linear'; num_warmup_steps: number; num_training_steps: number };
  initial: Record<string, string>;
  steps: { lr: number; grads: Record<string, string>; grad_norm: number }[];
  params_after_half: Record<string, string>;
  final: Record<string, string>;
  exp_avg: Record<string, string>;
  exp_avg_sq: Record<string, string>;
  step_counts: Record<string, number>;
  norm_checks: { n: number; norm: number }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/train/adamw.json'), 'utf8')) as Fixture;

function decode(b64: string): Float32Array {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function decodeAll(record: Record<string, string>): Map<string, Float32Array> {
  return new Map(Object.entries(record).map(([name, b64]) => [name, decode(b64)]));
}

/** Largest |a−b| / max(|b|, 1e-30) over all values (with 1e-30 guarding exact zeros). */
function maxRelErr(ours: ReadonlyMap<string, Float32Array>, expected: ReadonlyMap<string, Float32Array>): number {
  let worst = 0;
  for (const [name, want] of expected) {
    const got = ours.get(name)!;
    expect(got.length, name).toBe(want.length);
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / Math.max(Math.abs(want[i]!), 1e-30));
  }
  return worst;
}

/** Runs fixture steps [from, to) and returns the pre-clip norms. */
function run(optimizer: AdamW, params: Map<string, Float32Array>, from: number, to: number): number[] {
  const norms: number[] = [];
  for (let step = from; step < to; step++) {
    const grads = decodeAll(fixture.steps[step]!.grads);
    const lr = learningRateAt(step, {
      type: fixture.schedule.name,
      lr: fixture.lr,
      numWarmupSteps: fixture.schedule.num_warmup_steps,
      numTrainingSteps: fixture.schedule.num_training_steps,
    });
    expect(lr).toBe(fixture.steps[step]!.lr);
    const clip = clipGradNorm(grads, fixture.max_grad_norm);
    expect(clip.finite).toBe(true);
    norms.push(clip.totalNorm);
    optimizer.step(params, grads, lr);
  }
  return norms;
}

function newOptimizer(params: Map<string, Float32Array>): AdamW {
  return new AdamW(params, { weightDecay: fixture.weight_decay, betas: fixture.betas, eps: fixture.eps, noDecay: fixture.no_decay });
}

describe('AdamW + clip_grad_norm_ against torch 1.13', () => {
  it('groups parameters like the HF examples', () => {
    expect(DEFAULT_NO_DECAY).toEqual(fixture.no_decay);
    const [decay, noDecay] = groupParameters(Object.keys(fixture.shapes));
    expect(decay!.weightDecay).toBe(0.01);
    expect(decay!.names).toEqual([
      'bert.embeddings.word_embeddings.weight',
      'bert.encoder.layer.0.attention.self.query.weight',
      'bert.encoder.layer.0.intermediate.dense.weight',
      'classifier.weight',
      'bert.pooler.dense.weight',
    ]);
    expect(noDecay!.weightDecay).toBe(0);
    expect(noDecay!.names).toHaveLength(5);
  });

  it('follows 20 torch steps (two groups, warmup + linear decay, clipping, skipped grads) to the bit', () => {
    const params = decodeAll(fixture.initial);
    const optimizer = newOptimizer(params);
    const norms = run(optimizer, params, 0, fixture.steps.length);
    // grad_norm: same float32 kernel emulation as torch, so exact.
    expect(norms).toEqual(fixture.steps.map((s) => s.grad_norm));
    // Parameters and moments: the stated tolerance is 1e-6 relative; on this fixture the match is exact.
    expect(maxRelErr(params, decodeAll(fixture.final))).toBeLessThanOrEqual(1e-6);
    const snapshot = optimizer.snapshot();
    const moments = (kind: string) => new Map([...snapshot.tensors].filter(([k]) => k.endsWith(`.${kind}`)).map(([k, v]) => [k.slice(0, -kind.length - 1), v]));
    expect(maxRelErr(moments('exp_avg'), decodeAll(fixture.exp_avg))).toBeLessThanOrEqual(1e-6);
    expect(maxRelErr(moments('exp_avg_sq'), decodeAll(fixture.exp_avg_sq))).toBeLessThanOrEqual(1e-6);
    expect(maxRelErr(params, decodeAll(fixture.final))).toBe(0);
    for (const [name, count] of Object.entries(fixture.step_counts)) expect(optimizer.stepOf(name), name).toBe(count);
  });

  it('resumes bit-identically from a snapshot', () => {
    const params = decodeAll(fixture.initial);
    const first = newOptimizer(params);
    const half = fixture.steps.length / 2;
    run(first, params, 0, half);
    expect(maxRelErr(params, decodeAll(fixture.params_after_half))).toBe(0);
    const snapshot = first.snapshot();
    // A round trip through JSON and bytes, as a checkpoint file would do.
    const { tensors, ...meta } = snapshot;
    const resumed = AdamW.fromSnapshot({
      ...(JSON.parse(JSON.stringify(meta)) as typeof meta),
      tensors: new Map([...tensors].map(([k, v]) => [k, new Float32Array(v.buffer.slice(0))])),
    });
    first.step(params, new Map(), 1); // the snapshot is a copy: later use of the original cannot leak into it
    run(resumed, params, half, fixture.steps.length);
    expect(maxRelErr(params, decodeAll(fixture.final))).toBe(0);
  });

  it('computes float32 norms as torch does, also on long vectors', () => {
    for (const check of fixture.norm_checks) {
      const values = new Float32Array(check.n);
      for (let i = 0; i < check.n; i++) values[i] = (((i * 7919) % 1000) - 500) / 337;
      expect(torchNorm2(values), `n=${check.n}`).toBe(check.norm);
    }
  });
});

describe('clipping and optimizer edge cases', () => {
  it('clips to max_norm and leaves small gradients untouched', () => {
    const big = new Float32Array([3, 4]);
    const result = clipGradNorm([big], 1);
    expect(result.totalNorm).toBe(5);
    expect(result.clipCoef).toBeCloseTo(1 / (5 + 1e-6), 7);
    expect(Math.hypot(big[0]!, big[1]!)).toBeCloseTo(1, 6);
    const small = new Float32Array([0.3, 0.4]);
    expect(clipGradNorm([small], 1).clipCoef).toBe(1);
    expect([...small]).toEqual([Math.fround(0.3), Math.fround(0.4)]);
  });

  it('reports a non-finite norm and leaves the gradients as they are', () => {
    const grads = new Map([
      ['a', new Float32Array([1, Number.NaN])],
      ['b', new Float32Array([2])],
    ]);
    const result = clipGradNorm(grads, 1);
    expect(result.finite).toBe(false);
    expect(Number.isNaN(result.totalNorm)).toBe(true);
    expect(grads.get('b')![0]).toBe(2);
    expect(clipGradNorm([new Float32Array([3e38, 3e38])], 1).totalNorm).toBe(Infinity);
    expect(() => clipGradNorm([], 0)).toThrow('max_grad_norm must be a positive number');
  });

  it('rejects mismatched names and sizes with messages that name the parameter', () => {
    const params = new Map([['classifier.weight', new Float32Array(4)]]);
    const optimizer = new AdamW(params);
    expect(() => optimizer.step(params, new Map([['classifier.bias', new Float32Array(1)]]), 1e-3)).toThrow(
      'gradient for classifier.bias, which is not a parameter of this optimizer',
    );
    expect(() => optimizer.step(params, new Map([['classifier.weight', new Float32Array(3)]]), 1e-3)).toThrow(
      'classifier.weight: parameter has 4 values, gradient 3',
    );
    expect(() => optimizer.step(params, new Map(), Number.NaN)).toThrow(OptimizerError);
    expect(() => new AdamW(params, { betas: [1, 0.999] })).toThrow('beta1 must be in [0, 1)');
    expect(() => new AdamW(params, { groups: [{ weightDecay: 0, names: ['x'] }] })).toThrow('not a parameter');
  });
});
