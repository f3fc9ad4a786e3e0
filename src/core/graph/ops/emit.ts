import type { DType } from '../dtype';
import type { AttrValue, Shape, Value } from '../graph';

/** Emits a one-output node; the output keeps the first input's type and shape unless told otherwise. */
export function emit(
  opType: string,
  inputs: ReadonlyArray<Value | null>,
  attrs: Record<string, AttrValue> = {},
  out: { dtype?: DType; shape?: Shape; domain?: string } = {},
): Value {
  const first = inputs.find((v): v is Value => v !== null);
  if (!first) throw new Error(`${opType}: needs at least one input`);
  const [value] = first.graph.node(
    opType,
    inputs,
    [{ dtype: out.dtype ?? first.dtype, shape: out.shape ?? first.shape }],
    attrs,
    out.domain ?? '',
  );
  return value!;
}

/** A scalar constant of x's element type, so that mixed float32/float64 graphs never arise. */
export function scalarLike(x: Value, value: number): Value {
  return x.graph.scalar(value, x.dtype);
}
