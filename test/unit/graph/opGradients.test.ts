import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/core/graph/graph';
import * as op from '../../../src/core/graph/ops/index';
import { gradCheck, type CheckInput } from './gradcheck';

// Gradient rules against central finite differences. float64 (eps 1e-6) gives errors near 1e-9, so
// 1e-6 is a tight bound; Erf has no float64 kernel in ORT CPU and is checked in float32 (eps 1e-2,
// truncation error O(eps²) ≈ 1e-4), with tolerance 2e-3.
const F64_TOL = 1e-6;

async function expectGrad(inputs: CheckInput[], build: (v: Value[]) => Value, options?: Parameters<typeof gradCheck>[2], tol = F64_TOL) {
  const result = await gradCheck(inputs, build, options);
  expect(result.maxRelError).toBeLessThan(tol);
  // The check must exercise real gradients, not zeros.
  expect(result.analytic.flat().some((v) => Math.abs(v) > 1e-3)).toBe(true);
}

const positive = (n: number, seed = 3) => Array.from({ length: n }, (_, i) => 0.5 + ((i * 7 + seed) % 11) / 7);

describe('elementwise gradients', () => {
  it('Add/Sub/Mul/Div with broadcasting back to each operand', async () => {
    const inputs = [{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4] }, { name: 'c', shape: [2, 1, 4] }, { name: 'd', shape: [3, 1], data: positive(3) }];
    await expectGrad(inputs, ([a, b, c, d]) => op.div(op.sub(op.mul(op.add(a!, b!), c!), b!), d!));
  });
  it('Neg, Exp, Log, Sqrt, Tanh, Sigmoid, Abs, Relu', async () => {
    const x = [{ name: 'x', shape: [2, 5], data: positive(10).map((v, i) => (i % 2 ? v : -v)) }];
    await expectGrad(x, ([v]) => op.neg(op.exp(op.scale(v!, 0.3))));
    await expectGrad([{ name: 'x', shape: [6], data: positive(6) }], ([v]) => op.add(op.log(v!), op.sqrt(v!)));
    await expectGrad(x, ([v]) => op.add(op.tanh(v!), op.sigmoid(v!)));
    await expectGrad(x, ([v]) => op.add(op.abs(v!), op.relu(v!)));
  });
  it('Erf (float32: no float64 kernel in ORT)', async () => {
    await expectGrad([{ name: 'x', shape: [8] }], ([v]) => op.erf(v!), { dtype: 'float32', eps: 1e-2 }, 2e-3);
  });
  it('Where routes the gradient by the condition', async () => {
    await expectGrad([{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [4] }], ([a, b]) => op.where(op.greater(a!, op.scalarLike(a!, 0)), a!, b!));
  });
});

describe('linear algebra gradients', () => {
  it('MatMul: 2-d, batched 4-d, and a 3-d activation times a shared 2-d weight', async () => {
    await expectGrad([{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [4, 2] }], ([a, b]) => op.matmul(a!, b!));
    await expectGrad([{ name: 'a', shape: [2, 2, 3, 4] }, { name: 'b', shape: [2, 2, 4, 3] }], ([a, b]) => op.matmul(a!, b!));
    await expectGrad([{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [4, 5] }], ([a, b]) => op.matmul(a!, b!));
    await expectGrad([{ name: 'a', shape: [2, 3, 4] }, { name: 'b', shape: [1, 4, 5] }], ([a, b]) => op.matmul(a!, b!));
  });
  it('Gemm with every transpose combination, alpha, beta and a broadcast bias', async () => {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = { name: 'a', shape: transA ? [4, 3] : [3, 4] };
        const b = { name: 'b', shape: transB ? [5, 4] : [4, 5] };
        await expectGrad([a, b, { name: 'c', shape: [5] }], ([x, y, c]) => op.gemm(x!, y!, c!, { transA, transB, alpha: 0.7, beta: 1.3 }));
      }
    }
  });
  it('linear (HF nn.Linear) on a batch with symbolic batch and sequence dims', async () => {
    const inputs = [{ name: 'x', shape: [2, 3, 4], graphShape: ['batch', 'seq', 4] }, { name: 'w', shape: [5, 4] }, { name: 'b', shape: [5] }];
    await expectGrad(inputs, ([x, w, b]) => op.reshape(op.linear(x!, w!, b!), [2, 3, 5]));
  });
});

