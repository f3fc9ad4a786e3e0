import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../../src/core/runtime/loadModel';
import { inspectModelFolder, loadSafetensorsWeights } from '../../../../src/core/runtime/modelFolder';
import { fillMask } from '../../../../src/core/tasks/fillMask/pipeline';

// The masked-lm fixture model, saved by torch.save with the decoder tied to the word embeddings,
// whole and as two shards (scripts/reference/torch_bin_fixtures.py).
const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');
const BIN = path.join(FIXTURES, 'pytorch', 'masked-lm');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bin-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function folder(name: string, weights: string[], from = BIN): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    await fs.copyFile(path.join(FIXTURES, 'models', 'masked-lm', file), path.join(dir, file));
  }
  for (const file of weights) await fs.copyFile(path.join(from, file), path.join(dir, file));
  return dir;
}

const SHARDS = ['pytorch_model.bin.index.json', 'pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin'];

describe('a folder with PyTorch weights only', () => {
  it('reads pytorch_model.bin and its shards to the same tensors as model.safetensors', async () => {
    const reference = await loadSafetensorsWeights(await inspectModelFolder(await folder('st', ['model.safetensors'], path.join(FIXTURES, 'models', 'masked-lm'))));
    for (const [name, weights] of [['bin', ['pytorch_model.bin']], ['sharded', SHARDS]] as const) {
      const inspected = await inspectModelFolder(await folder(name, [...weights]));
      expect(inspected.files.safetensors).toBeUndefined();
      expect(inspected.files.pytorch!.map((f) => path.basename(f))).toEqual(name === 'bin' ? ['pytorch_model.bin'] : SHARDS.slice(1));
      const loaded = await loadSafetensorsWeights(inspected);
      expect(loaded.names().sort()).toEqual(reference.names().sort());
      for (const tensor of reference.names()) expect(loaded.float32(tensor), tensor).toEqual(reference.float32(tensor));
    }
  });

  it('prefers model.safetensors when both exist, as transformers does', async () => {
    const dir = await folder('both', ['pytorch_model.bin']);
    await fs.copyFile(path.join(FIXTURES, 'models', 'masked-lm', 'model.safetensors'), path.join(dir, 'model.safetensors'));
    const inspected = await inspectModelFolder(dir);
    expect(inspected.files.safetensors).toEqual([path.join(dir, 'model.safetensors')]);
    expect(inspected.files.pytorch).toBeUndefined();
  });

  it('converts to ONNX and predicts exactly what the safetensors folder predicts', async () => {
    const cacheDir = path.join(work, 'cache');
    const text = 'The [MASK] was founded by [MASK] Smith .';
    const fromSafetensors = await loadModel(path.join(FIXTURES, 'models', 'masked-lm'), { head: 'masked-lm', cacheDir });
    const fromBin = await loadModel(await folder('run', SHARDS), { head: 'masked-lm', cacheDir });
    expect(fromBin.graphSource).toBe('converted');
    expect(await fillMask(fromBin, text)).toEqual(await fillMask(fromSafetensors, text));
  });

  it('names a shard the index lists but the folder lacks', async () => {
    const dir = await folder('missing', SHARDS.slice(0, 2));
    await expect(inspectModelFolder(dir)).rejects.toThrow(/pytorch_model-00002-of-00002\.bin is missing \(listed in .*pytorch_model\.bin\.index\.json\)/);
  });
});
