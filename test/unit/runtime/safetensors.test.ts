import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  parseSafetensors, readSafetensors, readSafetensorsHeader, serializeSafetensors, writeSafetensors,
  halfToFloat32, SafetensorsError, type TensorToWrite,
} from '../../../src/core/runtime/safetensors';

const FIXTURES = path.join(__dirname, '../../fixtures/runtime');

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-st-'));
}

/** Builds a file from a hand-written header object and data bytes (for corrupt-file tests). */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const json = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

describe('safetensors writer matches the Rust crate byte for byte', () => {
  // Expected bytes are copied from the crate's own tests (safetensors/src/tensor.rs:
  // test_serialization_forced_alignement and test_empty), an independent implementation.
  it('pads the header with spaces so F32 data is aligned', () => {
    const out = serializeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: Float32Array.of(0, 1, 2, 3, 4, 5) } });
    expect([...out]).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116,
      121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34, 58,
      91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102,
      115, 101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32,
      32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0,
      160, 64,
    ]);
  });

  it('writes an empty file with and without __metadata__', () => {
    expect([...serializeSafetensors({})]).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect([...serializeSafetensors({}, { framework: 'pt' })]).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
      95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
      116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  it('orders tensors by descending alignment, then name, so each starts aligned', () => {
    const file = parseSafetensors(serializeSafetensors({
      mask: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 0, 1) },
      'z.weight': { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) },
      'a.weight': { dtype: 'F32', shape: [1], data: Float32Array.of(3) },
      position_ids: { dtype: 'I64', shape: [1, 3], data: BigInt64Array.of(0n, 1n, 2n) },
    }), 'mem');
    expect(file.names()).toEqual(['position_ids', 'a.weight', 'z.weight', 'mask']);
    expect(file.info('a.weight').dataOffsets).toEqual([24, 28]);
  });
});

describe('safetensors round trip', () => {
  it('writes atomically and reads back every tensor, shape and metadata', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'model.safetensors');
    const weight = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 1e3);
    const tensors: Record<string, TensorToWrite> = {
      'bert.embeddings.word_embeddings.weight': { dtype: 'F32', shape: [3, 4], data: weight },
      'bert.embeddings.position_ids': { dtype: 'I64', shape: [1, 5], data: BigInt64Array.of(0n, 1n, 2n, 3n, -(2n ** 62n)) },
      'classifier.bias': { dtype: 'F32', shape: [2], data: Float32Array.of(-0.5, 0.25) },
      scale: { dtype: 'F64', shape: [], data: Float64Array.of(Math.PI) },
      half: { dtype: 'F16', shape: [2], data: Uint16Array.of(0x3c00, 0xc000) },
    };
    await writeSafetensors(target, tensors, { format: 'pt' });
    expect((await fs.readdir(dir)).sort()).toEqual(['model.safetensors']); // no temp file left

    const file = await readSafetensors(target);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(new Set(file.names())).toEqual(new Set(Object.keys(tensors)));
    expect(file.info('bert.embeddings.word_embeddings.weight').shape).toEqual([3, 4]);
    expect([...file.float32('bert.embeddings.word_embeddings.weight')]).toEqual([...weight]);
    expect([...file.int64('bert.embeddings.position_ids')]).toEqual([0n, 1n, 2n, 3n, -(2n ** 62n)]);
    expect([...file.float32('classifier.bias')]).toEqual([-0.5, 0.25]);
    expect(file.float32('scale')[0]).toBe(Math.fround(Math.PI));
    expect([...file.float32('half')]).toEqual([1, -2]);
  });

  it('hands out F32 tensors as views of the file buffer, without copying', async () => {
    const bytes = serializeSafetensors({
      a: { dtype: 'F32', shape: [4], data: Float32Array.of(1, 2, 3, 4) },
      b: { dtype: 'F32', shape: [2], data: Float32Array.of(5, 6) },
    });
    const file = parseSafetensors(bytes, 'mem');
    const a = file.float32('a');
    expect(a.buffer).toBe(bytes.buffer);
    bytes[file.header.dataStart + file.info('a').dataOffsets[0] + 3] = 0; // mutate the file: the view sees it
    expect(a[0]).not.toBe(1);
  });

  it('refuses data whose length does not match the shape', () => {
    expect(() => serializeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }))
      .toThrow(/tensor "w": shape \[2, 2\] has 4 elements but the data has 3/);
    expect(() => serializeSafetensors({ w: { dtype: 'I64', shape: [1], data: new Float32Array(1) } }))
      .toThrow(/I64 needs 8-byte elements/);
  });
});