describe('shape gradients', () => {
  it('Reshape, Transpose, Unsqueeze, Squeeze, Expand, Concat', async () => {
    await expectGrad([{ name: 'x', shape: [2, 6] }], ([x]) => op.transpose(op.reshape(x!, [2, 3, 2]), [2, 0, 1]));
    await expectGrad([{ name: 'x', shape: [2, 3] }], ([x]) => op.squeeze(op.unsqueeze(x!, [0, 3]), [0]));
    await expectGrad([{ name: 'x', shape: [3, 1] }], ([x]) => op.expand(x!, x!.graph.ints([2, 3, 4]), [2, 3, 4]));
    await expectGrad([{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [2, 2] }], ([a, b]) => op.concat([a!, b!], 1));
  });
  it('Gather accumulates repeated indices (embedding rows) and selects along axis 1 ([CLS])', async () => {
    const table = { name: 'table', shape: [5, 3] };
    const ids = { name: 'ids', shape: [2, 3], dtype: 'int64' as const, data: [1, 4, 1, 0, 1, 2], differentiable: false };
    await expectGrad([table, ids], ([t, i]) => op.gather(t!, i!, 0));
    await expectGrad([{ name: 'h', shape: [2, 4, 3] }, { name: 'zero', shape: [], dtype: 'int64', data: [0], differentiable: false }], ([h, z]) => op.gather(h!, z!, 1));
  });
  it('GatherElements picks one logit per row', async () => {
    const labels = { name: 'labels', shape: [3, 1], dtype: 'int64' as const, data: [2, 0, 3], differentiable: false };
    await expectGrad([{ name: 'logits', shape: [3, 4] }, labels], ([l, y]) => op.gatherElements(l!, y!, 1));
  });
});

describe('reduction and normalization gradients', () => {
  it('ReduceSum and ReduceMean with and without keepdims', async () => {
    await expectGrad([{ name: 'x', shape: [2, 3, 4] }], ([x]) => op.reduceSum(x!, [1]));
    await expectGrad([{ name: 'x', shape: [2, 3, 4] }], ([x]) => op.reduceMean(x!, [0, 2], true));
  });
  it('Softmax and LogSoftmax', async () => {
    await expectGrad([{ name: 'x', shape: [2, 5] }], ([x]) => op.softmax(x!, -1));
    await expectGrad([{ name: 'x', shape: [3, 2, 4] }], ([x]) => op.logSoftmax(x!, 1));
  });
  it('LayerNormalization with weight and bias', async () => {
    const inputs = [{ name: 'x', shape: [2, 3, 6] }, { name: 'w', shape: [6] }, { name: 'b', shape: [6] }];
    await expectGrad(inputs, ([x, w, b]) => op.layerNorm(x!, w!, b!, 1e-5));
    // float32 uses ORT's saved mean/inverse-std outputs instead of recomputing them.
    await expectGrad(inputs, ([x, w, b]) => op.layerNorm(x!, w!, b!, 1e-5), { dtype: 'float32', eps: 1e-2 }, 2e-3);
  });
  it('GELU (tanh form in float64, erf form in float32) and dropout with a given mask', async () => {
    await expectGrad([{ name: 'x', shape: [10] }], ([x]) => op.geluTanh(op.scale(x!, 3)));
    await expectGrad([{ name: 'x', shape: [10] }], ([x]) => op.geluErf(op.scale(x!, 3)), { dtype: 'float32', eps: 1e-2 }, 2e-3);
    const mask = { name: 'mask', shape: [6], dtype: 'bool' as const, data: [1, 0, 1, 1, 0, 1], differentiable: false };
    await expectGrad([{ name: 'x', shape: [6] }, mask], ([x, m]) => op.dropout(x!, m!, 0.25));
  });
});
