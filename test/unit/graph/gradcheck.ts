import type { DType } from '../../../src/core/graph/dtype';
import { gradients } from '../../../src/core/graph/autodiff';
import { Graph, type Shape, type Value } from '../../../src/core/graph/graph';
import * as op from '../../../src/core/graph/ops/index';
import { writeOnnx } from '../../../src/core/graph/onnxWriter';
import { createSession, tensor } from '../../../src/core/runtime/ort';

/** Small seeded generator (mulberry32) so gradient checks are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CheckInput {
  name: string;
  shape: number[];
  /** Symbolic dims in the graph signature, e.g. ['batch', 3]; defaults to `shape`. */
  graphShape?: Shape;
  dtype?: DType;
  data?: number[];
  /** Non-differentiable inputs (indices, masks) set this to false. */
  differentiable?: boolean;
}

export interface CheckResult {
  maxAbsError: number;
  maxRelError: number;
  analytic: number[][];
  numeric: number[][];
}

function arrayFor(dtype: DType, values: number[]): Float32Array | Float64Array | BigInt64Array | Uint8Array {
  if (dtype === 'float64') return Float64Array.from(values);
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'int64') return BigInt64Array.from(values.map((v) => BigInt(v)));
  return Uint8Array.from(values);
}

/**
 * Compares autodiff gradients of loss = Σ f(inputs) ⊙ R (R a random projection, so every output
 * element matters) with central finite differences of the same ONNX graph run by ORT.
 */
export async function gradCheck(
  inputs: CheckInput[],
  build: (values: Value[]) => Value,
  options: { dtype?: DType; eps?: number; seed?: number } = {},
): Promise<CheckResult> {
  const floatType = options.dtype ?? 'float64';
  const eps = options.eps ?? (floatType === 'float64' ? 1e-6 : 1e-2);
  const random = rng(options.seed ?? 1);
  const g = new Graph();
  const values = inputs.map((i) => g.input(i.name, i.dtype ?? floatType, i.graphShape ?? i.shape));
  const out = build(values);
  const outShape = out.shape.map((d) => {
    if (typeof d !== 'number') throw new Error('gradCheck: give the output a static shape (use a known shape in the test)');
    return d;
  });
  const projection = g.input('projection', floatType, out.shape);
  const loss = op.reduceSum(op.mul(out, projection), out.shape.map((_, i) => i));
  g.output(loss, 'loss');
  const differentiable = inputs.map((i, k) => [i, k] as const).filter(([i]) => i.differentiable !== false && (i.dtype ?? floatType) === floatType);
  const grads = gradients(loss, differentiable.map(([, k]) => values[k]!));
  grads.forEach((grad, j) => {
    if (!grad) throw new Error(`no gradient reached ${differentiable[j]![0].name}`);
    g.output(grad, `grad_${differentiable[j]![0].name}`);
  });
  const session = await createSession(writeOnnx(g), { graphOptimizationLevel: 'disabled' });

  const data = inputs.map((i) => i.data ?? Array.from({ length: i.shape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1));
  const projectionData = Array.from({ length: outShape.reduce((a, b) => a * b, 1) }, () => random() * 2 - 1);
  const feeds = (overrides: Map<number, number[]> = new Map()) => {
    const f: Record<string, ReturnType<typeof tensor>> = {};
    inputs.forEach((input, k) => {
      const dtype = input.dtype ?? floatType;
      f[input.name] = tensor(dtype, arrayFor(dtype, overrides.get(k) ?? data[k]!), input.shape);
    });
    f.projection = tensor(floatType, arrayFor(floatType, projectionData), outShape);
    return f;
  };

  const base = await session.run(feeds());
  const analytic = differentiable.map(([i]) => Array.from(base[`grad_${i.name}`]!.data as Float64Array, Number));
  const numeric: number[][] = [];
  for (const [input, k] of differentiable) {
    const column: number[] = [];
    for (let e = 0; e < data[k]!.length; e++) {
      const plus = [...data[k]!];
      const minus = [...data[k]!];
      plus[e]! += eps;
      minus[e]! -= eps;
      const lp = Number((await session.run(feeds(new Map([[k, plus]])))).loss!.data[0]);
      const lm = Number((await session.run(feeds(new Map([[k, minus]])))).loss!.data[0]);
      column.push((lp - lm) / (2 * eps));
    }
    numeric.push(column);
    void input;
  }
  let maxAbsError = 0;
  let maxRelError = 0;
  analytic.forEach((a, j) =>
    a.forEach((v, e) => {
      const n = numeric[j]![e]!;
      const abs = Math.abs(v - n);
      maxAbsError = Math.max(maxAbsError, abs);
      maxRelError = Math.max(maxRelError, abs / Math.max(1, Math.abs(n)));
    }),
  );
  return { maxAbsError, maxRelError, analytic, numeric };
}
