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
      // Bounds are checked once the storages hold their bytes (the legacy format stores them after the pickle).
      return { storage: storage as Storage, offset: ints([offset], 'a storage offset')[0]!, shape, stride: strides } satisfies Tensor;
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

/** Parses the bytes of a `torch.save` file (zip format, or the legacy pre-1.6 one) holding a state dict. */
export function parseTorchCheckpoint(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a) return parseLegacy(bytes, source);
  const entries = readStoredZip(bytes, source);
  const pickleName = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (!pickleName) throw new WeightsFormatError(`${source}: no <archive>/data.pkl entry; not a torch.save file`);
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const storages = new Map<string, Storage>();
  const persistentLoad = (id: unknown): Storage => {
    const { type, key, numel } = storageReference(id, source);
    const known = storages.get(key);
    if (known) return known;
    const data = entries.get(`${prefix}data/${key}`);
    if (!data) throw new WeightsFormatError(`${source}: storage data/${key} is missing from the archive`);
    const needed = numel * dtypeSize(type.storageDtype);
    if (data.byteLength < needed) throw new WeightsFormatError(`${source}: storage data/${key} has ${data.byteLength} bytes, ${needed} expected`);
    const storage = { dtype: type.storageDtype, bytes: data.subarray(0, needed), key };
    storages.set(key, storage);
    return storage;
  };
  const { value } = unpickle(entries.get(pickleName)!, { globals: allowedGlobals(source), persistentLoad, source: `${source} (data.pkl)` });
  return toSafetensorsFile(flatten(value, source), source);
}

/** `('storage', <torch.*Storage>, key, location, numel[, view])`, as both formats pickle it. */
function storageReference(id: unknown, source: string): { type: StorageType; key: string; numel: number } {
  if (!Array.isArray(id) || id[0] !== 'storage' || id.length < 5) throw new WeightsFormatError(`${source}: unknown persistent id in the pickle`);
  const [, type, key, , numel] = id as [string, StorageType, unknown, unknown, unknown];
  if (!type || typeof type !== 'object' || !('storageDtype' in type)) throw new WeightsFormatError(`${source}: a storage without a torch storage type`);
  if (typeof key !== 'string' || !Number.isSafeInteger(numel) || (numel as number) < 0) throw new WeightsFormatError(`${source}: a malformed storage reference`);
  if (id.length > 5 && id[5] !== null) throw new WeightsFormatError(`${source}: storage views (torch < 1.0 checkpoints) are not supported`);
  return { type, key, numel: numel as number };
}

/**
 * The legacy format: five pickles back to back (magic number, protocol version, sys info, the
 * state dict, the list of storage keys), then each storage as an int64 element count and its bytes.
 */
function parseLegacy(bytes: Uint8Array, source: string): SafetensorsFile {
  const noGlobals = { globals: new Map<string, PickleGlobal>(), source };
  let at = 0;
  for (let i = 0; i < 3; i++) at = unpickle(bytes, noGlobals, at).end;
  const storages = new Map<string, Storage>();
  const persistentLoad = (id: unknown): Storage => {
    const { type, key, numel } = storageReference(id, source);
    const storage = storages.get(key) ?? { dtype: type.storageDtype, bytes: new Uint8Array(numel * dtypeSize(type.storageDtype)), key };
    storages.set(key, storage);
    return storage;
  };
  const state = unpickle(bytes, { globals: allowedGlobals(source), persistentLoad, source }, at);
  const keys = unpickle(bytes, noGlobals, state.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) throw new WeightsFormatError(`${source}: the storage key list is malformed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  at = keys.end;
  for (const key of keys.value as string[]) {
    const storage = storages.get(key);
    if (!storage) throw new WeightsFormatError(`${source}: storage ${key} is listed but no tensor uses it`);
    if (at + 8 > bytes.byteLength) throw new WeightsFormatError(`${source}: storage ${key} is cut short (truncated file)`);
    const count = Number(view.getBigInt64(at, true));
    const size = count * dtypeSize(storage.dtype);
    if (size !== storage.bytes.byteLength) throw new WeightsFormatError(`${source}: storage ${key} holds ${count} elements, the pickle says ${storage.bytes.byteLength / dtypeSize(storage.dtype)}`);
    if (at + 8 + size > bytes.byteLength) throw new WeightsFormatError(`${source}: storage ${key} is cut short (truncated file)`);
    storage.bytes = bytes.subarray(at + 8, at + 8 + size);
    at += 8 + size;
  }
  return toSafetensorsFile(flatten(state.value, source), source);
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
  for (const tensor of tensors.values()) checkInside(tensor, source);
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

