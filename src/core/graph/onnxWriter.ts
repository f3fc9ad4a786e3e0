import { onnx } from 'onnx-proto';
import { ONNX_DTYPE, type TypedArray } from './dtype';
import type { AttrValue, ConstantTensor, Graph, Value } from './graph';
import { MS_DOMAIN } from './graph';

export interface WriteOptions {
  /** Default-domain opset; 17 is the first with LayerNormalization. */
  opset?: number;
  producerName?: string;
  docString?: string;
  /** Key/value pairs kept in the model (e.g. the sha256 of the weights it was built from). */
  metadata?: Record<string, string>;
}

const IR_VERSION = 8;

function bytesOf(data: TypedArray): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function tensorProto(name: string, tensor: ConstantTensor): onnx.ITensorProto {
  return { name, dims: tensor.dims, dataType: ONNX_DTYPE[tensor.dtype], rawData: bytesOf(tensor.data) };
}

function attributeProto(name: string, value: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; use { float }`);
    return { name, type: T.INT, i: value };
  }
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    if (value.length > 0 && typeof value[0] === 'string') {
      return { name, type: T.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    return { name, type: T.INTS, ints: value as number[] };
  }
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.TENSOR, t: tensorProto(name, value.tensor) };
}

function valueInfo(value: Value): onnx.IValueInfoProto {
  return {
    name: value.name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[value.dtype],
        shape: { dim: value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Serializes the graph as an ONNX ModelProto (protobuf bytes) that onnxruntime-node loads. */
export function writeOnnx(graph: Graph, options: WriteOptions = {}): Uint8Array {
  const usesMs = graph.nodes.some((n) => n.domain === MS_DOMAIN);
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: options.opset ?? 17 }];
  if (usesMs) opsetImport.push({ domain: MS_DOMAIN, version: 1 });
  const model: onnx.IModelProto = {
    irVersion: IR_VERSION,
    producerName: options.producerName ?? 'bert-lens',
    docString: options.docString,
    opsetImport,
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: graph.initializers.map((init) => tensorProto(init.value.name, init.tensor)),
      node: graph.nodes.map((node) => ({
        name: node.name,
        opType: node.opType,
        domain: node.domain,
        input: node.inputs.map((v) => (v ? v.name : '')),
        output: node.outputs.map((v) => v.name),
        attribute: Object.entries(node.attrs).map(([k, v]) => attributeProto(k, v)),
      })),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
