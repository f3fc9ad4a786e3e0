import type { Value } from '../graph';
import { defineGrad } from '../gradRegistry';
import { normalizeAxis } from '../shapes';
import { emit, scalarLike } from './emit';
import { add, addScalar, div, erf, exp, mul, scale, sqrt, sub, tanh, where } from './elementwise';
import { reduceMean, reduceSum } from './reduce';

export function softmax(x: Value, axis = -1): Value {
  return emit('Softmax', [x], { axis: normalizeAxis(axis, x.shape.length) });
}

export function logSoftmax(x: Value, axis = -1): Value {
  return emit('LogSoftmax', [x], { axis: normalizeAxis(axis, x.shape.length) });
}

/**
 * LayerNorm over the last axis (torch.nn.LayerNorm). Mean and inverse standard deviation are
 * requested as extra outputs so that the gradient reuses them instead of recomputing.
 */
export function layerNorm(x: Value, weight: Value, bias: Value, eps: number): Value {
  const rank = x.shape.length;
  const attrs = { axis: rank - 1, epsilon: { float: eps } };
  if (x.dtype === 'float64') {
    // ORT CPU has no float64 kernel with float64 statistics; the gradient recomputes them instead.
    return x.graph.node('LayerNormalization', [x, weight, bias], [{ dtype: x.dtype, shape: x.shape }], attrs)[0]!;
  }
  const statShape = [...x.shape.slice(0, -1), 1];
  const [y] = x.graph.node(
    'LayerNormalization',
    [x, weight, bias],
    [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'float32', shape: statShape },
      { dtype: 'float32', shape: statShape },
    ],
    attrs,
  );
  return y!;
}

/** Exact GELU as in HF ACT2FN["gelu"]: 0.5·x·(1 + erf(x/√2)). */
export function geluErf(x: Value): Value {
  return mul(scale(x, 0.5), add(scalarLike(x, 1), erf(scale(x, Math.SQRT1_2))));
}

/** HF "gelu_new" / "gelu_pytorch_tanh": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: Value): Value {
  const cube = mul(mul(x, x), x);
  const inner = scale(add(x, scale(cube, 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(scale(x, 0.5), add(scalarLike(x, 1), tanh(inner)));
}

/** SiLU / swish: x·sigmoid(x). */
export function silu(x: Value): Value {
  return mul(x, emit('Sigmoid', [x]));
}

/**
 * Inverted dropout with a keep-mask supplied by the caller (bool, true = keep): kept values are
 * scaled by 1/(1-p). The trainer draws the masks from its own seeded generator, so runs are
 * reproducible and resume bit-identically.
 */
export function dropout(x: Value, keepMask: Value, p: number): Value {
  if (p <= 0) return x;
  return where(keepMask, scale(x, 1 / (1 - p)), scalarLike(x, 0));
}

// ---- gradients ----

defineGrad('Softmax', (node, [g]) => {
  const y = node.outputs[0]!;
  const axis = node.attrs.axis as number;
  const dot = reduceSum(mul(g!, y), [axis], true);
  return [mul(y, sub(g!, dot))];
});

defineGrad('LogSoftmax', (node, [g]) => {
  const y = node.outputs[0]!;
  const axis = node.attrs.axis as number;
  return [sub(g!, mul(exp(y), reduceSum(g!, [axis], true)))];
});

defineGrad('LayerNormalization', (node, [g], needed) => {
  const [x, weight] = node.inputs as Value[];
  const axis = x!.shape.length - 1;
  let mean: Value;
  let invStd: Value;
  if (node.outputs.length === 3) {
    mean = node.outputs[1]!;
    invStd = node.outputs[2]!;
  } else {
    mean = reduceMean(x!, [axis], true);
    const centered = sub(x!, mean);
    const eps = (node.attrs.epsilon as { float: number }).float;
    invStd = div(scalarLike(x!, 1), sqrt(addScalar(reduceMean(mul(centered, centered), [axis], true), eps)));
  }
  const xHat = mul(sub(x!, mean), invStd);
  const leading = Array.from({ length: axis }, (_, i) => i);
  let gx: Value | null = null;
  if (needed[0]) {
    const gScaled = mul(g!, weight!);
    const meanG = reduceMean(gScaled, [axis], true);
    const meanGX = reduceMean(mul(gScaled, xHat), [axis], true);
    gx = mul(invStd, sub(sub(gScaled, meanG), mul(xHat, meanGX)));
  }
  const gWeight = needed[1] ? reduceSum(mul(g!, xHat), leading, false) : null;
  const gBias = needed[2] ? reduceSum(g!, leading, false) : null;
  return [gx, gWeight, gBias];
});
