import type { Dim, Shape, Value } from '../graph';
import { defineGrad } from '../gradRegistry';
import { normalizeAxis } from '../shapes';
import { emit } from './emit';
// reduce.ts imports this file too; the cycle is safe because both only call each other inside functions.
import { sumToShape } from './reduce';

function product(dims: Dim[]): Dim {
  if (dims.every((d): d is number => typeof d === 'number')) return dims.reduce((a, b) => a * b, 1);
  return dims.filter((d) => d !== 1).join('*');
}

/** The run-time shape of x as a 1-d int64 tensor. */
export function shapeOf(x: Value): Value {
  return emit('Shape', [x], {}, { dtype: 'int64', shape: [x.shape.length] });
}

/**
 * Reshape to constant dims with ONNX semantics: 0 copies the input dim at that index and -1 takes
 * the rest, so [0, 0, heads, size] splits the hidden axis without knowing batch or sequence length.
 */
export function reshape(x: Value, dims: number[]): Value {
  const out: Dim[] = dims.map((d, i) => (d === 0 ? x.shape[i]! : d));
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    const known = out.filter((_, i) => i !== inferred);
    const total = product(x.shape);
    if (typeof total === 'number' && known.every((d): d is number => typeof d === 'number')) {
      out[inferred] = total / known.reduce((a, b) => a * b, 1);
    } else {
      const kept = new Set(known.map(String));
      out[inferred] = product(x.shape.filter((d) => !kept.has(String(d))));
    }
  }
  return emit('Reshape', [x, x.graph.ints(dims, 'shape')], {}, { shape: out });
}

/** Reshape to a run-time shape tensor; `staticShape` is what the IR records for it. */
export function reshapeTo(x: Value, shapeValue: Value, staticShape: Shape): Value {
  return emit('Reshape', [x, shapeValue], {}, { shape: staticShape });
}

export function reshapeLike(x: Value, reference: Value): Value {
  return reshapeTo(x, shapeOf(reference), reference.shape);
}

export function transpose(x: Value, perm: number[]): Value {
  if (perm.length !== x.shape.length) throw new Error(`Transpose: perm [${perm}] for rank ${x.shape.length}`);
  return emit('Transpose', [x], { perm }, { shape: perm.map((p) => x.shape[p]!) });
}

export function unsqueeze(x: Value, axes: number[]): Value {
  const rank = x.shape.length + axes.length;
  const normalized = axes.map((a) => normalizeAxis(a, rank)).sort((a, b) => a - b);
  const out: Dim[] = [];
  let source = 0;
  for (let i = 0; i < rank; i++) out.push(normalized.includes(i) ? 1 : x.shape[source++]!);
  return emit('Unsqueeze', [x, x.graph.ints(normalized, 'axes')], {}, { shape: out });
}

export function squeeze(x: Value, axes: number[]): Value {
  const normalized = axes.map((a) => normalizeAxis(a, x.shape.length));
  return emit('Squeeze', [x, x.graph.ints(normalized, 'axes')], {}, { shape: x.shape.filter((_, i) => !normalized.includes(i)) });
}

/** Broadcasts x to a run-time shape. */
export function expand(x: Value, shapeValue: Value, staticShape: Shape): Value {
  return emit('Expand', [x, shapeValue], {}, { shape: staticShape });
}

export function concat(values: Value[], axis: number): Value {
  const first = values[0]!;
  const a = normalizeAxis(axis, first.shape.length);
  const shape = [...first.shape];
  shape[a] = product(values.map((v) => v.shape[a]!)) === 0 ? 0 : sumDims(values.map((v) => v.shape[a]!));
  return emit('Concat', values, { axis: a }, { shape });
}

function sumDims(dims: Dim[]): Dim {
  if (dims.every((d): d is number => typeof d === 'number')) return dims.reduce((a, b) => a + b, 0);
  return dims.join('+');
}

/** numpy-style take along `axis` (ONNX Gather); a 0-d index drops the axis. */
export function gather(data: Value, indices: Value, axis = 0): Value {
  const a = normalizeAxis(axis, data.shape.length);
  const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
  return emit('Gather', [data, indices], { axis: a }, { shape });
}

