import { type DType, type TypedArray, toTypedArray } from './dtype';

/** A dimension: a fixed size, or a symbol (e.g. "batch", "seq") that ONNX Runtime resolves at run time. */
export type Dim = number | string;
export type Shape = Dim[];

export type AttrValue = number | string | number[] | string[] | { float: number } | { floats: number[] } | { tensor: ConstantTensor };

export interface ConstantTensor {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

export interface Value {
  readonly graph: Graph;
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** The node that computes this value; absent for graph inputs and initializers. */
  readonly producer?: Node;
}

export interface Node {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: ReadonlyArray<Value | null>;
  readonly outputs: Value[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

export interface Initializer {
  value: Value;
  tensor: ConstantTensor;
}

export interface OutputSpec {
  dtype: DType;
  shape: Shape;
  name?: string;
}

export const MS_DOMAIN = 'com.microsoft';

/**
 * A tensor program under construction. Nodes are appended in creation order, which is always a
 * topological order because a node can only consume values that already exist.
 */
export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers: Initializer[] = [];
  /** Nodes the autodiff must not differentiate through (stop-gradient points). */
  readonly stopGradientNodes = new Set<Node>();
  private readonly usedNames = new Set<string>();
  private readonly scalarCache = new Map<string, Value>();
  private counter = 0;

  constructor(readonly name = 'bert_lens') {}

  /** A name not used yet in this graph, derived from `hint`. */
  uniqueName(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  private makeValue(name: string, dtype: DType, shape: Shape, producer?: Node): Value {
    return { graph: this, name, dtype, shape: [...shape], producer };
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    if (this.usedNames.has(name)) throw new Error(`graph input name "${name}" is already used`);
    this.usedNames.add(name);
    const value = this.makeValue(name, dtype, shape);
    this.inputs.push(value);
    return value;
  }

  /** A named constant tensor stored in the model (a weight, or a small constant). */
  initializer(name: string, dtype: DType, dims: number[], data: TypedArray): Value {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) {
      throw new Error(`initializer ${name}: ${data.length} elements for shape [${dims.join(', ')}]`);
    }
    const value = this.makeValue(this.uniqueName(name), dtype, dims);
    this.initializers.push({ value, tensor: { dtype, dims, data } });
    return value;
  }

  /** A constant from plain numbers, e.g. a reshape target or a scalar. */
  constant(values: ArrayLike<number>, dims: number[], dtype: DType, hint = 'const'): Value {
    return this.initializer(hint, dtype, dims, toTypedArray(values, dtype));
  }

  /** A shared 0-d constant; each (value, dtype) pair is created once. */
  scalar(value: number, dtype: DType): Value {
    const key = `${dtype}:${Object.is(value, -0) ? '-0' : value}`;
    let cached = this.scalarCache.get(key);
    if (!cached) {
      cached = this.constant([value], [], dtype, 'scalar');
      this.scalarCache.set(key, cached);
    }
    return cached;
  }

  /** A 1-d int64 constant (axes, shapes, indices). */
  ints(values: number[], hint = 'ints'): Value {
    return this.constant(values, [values.length], 'int64', hint);
  }

  node(
    opType: string,
    inputs: ReadonlyArray<Value | null>,
    outputs: OutputSpec[],
    attrs: Record<string, AttrValue> = {},
    domain = '',
  ): Value[] {
    for (const input of inputs) {
      if (input && input.graph !== this) throw new Error(`${opType}: input ${input.name} belongs to another graph`);
    }
    const name = this.uniqueName(`${opType}_${this.nodes.length}`);
    const outputValues: Value[] = [];
    const node: Node = { opType, domain, name, inputs: [...inputs], outputs: outputValues, attrs };
    for (const spec of outputs) {
      outputValues.push(this.makeValue(this.uniqueName(spec.name ?? `${name}_out`), spec.dtype, spec.shape, node));
    }
    this.nodes.push(node);
    return outputValues;
  }

  /** Marks `value` as a graph output, under `name` if given (an Identity node renames it). */
  output(value: Value, name?: string): Value {
    let out = value;
    if (name && name !== value.name) {
      if (this.usedNames.has(name)) throw new Error(`graph output name "${name}" is already used`);
      this.usedNames.add(name);
      const node: Node = { opType: 'Identity', domain: '', name: `${name}_identity`, inputs: [value], outputs: [], attrs: {} };
      out = this.makeValue(name, value.dtype, value.shape, node);
      node.outputs.push(out);
      this.nodes.push(node);
    }
    this.outputs.push(out);
    return out;
  }
}

export function numElements(shape: Shape): number | null {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return null;
    n *= d;
  }
  return n;
}
