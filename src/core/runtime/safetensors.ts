import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { jsonErrorLocation } from '../util/jsonSyntax';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {..}}`
 * padded with spaces to a multiple of 8, then the raw little-endian tensor bytes; offsets are
 * relative to the start of that data section.
 *
 * Implemented here because no maintained npm package fits (the `safetensors` package is a 0.0.1
 * placeholder); the format is small. Reading keeps one buffer for the whole file and hands out
 * typed-array views into it, so a 440 MB BERT-base costs 440 MB, not twice that.
 */

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U64' | 'U32' | 'U16' | 'U8'
  | 'BOOL';

/** Bytes per element; the key order is the Rust crate's alignment order, used when writing. */
const DTYPE_SIZE: Record<SafetensorsDtype, number> = {
  BOOL: 1, U8: 1, I8: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const DTYPE_RANK = new Map(Object.keys(DTYPE_SIZE).map((dtype, i) => [dtype, i]));
const FLOAT_DTYPES: ReadonlySet<string> = new Set(['F64', 'F32', 'F16', 'BF16']);

/** The Rust crate refuses larger headers; so do we, so that a garbage length cannot allocate gigabytes. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** In file order (ascending offsets). */
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file: 8 + header length. */
  dataStart: number;
}

/** Thrown for every malformed file; the message names the file and, where one is at fault, the tensor. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export type TypedTensorData =
  | Float64Array | Float32Array | BigInt64Array | BigUint64Array
  | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

/** A tensor to write. F16/BF16 data is given as Uint16Array bit patterns. */
export interface TensorToWrite {
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: TypedTensorData;
}

export function dtypeSize(dtype: SafetensorsDtype): number {
  return DTYPE_SIZE[dtype];
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** A parsed file: the header plus the bytes of the whole file; tensors are views into those bytes. */
export class SafetensorsFile {
  constructor(
    readonly source: string,
    readonly header: SafetensorsHeader,
    private readonly bytes: Uint8Array,
  ) {}

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) throw new SafetensorsError(`${this.source}: no tensor named "${name}"`);
    return info;
  }

  /** The tensor's raw little-endian bytes (a view, no copy). */
  bytesOf(name: string): Uint8Array {
    const { dataOffsets: [begin, end] } = this.info(name);
    const start = this.bytes.byteOffset + this.header.dataStart + begin;
    return new Uint8Array(this.bytes.buffer, start, end - begin);
  }

  /**
   * The tensor as the typed array of its dtype (F16/BF16: Uint16Array bit patterns; BOOL: Uint8Array).
   * A view into the file buffer when aligned and the host is little-endian, otherwise a copy.
   */
  typed(name: string): TypedTensorData {
    const info = this.info(name);
    return viewAs(info.dtype, this.bytesOf(name));
  }

  /** A float tensor (F32, F16, BF16, F64) as Float32Array; F32 is a view when aligned, others convert. */
  float32(name: string): Float32Array {
    const info = this.info(name);
    if (!FLOAT_DTYPES.has(info.dtype)) {
      throw new SafetensorsError(`${this.source}: tensor "${name}" is ${info.dtype}, not a float tensor`);
    }
    const data = this.typed(name);
    switch (info.dtype) {
      case 'F32': return data as Float32Array;
      case 'F64': return Float32Array.from(data as Float64Array);
      case 'F16': return halfToFloat32(data as Uint16Array);
      default: return bfloat16ToFloat32(data as Uint16Array);
    }
  }

  /** An I64 tensor (e.g. `position_ids`) as BigInt64Array. */
  int64(name: string): BigInt64Array {
    const info = this.info(name);
    if (info.dtype !== 'I64') throw new SafetensorsError(`${this.source}: tensor "${name}" is ${info.dtype}, not I64`);
    return this.typed(name) as BigInt64Array;
  }
}

/** Parses a whole file held in memory; `source` (usually the path) is used in error messages. */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsFile {
  if (bytes.byteLength < 8) {
    throw new SafetensorsError(`${source}: not a safetensors file (${bytes.byteLength} bytes, shorter than the 8-byte header length)`);
  }
  const headerLength = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, source);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), bytes.byteLength, source);
  return new SafetensorsFile(source, header, bytes);
}

/** Reads and validates a file; tensors stay views into one buffer of the file's size. */
export async function readSafetensors(file: string): Promise<SafetensorsFile> {
  const bytes = await readFileOrExplain(file);
  return parseSafetensors(bytes, file);
}

/**
 * Reads only the header (a few kB even for large models) and validates it against the file size:
 * enough to list tensors, check shapes, or detect a truncated download without loading weights.
 */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    throw new SafetensorsError(`${file}: cannot open (${(error as Error).message})`);
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) throw new SafetensorsError(`${file}: not a safetensors file (${size} bytes, shorter than the 8-byte header length)`);
    const prefix = new Uint8Array(8);
    await handle.read(prefix, 0, 8, 0);
    const headerLength = readHeaderLength(prefix, size, file);
    const headerBytes = new Uint8Array(headerLength);
    await handle.read(headerBytes, 0, headerLength, 8);
    return parseHeader(headerBytes, size, file);
  } finally {
    await handle.close();
  }
}

/**
 * Serializes tensors like the Rust crate: tensors sorted by descending dtype alignment, then name,
 * so every tensor starts aligned to its element size; `__metadata__` first; header padded with spaces
 * to a multiple of 8. Returns the chunks of the file (header, then each tensor's bytes) so that large
 * checkpoints are written without a second full-size copy.
 */
export function serializeSafetensorsChunks(
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array[] {
  const entries = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))] as [string, TensorToWrite][];
  entries.sort(([nameA, a], [nameB, b]) =>
    DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)! || (nameA < nameB ? -1 : nameA > nameB ? 1 : 0));

  const headerObject: Record<string, unknown> = {};
  if (metadata) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') throw new SafetensorsError(`__metadata__ value of "${key}" must be a string`);
    }
    headerObject.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__') throw new SafetensorsError('"__metadata__" is reserved and cannot name a tensor');
    checkTensorToWrite(name, tensor);
    const byteLength = tensor.data.byteLength;
    headerObject[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
    chunks.push(littleEndianBytes(tensor));
  }
  const json = new TextEncoder().encode(JSON.stringify(headerObject));
  const padded = new Uint8Array(json.byteLength + ((8 - (json.byteLength % 8)) % 8)).fill(0x20);
  padded.set(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded.byteLength), true);
  return [prefix, padded, ...chunks];
}

/** The whole file in one buffer (convenient for small files and tests). */
export function serializeSafetensors(
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const chunks = serializeSafetensorsChunks(tensors, metadata);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Writes atomically: readers see the old file or the complete new one, never a partial file. */
export async function writeSafetensors(
  file: string,
  tensors: Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  await writeFileAtomic(file, serializeSafetensorsChunks(tensors, metadata));
}

/** IEEE 754 half → float32, exact for every value including subnormals, infinities and NaN. */
export function halfToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i]!;
    const sign = (h & 0x8000) << 16;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0x1f) {
      outBits[i] = sign | 0x7f800000 | (mantissa << 13);
    } else if (exponent !== 0) {
      outBits[i] = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else {
      // Zero or subnormal: mantissa × 2^-24, exactly representable in float32.
      out[i] = (sign ? -1 : 1) * mantissa * 2 ** -24;
    }
  }
  return out;
}

/**
 * float32 → IEEE 754 half bit patterns, rounding to nearest, ties to even (as torch's .half()):
 * overflow gives ±Infinity, tiny values become subnormals or ±0, NaN stays NaN.
 */
export function float32ToHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    const mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      // Subnormal half: shift the full significand (implicit 1 included) and round to nearest even.
      const significand = mantissa | 0x800000;
      const shift = 14 - e;
      const half = significand >>> shift;
      const remainder = significand & ((1 << shift) - 1);
      const midpoint = 1 << (shift - 1);
      out[i] = sign | (half + (remainder > midpoint || (remainder === midpoint && (half & 1)) ? 1 : 0));
      continue;
    }
    const half = (e << 10) | (mantissa >>> 13);
    const remainder = mantissa & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
    out[i] = sign | (half + (remainder > 0x1000 || (remainder === 0x1000 && (half & 1)) ? 1 : 0));
  }
  return out;
}

/** bfloat16 is the upper half of a float32, so the conversion is a shift. */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const outBits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) outBits[i] = bits[i]! << 16;
  return out;
}

function readHeaderLength(prefix: Uint8Array, fileSize: number, source: string): number {
  const length = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (length > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`${source}: header length ${length} is larger than ${MAX_HEADER_BYTES} bytes; not a safetensors file or corrupt`);
  }
  const headerLength = Number(length);
  if (8 + headerLength > fileSize) {
    throw new SafetensorsError(`${source}: header length ${headerLength} runs past the end of the file (${fileSize} bytes); the file is truncated or not a safetensors file`);
  }
  return headerLength;
}

function parseHeader(headerBytes: Uint8Array, fileSize: number, source: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new SafetensorsError(`${source}: header is not valid UTF-8`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const { line, column, problem } = jsonErrorLocation(text);
    throw new SafetensorsError(`${source}: header is not valid JSON (${problem} at ${line}:${column})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new SafetensorsError(`${source}: header must be a JSON object`);
  }
  const dataStart = 8 + headerBytes.byteLength;
  const dataLength = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: [string, TensorInfo][] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, source);
    } else {
      tensors.push([name, parseTensorInfo(name, value, dataLength, source)]);
    }
  }
  tensors.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  // Gaps are tolerated (they waste space but are harmless); overlaps would let two tensors alias.
  for (let i = 1; i < tensors.length; i++) {
    const [previousName, previous] = tensors[i - 1]!;
    const [name, info] = tensors[i]!;
    if (info.dataOffsets[0] < previous.dataOffsets[1]) {
      throw new SafetensorsError(`${source}: tensor "${name}" (bytes ${info.dataOffsets.join('..')}) overlaps tensor "${previousName}" (bytes ${previous.dataOffsets.join('..')})`);
    }
  }
  return { tensors: new Map(tensors), metadata, dataStart };
}

