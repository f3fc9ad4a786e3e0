import type { Shape, Value } from '../graph';
import { defineGrad } from '../gradRegistry';
import { broadcastAxes, normalizeAxis, sameShape } from '../shapes';
import { emit } from './emit';
import { expand, reshapeLike, shapeOf } from './shape';

function reducedShape(shape: Shape, axes: number[], keepdims: boolean): Shape {
  const set = new Set(axes);
  const out: Shape = [];
  shape.forEach((d, i) => {
    if (!set.has(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

function reduce(opType: string, x: Value, axes: number[], keepdims: boolean): Value {
  const normalized = axes.map((a) => normalizeAxis(a, x.shape.length)).sort((a, b) => a - b);
  return emit(opType, [x, x.graph.ints(normalized, 'axes')], { keepdims: keepdims ? 1 : 0 }, { shape: reducedShape(x.shape, normalized, keepdims) });
}

export const reduceSum = (x: Value, axes: number[], keepdims = false): Value => reduce('ReduceSum', x, axes, keepdims);

/** Reductions other than ReduceSum take axes as an attribute up to opset 17. */
function reduceWithAttr(opType: string, x: Value, axes: number[], keepdims: boolean): Value {
  const normalized = axes.map((a) => normalizeAxis(a, x.shape.length)).sort((a, b) => a - b);
  return emit(opType, [x], { axes: normalized, keepdims: keepdims ? 1 : 0 }, { shape: reducedShape(x.shape, normalized, keepdims) });
}

export const reduceMax = (x: Value, axes: number[], keepdims = false): Value => reduceWithAttr('ReduceMax', x, axes, keepdims);
export const reduceMean = (x: Value, axes: number[], keepdims = false): Value => reduceWithAttr('ReduceMean', x, axes, keepdims);

/** Sums a broadcast gradient back to the shape of the operand it flowed from. */
export function sumToShape(grad: Value, operand: Value): Value {
  if (sameShape(grad.shape, operand.shape)) return grad;
  const { reduce: axes, dropLeading } = broadcastAxes(operand.shape, grad.shape);
  if (axes.length === 0) return grad;
  let summed = reduceSum(grad, axes, true);
  if (dropLeading > 0) summed = reshapeLike(summed, operand);
  return summed;
}

function axesOf(x: Value, node: { inputs: ReadonlyArray<Value | null>; attrs: Readonly<Record<string, unknown>> }): number[] {
  const attr = node.attrs.axes;
  if (Array.isArray(attr)) return attr as number[];
  const axesValue = node.inputs[1];
  if (!axesValue) return x.shape.map((_, i) => i);
  const init = x.graph.initializers.find((i) => i.value === axesValue);
  if (!init) throw new Error('reduction gradients need constant axes');
  return Array.from(init.tensor.data as BigInt64Array, Number);
}

/** Broadcasts a reduced gradient back over the reduced axes of x. */
function unreduce(g: Value, x: Value, axes: number[], keepdims: boolean): Value {
  let kept = g;
  if (!keepdims) {
    const normalized = axes.map((a) => normalizeAxis(a, x.shape.length)).sort((a, b) => a - b);
    kept = emit('Unsqueeze', [g, g.graph.ints(normalized, 'axes')], {}, { shape: reducedShape(x.shape, normalized, true) });
  }
  return expand(kept, shapeOf(x), x.shape);
}

defineGrad('ReduceSum', (node, [g]) => {
  const x = node.inputs[0]!;
  return [unreduce(g!, x, axesOf(x, node), node.attrs.keepdims !== 0), null];
});

defineGrad('ReduceMean', (node, [g]) => {
  const x = node.inputs[0]!;
  const axes = axesOf(x, node);
  const counts = axes.map((a) => x.shape[normalizeAxis(a, x.shape.length)]);
  const expanded = unreduce(g!, x, axes, node.attrs.keepdims !== 0);
  if (counts.every((c): c is number => typeof c === 'number')) {
    return [emit('Mul', [expanded, x.graph.scalar(1 / counts.reduce((a, b) => a * b, 1), x.dtype)])];
  }
  // Symbolic reduced dims: divide by the run-time element counts.
  const sizeOut = emit('Size', [g!], {}, { dtype: 'int64', shape: [] });
  const sizeIn = emit('Size', [x], {}, { dtype: 'int64', shape: [] });
  const ratio = emit('Div', [emit('Cast', [sizeOut], { to: x.dtype === 'float64' ? 11 : 1 }, { dtype: x.dtype }), emit('Cast', [sizeIn], { to: x.dtype === 'float64' ? 11 : 1 }, { dtype: x.dtype })]);
  return [emit('Mul', [expanded, ratio], {}, { shape: x.shape })];
});
