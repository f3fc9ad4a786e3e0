import { isFloat } from '../dtype';
import type { DType } from '../dtype';
import type { Value } from '../graph';
import { defineGrad } from '../gradRegistry';
import { broadcastShapes } from '../shapes';
import { emit, scalarLike } from './emit';
import { sumToShape } from './reduce';

function binary(opType: string, a: Value, b: Value, dtype?: DType): Value {
  if (a.dtype !== b.dtype) throw new Error(`${opType}: ${a.name} is ${a.dtype} but ${b.name} is ${b.dtype}`);
  return emit(opType, [a, b], {}, { shape: broadcastShapes(a.shape, b.shape), dtype: dtype ?? a.dtype });
}

export const add = (a: Value, b: Value): Value => binary('Add', a, b);
export const sub = (a: Value, b: Value): Value => binary('Sub', a, b);
export const mul = (a: Value, b: Value): Value => binary('Mul', a, b);
export const div = (a: Value, b: Value): Value => binary('Div', a, b);
export const equal = (a: Value, b: Value): Value => binary('Equal', a, b, 'bool');
export const greater = (a: Value, b: Value): Value => binary('Greater', a, b, 'bool');
export const less = (a: Value, b: Value): Value => binary('Less', a, b, 'bool');

export const neg = (x: Value): Value => emit('Neg', [x]);
export const exp = (x: Value): Value => emit('Exp', [x]);
export const log = (x: Value): Value => emit('Log', [x]);
export const sqrt = (x: Value): Value => emit('Sqrt', [x]);
export const tanh = (x: Value): Value => emit('Tanh', [x]);
export const erf = (x: Value): Value => emit('Erf', [x]);
export const sigmoid = (x: Value): Value => emit('Sigmoid', [x]);
export const relu = (x: Value): Value => emit('Relu', [x]);
export const abs = (x: Value): Value => emit('Abs', [x]);
export const not = (x: Value): Value => emit('Not', [x]);
export const identity = (x: Value): Value => emit('Identity', [x]);

/** The same values, but no gradient flows back through this point (torch's `.detach()`). */
export function stopGradient(x: Value): Value {
  const out = emit('Identity', [x]);
  x.graph.stopGradientNodes.add(out.producer!);
  return out;
}

export function scale(x: Value, factor: number): Value {
  return mul(x, scalarLike(x, factor));
}

export function addScalar(x: Value, value: number): Value {
  return add(x, scalarLike(x, value));
}

export function cast(x: Value, dtype: DType): Value {
  if (x.dtype === dtype) return x;
  return emit('Cast', [x], { to: ({ float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 } as const)[dtype] }, { dtype });
}

export function where(condition: Value, a: Value, b: Value): Value {
  if (a.dtype !== b.dtype) throw new Error(`Where: branches are ${a.dtype} and ${b.dtype}`);
  return emit('Where', [condition, a, b], {}, { dtype: a.dtype, shape: broadcastShapes(condition.shape, broadcastShapes(a.shape, b.shape)) });
}

// ---- gradients ----

defineGrad('Identity', (_node, [g]) => [g!]);
defineGrad('Add', (node, [g], needed) => {
  const [a, b] = node.inputs as Value[];
  return [needed[0] ? sumToShape(g!, a!) : null, needed[1] ? sumToShape(g!, b!) : null];
});
defineGrad('Sub', (node, [g], needed) => {
  const [a, b] = node.inputs as Value[];
  return [needed[0] ? sumToShape(g!, a!) : null, needed[1] ? sumToShape(neg(g!), b!) : null];
});
defineGrad('Mul', (node, [g], needed) => {
  const [a, b] = node.inputs as Value[];
  return [needed[0] ? sumToShape(mul(g!, b!), a!) : null, needed[1] ? sumToShape(mul(g!, a!), b!) : null];
});
defineGrad('Div', (node, [g], needed) => {
  const [a, b] = node.inputs as Value[];
  const y = node.outputs[0]!;
  const gOverB = div(g!, b!);
  return [needed[0] ? sumToShape(gOverB, a!) : null, needed[1] ? sumToShape(neg(mul(gOverB, y)), b!) : null];
});
defineGrad('Neg', (_node, [g]) => [neg(g!)]);
defineGrad('Exp', (node, [g]) => [mul(g!, node.outputs[0]!)]);
defineGrad('Log', (node, [g]) => [div(g!, node.inputs[0]!)]);
defineGrad('Sqrt', (node, [g]) => [div(scale(g!, 0.5), node.outputs[0]!)]);
defineGrad('Tanh', (node, [g]) => {
  const y = node.outputs[0]!;
  return [mul(g!, sub(scalarLike(y, 1), mul(y, y)))];
});
defineGrad('Erf', (node, [g]) => {
  const x = node.inputs[0]!;
  return [mul(g!, scale(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
});
defineGrad('Sigmoid', (node, [g]) => {
  const y = node.outputs[0]!;
  return [mul(g!, mul(y, sub(scalarLike(y, 1), y)))];
});
defineGrad('Relu', (node, [g]) => {
  const x = node.inputs[0]!;
  return [where(greater(x, scalarLike(x, 0)), g!, scalarLike(g!, 0))];
});
defineGrad('Abs', (node, [g]) => {
  const x = node.inputs[0]!;
  return [where(less(x, scalarLike(x, 0)), neg(g!), g!)];
});
defineGrad('Cast', (node, [g]) => {
  const x = node.inputs[0]!;
  return [isFloat(x.dtype) ? cast(g!, x.dtype) : null];
});
defineGrad('Where', (node, [g], needed) => {
  const [condition, a, b] = node.inputs as Value[];
  const zero = scalarLike(g!, 0);
  return [
    null,
    needed[1] ? sumToShape(where(condition!, g!, zero), a!) : null,
    needed[2] ? sumToShape(where(condition!, zero, g!), b!) : null,
  ];
});