function parseMetadata(value: unknown, source: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SafetensorsError(`${source}: __metadata__ must be an object of strings`);
  }
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw new SafetensorsError(`${source}: __metadata__ value of "${key}" must be a string`);
  }
  return value as Record<string, string>;
}

function parseTensorInfo(name: string, value: unknown, dataLength: number, source: string): TensorInfo {
  const where = `${source}: tensor "${name}"`;
  if (typeof value !== 'object' || value === null) throw new SafetensorsError(`${where}: entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) {
    throw new SafetensorsError(`${where}: unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPE_SIZE).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new SafetensorsError(`${where}: data_offsets must be [begin, end] byte offsets, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes); the file is truncated or corrupt`);
  }
  const expected = elementCount(shape as number[]) * DTYPE_SIZE[dtype as SafetensorsDtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(`${where}: shape [${shape.join(', ')}] × ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { dtype: dtype as SafetensorsDtype, shape: shape as number[], dataOffsets: [begin, end] };
}

function checkTensorToWrite(name: string, tensor: TensorToWrite): void {
  if (!(tensor.dtype in DTYPE_SIZE)) throw new SafetensorsError(`tensor "${name}": unsupported dtype ${String(tensor.dtype)}`);
  if (!tensor.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`tensor "${name}": shape must be non-negative integers, got ${JSON.stringify(tensor.shape)}`);
  }
  const expectedElementSize = DTYPE_SIZE[tensor.dtype];
  if (tensor.data.BYTES_PER_ELEMENT !== expectedElementSize) {
    throw new SafetensorsError(`tensor "${name}": ${tensor.dtype} needs ${expectedElementSize}-byte elements, got ${tensor.data.constructor.name}`);
  }
  const count = elementCount(tensor.shape);
  if (tensor.data.length !== count) {
    throw new SafetensorsError(`tensor "${name}": shape [${tensor.shape.join(', ')}] has ${count} elements but the data has ${tensor.data.length}`);
  }
}

function littleEndianBytes(tensor: TensorToWrite): Uint8Array {
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return LITTLE_ENDIAN_HOST || tensor.data.BYTES_PER_ELEMENT === 1 ? bytes : swapBytes(bytes, tensor.data.BYTES_PER_ELEMENT);
}

type TypedArrayConstructor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedTensorData; BYTES_PER_ELEMENT: number };

const ARRAY_OF: Record<SafetensorsDtype, TypedArrayConstructor> = {
  F64: Float64Array, F32: Float32Array, F16: Uint16Array, BF16: Uint16Array,
  I64: BigInt64Array, I32: Int32Array, I16: Int16Array, I8: Int8Array,
  U64: BigUint64Array, U32: Uint32Array, U16: Uint16Array, U8: Uint8Array, BOOL: Uint8Array,
};

function viewAs(dtype: SafetensorsDtype, bytes: Uint8Array): TypedTensorData {
  const ArrayType = ARRAY_OF[dtype];
  const size = ArrayType.BYTES_PER_ELEMENT;
  let source = bytes;
  if (!LITTLE_ENDIAN_HOST && size > 1) source = swapBytes(bytes, size);
  else if (source.byteOffset % size !== 0) source = bytes.slice(); // a fresh buffer is aligned
  return new ArrayType(source.buffer, source.byteOffset, source.byteLength / size);
}

function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.byteLength);
  for (let i = 0; i < bytes.byteLength; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j]!;
  }
  return out;
}

async function readFileOrExplain(file: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new SafetensorsError(`${path.resolve(file)}: cannot read (${reason})`);
  }
}

/**
 * The size a safetensors file must have, read from its first bytes (the 8-byte length and the JSON
 * header): 8 + header + the end of the last tensor. Undefined while `prefix` is too short to tell;
 * throws SafetensorsError when the bytes are not a safetensors header. Used to cap a download whose
 * server announces no size.
 */
export function safetensorsSizeFromPrefix(prefix: Uint8Array, source: string): number | undefined {
  if (prefix.byteLength < 8) return undefined;
  const headerLength = readHeaderLength(prefix.subarray(0, 8), Number.MAX_SAFE_INTEGER, source);
  if (prefix.byteLength < 8 + headerLength) return undefined;
  const header = parseHeader(prefix.subarray(8, 8 + headerLength), Number.MAX_SAFE_INTEGER, source);
  let end = 0;
  for (const info of header.tensors.values()) end = Math.max(end, info.dataOffsets[1]);
  return header.dataStart + end;
}