/** Picks one element per position along `axis` (ONNX GatherElements). */
export function gatherElements(data: Value, indices: Value, axis: number): Value {
  const a = normalizeAxis(axis, data.shape.length);
  return emit('GatherElements', [data, indices], { axis: a }, { shape: indices.shape });
}

export function zerosLike(x: Value): Value {
  const zero = { tensor: { dtype: x.dtype, dims: [1], data: x.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) } };
  return emit('ConstantOfShape', [shapeOf(x)], { value: zero }, { dtype: x.dtype, shape: x.shape });
}

/** Static slice of the shape tensor, e.g. the leading dims of a value. */
export function shapeSlice(x: Value, start: number, end: number): Value {
  const g = x.graph;
  const rank = x.shape.length;
  const e = end < 0 ? rank + end : end;
  return emit('Slice', [shapeOf(x), g.ints([start], 'starts'), g.ints([e], 'ends'), g.ints([0], 'axes')], {}, { dtype: 'int64', shape: [e - start] });
}

function inversePermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return inverse;
}

// ---- gradients ----

defineGrad('Reshape', (node, [g]) => [reshapeLike(g!, node.inputs[0]!), null]);
defineGrad('Unsqueeze', (node, [g]) => [reshapeLike(g!, node.inputs[0]!), null]);
defineGrad('Squeeze', (node, [g]) => [reshapeLike(g!, node.inputs[0]!), null]);
defineGrad('Transpose', (node, [g]) => [transpose(g!, inversePermutation(node.attrs.perm as number[]))]);
defineGrad('Expand', (node, [g]) => [sumToShape(g!, node.inputs[0]!), null]);

defineGrad('Concat', (node, [g], needed) => {
  const axis = node.attrs.axis as number;
  const parts = node.inputs as Value[];
  const sizes = parts.map((p) => p.shape[axis]);
  if (!sizes.every((s): s is number => typeof s === 'number')) throw new Error('Concat gradient needs static sizes on the concat axis');
  const outputs = g!.graph.node('Split', [g!, g!.graph.ints(sizes, 'split')], parts.map((p) => ({ dtype: g!.dtype, shape: p.shape })), { axis });
  return outputs.map((o, i) => (needed[i] ? o : null));
});

/**
 * Gather's gradient scatters rows back with ScatterND(reduction=add): repeated indices (a word that
 * occurs twice in a batch) accumulate, as the embedding gradient must.
 */
defineGrad('Gather', (node, [g]) => {
  const [data, indices] = node.inputs as Value[];
  const axis = node.attrs.axis as number;
  const rank = data!.shape.length;
  const toFront = [axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)];
  const dataFront = axis === 0 ? data! : transpose(data!, toFront);
  const idxRank = indices!.shape.length;
  // g has dims data[:axis] + indices + data[axis+1:]; bring the indices dims to the front.
  let gFront = g!;
  if (axis !== 0) {
    const gRank = g!.shape.length;
    const idxDims = Array.from({ length: idxRank }, (_, i) => axis + i);
    const rest = Array.from({ length: gRank }, (_, i) => i).filter((i) => !idxDims.includes(i));
    gFront = transpose(g!, [...idxDims, ...rest]);
  }
  const scatterIndices = unsqueeze(indices!.dtype === 'int64' ? indices! : emit('Cast', [indices!], { to: 7 }, { dtype: 'int64' }), [-1]);
  const summed = emit('ScatterND', [zerosLike(dataFront), scatterIndices, gFront], { reduction: 'add' }, { shape: dataFront.shape });
  return [axis === 0 ? summed : transpose(summed, inversePermutation(toFront)), null];
});

defineGrad('GatherElements', (node, [g]) => {
  const [data, indices] = node.inputs as Value[];
  const axis = node.attrs.axis as number;
  return [emit('ScatterElements', [zerosLike(data!), indices!, g!], { axis, reduction: 'add' }, { shape: data!.shape }), null];
});
