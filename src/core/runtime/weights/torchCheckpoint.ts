import { promises as fs } from 'node:fs';
import { dtypeSize, elementCount, SafetensorsFile, type SafetensorsDtype, type TensorInfo } from '../safetensors';
import { unpickle, type PickleGlobal } from './unpickler';
import { readStoredZip, WeightsFormatError } from './zipReader';

/**
 * Reads a `torch.save` state dict (`pytorch_model.bin`, the zip format of torch ≥ 1.6) without
 * Python and without running anything from the pickle: `data.pkl` is interpreted by the restricted
 * unpickler with the allow-list below; tensor bytes come from the archive's `data/<key>` entries.
 * The result is an in-memory SafetensorsFile (contiguous copies, so strided and offset views and
 * tied weights come out as plain tensors), which is what every other reader of weights takes.
 */

const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16', DoubleStorage: 'F64',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
};

interface StorageType { storageDtype: SafetensorsDtype }
interface Storage { dtype: SafetensorsDtype; bytes: Uint8Array; key: string }
interface Tensor { storage: Storage; offset: number; shape: number[]; stride: number[] }

const isTensor = (value: unknown): value is Tensor => typeof value === 'object' && value !== null && 'storage' in value && 'stride' in value;

function allowedGlobals(source: string): Map<string, PickleGlobal> {
  const fail = (what: string): never => { throw new WeightsFormatError(`${source}: ${what}`); };
  const ints = (value: unknown, what: string): number[] =>
    Array.isArray(value) && value.every((v) => Number.isSafeInteger(v) && (v as number) >= 0)
      ? (value as number[])
      : fail(`${what} is not a tuple of non-negative integers`);
  const globals = new Map<string, PickleGlobal>();
  const orderedDict: PickleGlobal = {
    call: () => new Map(),
  };
  globals.set('collections.OrderedDict', orderedDict);
  globals.set('torch._utils._rebuild_tensor_v2', {
    call: ([storage, offset, size, stride]) => {
      if (!storage || typeof storage !== 'object' || !('bytes' in storage)) fail('_rebuild_tensor_v2 without a storage');
      const shape = ints(size, 'a tensor size');
      const strides = ints(stride, 'a tensor stride');
      if (shape.length !== strides.length) fail(`a tensor has ${shape.length} sizes but ${strides.length} strides`);
      const tensor: Tensor = { storage: storage as Storage, offset: ints([offset], 'a storage offset')[0]!, shape, stride: strides };
      checkInside(tensor, source);
      return tensor;
    },
  });
  globals.set('torch._utils._rebuild_parameter', {
    call: ([data]) => (isTensor(data) ? data : fail('_rebuild_parameter of something that is not a tensor')),
  });
  for (const [name, dtype] of Object.entries(STORAGE_DTYPES)) {
    const type: StorageType & PickleGlobal = { storageDtype: dtype, call: () => fail(`${name} called directly`) };
    globals.set(`torch.${name}`, type);
  }
  return globals;
}

/** A view must stay inside its storage: the furthest element it reaches is offset + Σ (size−1)·stride. */
function checkInside(tensor: Tensor, source: string): void {
  if (tensor.shape.some((n) => n === 0)) return;
  const last = tensor.shape.reduce((reach, n, i) => reach + (n - 1) * tensor.stride[i]!, tensor.offset);
  const elements = tensor.storage.bytes.byteLength / dtypeSize(tensor.storage.dtype);
  if (last >= elements) {
    throw new WeightsFormatError(`${source}: a tensor of shape [${tensor.shape.join(', ')}] (storage offset ${tensor.offset}, ` +
      `strides [${tensor.stride.join(', ')}]) reaches element ${last} of storage data/${tensor.storage.key}, which holds only ${elements}`);
  }
}