describe('reading a file written from PyTorch tensors', () => {
  interface Expected { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (number | string | boolean)[] }> }

  const decode = (v: number | string | boolean): number =>
    v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : Number(v);

  it('gives the same dtypes, shapes and values as torch', async () => {
    const expected = JSON.parse(await fs.readFile(path.join(FIXTURES, 'torch_tensors.expected.json'), 'utf8')) as Expected;
    const file = await readSafetensors(path.join(FIXTURES, 'torch_tensors.safetensors'));
    expect(file.metadata).toEqual(expected.metadata);
    expect(file.names().sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const info = file.info(name);
      expect(info.dtype, name).toBe(want.dtype);
      expect(info.shape, name).toEqual(want.shape);
      const got: number[] = ['F32', 'F16', 'BF16', 'F64'].includes(want.dtype)
        ? [...file.float32(name)]
        : [...file.typed(name)].map(Number);
      const wantValues = want.values.map((v) => (typeof v === 'boolean' ? Number(v) : decode(v)));
      // f16/bf16 → f32 is exact, and torch's .float() gives the same float32, so compare exactly,
      // except F64 which loses precision in the requested float32 conversion.
      const comparable = want.dtype === 'F64' ? wantValues.map(Math.fround) : wantValues;
      expect(got, name).toEqual(comparable);
    }
  });

  it('keeps the sign of negative zero and decodes half subnormals', async () => {
    const file = await readSafetensors(path.join(FIXTURES, 'torch_tensors.safetensors'));
    const half = file.float32('c.f16');
    expect(Object.is(half[7], -0)).toBe(true);
    expect(half[4]).toBe(2 ** -24); // 6e-8 rounds to the smallest half subnormal
  });
});

describe('half precision conversion', () => {
  it('matches the IEEE definition on every one of the 65536 bit patterns', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const converted = halfToFloat32(all);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const e = (h >> 10) & 0x1f;
      const m = h & 0x3ff;
      const want = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
      if (!Object.is(converted[h], want)) throw new Error(`half 0x${h.toString(16)}: got ${converted[h]}, want ${want}`);
    }
    expect(converted.length).toBe(65536);
  });
});

