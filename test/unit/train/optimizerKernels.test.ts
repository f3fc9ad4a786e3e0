import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileWat, OPTIMIZER_WAT } from '../../../scripts/wasmSource';
import { adamwUpdateScalar } from '../../../src/core/train/adamw';
import { torchNorm2, torchNorm2Scalar } from '../../../src/core/train/clip';
import { optimizerKernels, type AdamWScalars } from '../../../src/core/train/kernels/optimizerKernels';
import { OPTIMIZER_WASM_BASE64 } from '../../../src/core/train/kernels/optimizerWasm';
import { Random } from '../../../src/core/util/random';

// The WebAssembly SIMD loops must give the bits of the JavaScript reference loops (which
// adamw.test.ts checks against PyTorch), on lengths that cross the kernels' chunks and on values
// where float32 rounding and the emulated fused multiply-adds matter.

/** Gradient-like values over many magnitudes, with zeros, subnormals and exact ties mixed in. */
function values(n: number, random: Random, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = random.int(20);
    if (kind === 0) out[i] = 0;
    else if (kind === 1) out[i] = (random.next() - 0.5) * 1e-39; // subnormal
    else if (kind === 2) out[i] = 2 ** (random.int(40) - 20);
    else out[i] = (random.next() - 0.5) * scale * 10 ** (random.int(9) - 6);
  }
  return out;
}

describe('optimizer kernels', () => {
  it('are the committed compilation of optimizer.wat', async () => {
    const compiled = await compileWat(readFileSync(OPTIMIZER_WAT, 'utf8'));
    expect(Buffer.from(compiled).toString('base64'), 'run `npx tsx scripts/build-wasm.ts`').toBe(OPTIMIZER_WASM_BASE64);
  });

  it('load in Node (WebAssembly SIMD)', () => {
    expect(optimizerKernels()).not.toBeNull();
  });

  it.each([1, 7, 8, 65_536, 65_536 * 2 + 13])('AdamW over %i values equals the JavaScript loop bit for bit', (n) => {
    const kernels = optimizerKernels()!;
    const random = new Random(n);
    const fround = Math.fround;
    for (const [lr, weightDecay, step, gradScale] of [[1e-3, 0.01, 1, 1], [5e-5, 0, 7, 0.37], [0.3, 0.1, 1000, 1e-3]] as const) {
      const scalars: AdamWScalars = {
        decay: fround(1 - lr * weightDecay), beta1: fround(0.9), beta2: fround(0.999), oneMinusBeta1: fround(1 - 0.9), oneMinusBeta2: fround(1 - 0.999),
        biasCorrection2Sqrt: fround(Math.sqrt(1 - 0.999 ** step)), negStepSize: fround(-(lr / (1 - 0.9 ** step))), eps: fround(1e-8), gradScale: fround(gradScale),
      };
      const param = values(n, random, 1);
      const grad = values(n, random, 10);
      const expAvg = values(n, random, 1);
      const expAvgSq = values(n, random, 1).map(Math.abs);
      const expected = [param.slice(), expAvg.slice(), expAvgSq.slice()] as const;
      adamwUpdateScalar(expected[0], grad, expected[1], expected[2], scalars);
      kernels.adamw(param, grad, expAvg, expAvgSq, scalars);
      expect(Buffer.from(param.buffer).equals(Buffer.from(expected[0].buffer))).toBe(true);
      expect(Buffer.from(expAvg.buffer).equals(Buffer.from(expected[1].buffer))).toBe(true);
      expect(Buffer.from(expAvgSq.buffer).equals(Buffer.from(expected[2].buffer))).toBe(true);
      // The update moved the parameters: the comparison is not between two untouched copies.
      expect(param.some((p, i) => p !== values(n, new Random(n), 1)[i])).toBe(true);
    }
  });

  it.each([0, 5, 8, 65_536 + 8, 65_536 * 3 + 7])('torch\'s float32 norm over %i values equals the JavaScript loop', (n) => {
    const x = values(n, new Random(n + 1), 100);
    expect(torchNorm2(x)).toBe(torchNorm2Scalar(x));
  });
});