/** Parses the bytes of a zip-format `torch.save` file holding a (possibly nested) state dict. */
export function parseTorchCheckpoint(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a) {
    throw new WeightsFormatError(`${source}: the legacy (pre-1.6) torch.save format is not supported; ` +
      're-save it with torch ≥ 1.6 or convert it to safetensors');
  }
  const entries = readStoredZip(bytes, source);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName) throw new WeightsFormatError(`${source}: no <archive>/data.pkl entry; not a torch.save file`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const storages = new Map<string, Storage>();
  const persistentLoad = (id: unknown): Storage => {
    if (!Array.isArray(id) || id[0] !== 'storage' || id.length < 5) throw new WeightsFormatError(`${source}: unknown persistent id in data.pkl`);
    const [, type, key, , numel] = id as [string, StorageType, unknown, unknown, unknown];
    if (!type || typeof type !== 'object' || !('storageDtype' in type)) throw new WeightsFormatError(`${source}: a storage without a torch storage type`);
    if (typeof key !== 'string' || !Number.isSafeInteger(numel)) throw new WeightsFormatError(`${source}: a malformed storage reference`);
    const known = storages.get(key);
    if (known) return known;
    const data = entries.get(`${prefix}data/${key}`);
    if (!data) throw new WeightsFormatError(`${source}: storage data/${key} is missing from the archive`);
    const needed = (numel as number) * dtypeSize(type.storageDtype);
    if (data.byteLength < needed) throw new WeightsFormatError(`${source}: storage data/${key} has ${data.byteLength} bytes, ${needed} expected`);
    const storage = { dtype: type.storageDtype, bytes: data.subarray(0, needed), key };
    storages.set(key, storage);
    return storage;
  };
  const { value } = unpickle(entries.get(pickleName)!, { globals: allowedGlobals(source), persistentLoad, source: `${source} (data.pkl)` });
  return toSafetensorsFile(flatten(value, source), source);
}

/** Reads a `pytorch_model.bin` (or a shard of one) from disk. */
export async function readTorchCheckpoint(file: string): Promise<SafetensorsFile> {
  return parseTorchCheckpoint(new Uint8Array(await fs.readFile(file)), file);
}

/** A state dict may hold nested dicts (`{"state_dict": {...}}`): their names are joined with dots. */
function flatten(value: unknown, source: string, prefix = '', out = new Map<string, Tensor>()): Map<string, Tensor> {
  if (!(value instanceof Map)) {
    throw new WeightsFormatError(`${source}: expected a state dict (a dict of tensors) at the top of data.pkl`);
  }
  for (const [key, item] of value) {
    const name = `${prefix}${String(key)}`;
    if (isTensor(item)) out.set(name, item);
    else if (item instanceof Map) flatten(item, source, `${name}.`, out);
    // other entries (None, numbers, version tags) carry no weights
  }
  return out;
}

/** Copies each tensor's elements, in row-major order, into one buffer laid out as safetensors. */
function toSafetensorsFile(tensors: Map<string, Tensor>, source: string): SafetensorsFile {
  let total = 0;
  for (const tensor of tensors.values()) total += elementCount(tensor.shape) * dtypeSize(tensor.storage.dtype);
  const bytes = new Uint8Array(total);
  const infos = new Map<string, TensorInfo>();
  let at = 0;
  for (const [name, tensor] of tensors) {
    const size = dtypeSize(tensor.storage.dtype);
    const count = elementCount(tensor.shape);
    copyStrided(tensor, bytes.subarray(at, at + count * size), size);
    infos.set(name, { dtype: tensor.storage.dtype, shape: [...tensor.shape], dataOffsets: [at, at + count * size] });
    at += count * size;
  }
  return new SafetensorsFile(source, { tensors: infos, metadata: { format: 'pt' }, dataStart: 0 }, bytes);
}

function copyStrided(tensor: Tensor, target: Uint8Array, size: number): void {
  const { shape, stride, offset, storage } = tensor;
  const rank = shape.length;
  const count = elementCount(shape);
  if (count === 0) return;
  const index = new Array<number>(rank).fill(0);
  let element = offset;
  for (let i = 0; i < count; i++) {
    target.set(storage.bytes.subarray(element * size, element * size + size), i * size);
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      element += stride[d]!;
      if (index[d]! < shape[d]!) break;
      element -= stride[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