describe('corrupt safetensors files give errors naming the file and the tensor', () => {
  const good = () => serializeSafetensors({
    'encoder.weight': { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
    'encoder.bias': { dtype: 'F32', shape: [2], data: Float32Array.of(5, 6) },
  });

  it('detects a truncated file (last tensor runs past the end)', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'model.safetensors');
    const bytes = good();
    await fs.writeFile(target, bytes.subarray(0, bytes.byteLength - 4));
    const message = /model\.safetensors: tensor "encoder\.weight": data_offsets \[8, 24\] run past the end of the data section \(20 bytes\); the file is truncated/;
    await expect(readSafetensors(target)).rejects.toThrow(message);
    await expect(readSafetensorsHeader(target)).rejects.toThrow(message);
  });

  it('detects a file cut inside the header', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'cut.safetensors');
    await fs.writeFile(target, good().subarray(0, 30));
    await expect(readSafetensors(target)).rejects.toThrow(/cut\.safetensors: header length \d+ runs past the end of the file \(30 bytes\)/);
    await fs.writeFile(target, Uint8Array.of(1, 2, 3));
    await expect(readSafetensors(target)).rejects.toThrow(/cut\.safetensors: not a safetensors file \(3 bytes/);
  });

  it('rejects a header that is not JSON', () => {
    expect(() => parseSafetensors(rawFile(null, new Uint8Array(0), '{"a": {"dtype": '), 'bad.safetensors'))
      .toThrow(/bad\.safetensors: header is not valid JSON/);
    expect(() => parseSafetensors(rawFile([1, 2], new Uint8Array(0)), 'bad.safetensors'))
      .toThrow(/bad\.safetensors: header must be a JSON object/);
  });

  it('rejects an absurd header length instead of allocating it', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 60n, true);
    expect(() => parseSafetensors(bytes, 'huge.safetensors')).toThrow(/huge\.safetensors: header length \d+ is larger than/);
  });

  it('rejects offsets out of range, overlapping tensors and shape/size mismatches', () => {
    const data = new Uint8Array(16);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data), 'f.safetensors'))
      .toThrow(/f\.safetensors: tensor "w": data_offsets \[0, 32\] run past the end of the data section \(16 bytes\)/);
    expect(() => parseSafetensors(rawFile({
      a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
      b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
    }, data), 'f.safetensors')).toThrow(/f\.safetensors: tensor "b" \(bytes 8\.\.16\) overlaps tensor "a" \(bytes 0\.\.12\)/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, data), 'f.safetensors'))
      .toThrow(/f\.safetensors: tensor "w": shape \[3\] × F32 needs 12 bytes but data_offsets \[0, 16\] hold 16/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [8, 4] } }, data), 'f.safetensors'))
      .toThrow(/tensor "w": data_offsets \[8, 4\] end before they begin/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'Q4', shape: [4], data_offsets: [0, 2] } }, data), 'f.safetensors'))
      .toThrow(/tensor "w": unsupported dtype "Q4"/);
    expect(() => parseSafetensors(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, data), 'f.safetensors'))
      .toThrow(/tensor "w": shape must be an array of non-negative integers/);
    expect(() => parseSafetensors(rawFile({ __metadata__: { epoch: 3 } }, data), 'f.safetensors'))
      .toThrow(/__metadata__ value of "epoch" must be a string/);
  });

  it('names a missing file', async () => {
    await expect(readSafetensors('/nonexistent/dir/model.safetensors')).rejects.toThrow(SafetensorsError);
    await expect(readSafetensors('/nonexistent/dir/model.safetensors')).rejects.toThrow(/model\.safetensors: cannot read \(file not found\)/);
  });

  it('refuses to look up a tensor that is not there, or to convert an integer tensor to float', () => {
    const file = parseSafetensors(serializeSafetensors({ ids: { dtype: 'I64', shape: [1], data: BigInt64Array.of(1n) } }), 'x.safetensors');
    expect(() => file.float32('missing')).toThrow(/x\.safetensors: no tensor named "missing"/);
    expect(() => file.float32('ids')).toThrow(/x\.safetensors: tensor "ids" is I64, not a float tensor/);
  });
});

describe('float32ToHalf', () => {
  it('round-trips every finite half value and rounds to nearest even in between', async () => {
    const { float32ToHalf, halfToFloat32 } = await import('../../../src/core/runtime/safetensors');
    const all = new Uint16Array(65536).map((_, i) => i);
    const floats = halfToFloat32(all);
    const back = float32ToHalf(floats);
    for (let i = 0; i < 65536; i++) {
      const exponent = (i >> 10) & 0x1f;
      if (exponent === 0x1f && (i & 0x3ff) !== 0) continue; // NaN payloads are not preserved
      expect(back[i]).toBe(i);
    }
    // Midpoints between consecutive positive normal halves go to the even neighbour.
    for (let h = 0x0400; h < 0x7bff; h += 97) {
      const lo = floats[h]!;
      const hi = floats[h + 1]!;
      const [mid] = float32ToHalf(Float32Array.of((lo + hi) / 2));
      expect(mid).toBe(h % 2 === 0 ? h : h + 1);
      expect(float32ToHalf(Float32Array.of(lo + (hi - lo) * 0.3))[0]).toBe(h);
    }
    expect(Array.from(float32ToHalf(Float32Array.of(1e6, -1e6, 1e-9, Number.NaN)))).toEqual([0x7c00, 0xfc00, 0, 0x7e00]);
  });
});
