import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTorchCheckpoint, readTorchCheckpoint } from '../../../../src/core/runtime/weights/torchCheckpoint';
import { unpickle } from '../../../../src/core/runtime/weights/unpickler';

// Fixtures written by Debian's python3-torch: scripts/reference/torch_bin_fixtures.py test/fixtures/pytorch
const fixtures = path.join(__dirname, '../../../fixtures/pytorch');
const DTYPES: Record<string, string> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', int64: 'I64' };

describe('pytorch_model.bin reader', () => {
  for (const fixture of ['mixed.bin', 'legacy.bin']) {
    it(`reads every tensor of ${fixture} as torch.load sees it (tied weights, offsets, strides, dtypes, scalars)`, async () => {
      const file = path.join(fixtures, fixture);
      const weights = await readTorchCheckpoint(file);
      const expected = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as Record<string, { dtype: string; shape: number[]; values: number[] }>;
      expect(weights.names().sort()).toEqual(Object.keys(expected).sort());
      for (const [name, want] of Object.entries(expected)) {
        const info = weights.info(name);
        expect(info.dtype, name).toBe(DTYPES[want.dtype]);
        expect(info.shape, name).toEqual(want.shape);
        const got = info.dtype === 'I64' ? Array.from(weights.int64(name), Number) : Array.from(weights.float32(name));
        expect(got, name).toEqual(want.values.map((v) => (info.dtype === 'I64' ? v : Math.fround(v))));
      }
    });
  }

  it('refuses a truncated legacy file, naming it', async () => {
    const bytes = new Uint8Array(await fs.readFile(path.join(fixtures, 'legacy.bin')));
    for (const keep of [3, 100, 300, 600, bytes.length - 1]) {
      expect(() => parseTorchCheckpoint(bytes.subarray(0, keep), '/m/old.bin')).toThrow(/^\/m\/old\.bin.*: .*(cut short|without STOP)/);
    }
  });

  it('refuses a tensor larger than its storage', async () => {
    const file = path.join(fixtures, 'oversized.bin');
    await expect(readTorchCheckpoint(file)).rejects.toThrow(/oversized\.bin: a tensor of shape \[2, 9\] .* reaches element 10 of storage data\/0, which holds only 4/);
  });

  it('refuses a truncated archive, naming the file', async () => {
    const bytes = new Uint8Array(await fs.readFile(path.join(fixtures, 'mixed.bin')));
    for (const keep of [0, 10, 200, bytes.length - 30, bytes.length - 1]) {
      expect(() => parseTorchCheckpoint(bytes.subarray(0, keep), '/m/pytorch_model.bin')).toThrow(/^\/m\/pytorch_model\.bin: .*(truncated|cut short)/);
    }
  });

  for (const [fixture, global] of [['malicious_os_system.bin', 'posix.system'], ['malicious_eval.bin', '__builtin__.eval']] as const) {
    it(`refuses the global ${global} of a __reduce__ payload, and nothing runs`, async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-pickle-'));
      const marker = path.join(dir, 'ran');
      process.env.BERT_LENS_PICKLE_MARKER = marker;
      try {
        const file = path.join(fixtures, fixture);
        await expect(readTorchCheckpoint(file)).rejects.toThrow(`${file} (data.pkl): refused to load the global "${global}"`);
        await expect(fs.stat(marker)).rejects.toThrow(/ENOENT/);
      } finally {
        delete process.env.BERT_LENS_PICKLE_MARKER;
        await fs.rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('restricted unpickler fuzz', () => {
  it('never throws anything but a clear error, and never hangs, on mutated and random pickles', async () => {
    const zipBytes = new Uint8Array(await fs.readFile(path.join(fixtures, 'mixed.bin')));
    const pickleStart = zipBytes.indexOf(0x80); // data.pkl is the first entry: PROTO 2 opens it
    const pickle = zipBytes.slice(pickleStart, pickleStart + 794);
    let seed = 17;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const globals = new Map([['collections.OrderedDict', { call: () => new Map() }]]);
    for (let n = 0; n < 2000; n++) {
      const bytes = n % 4 === 0 ? Uint8Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)) : pickle.slice();
      if (n % 4 !== 0) for (let k = 0; k < 1 + Math.floor(random() * 4); k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        unpickle(bytes, { globals, source: 'fuzz.pkl', persistentLoad: () => ({}) });
      } catch (error) {
        expect((error as Error).name, String(error)).toBe('WeightsFormatError');
        expect((error as Error).message.startsWith('fuzz.pkl: ')).toBe(true);
      }
    }
  });
});
