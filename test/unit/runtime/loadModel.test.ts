import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HeadMismatchError, loadModel } from '../../../src/core/runtime/loadModel';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../../src/core/runtime/safetensors';
import { recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'models');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-load-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** A hub-style folder: config, tokenizer files and model.safetensors, no ONNX. */
async function safetensorsOnly(name: string, source: string): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  for (const file of ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors']) {
    await fs.copyFile(path.join(FIXTURES, source, file), path.join(dir, file));
  }
  return dir;
}

describe('loadModel', () => {
  it('converts a safetensors-only folder once, reuses the cached graph, and rebuilds it when the weights change', async () => {
    const dir = await safetensorsOnly('hubstyle', 'token-classification');
    const cacheDir = path.join(work, 'cache');
    const first = await loadModel(dir, { head: 'token-classification', cacheDir });
    expect(first.graphSource).toBe('converted');
    const built = await fs.stat(first.onnxPath);
    const second = await loadModel(dir, { head: 'token-classification', cacheDir });
    expect(second.onnxPath).toBe(first.onnxPath);
    expect((await fs.stat(second.onnxPath)).mtimeMs).toBe(built.mtimeMs);
    const text = 'John Smith lives in London.';
    const before = await recognizeEntities(second, text, { ignoreLabels: [], aggregationStrategy: 'none' });

    // Change the classifier bias: the cached graph must not be used any more.
    const file = await readSafetensors(path.join(dir, 'model.safetensors'));
    const tensors = new Map<string, TensorToWrite>();
    for (const name of file.names()) {
      const data = file.float32(name).slice();
      if (name === 'classifier.bias') data[0] = data[0]! + 10;
      tensors.set(name, { dtype: 'F32', shape: file.info(name).shape, data });
    }
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const third = await loadModel(dir, { head: 'token-classification', cacheDir });
    expect(third.onnxPath).not.toBe(first.onnxPath);
    const after = await recognizeEntities(third, text, { ignoreLabels: [], aggregationStrategy: 'none' });
    // A +10 bias on label 0 ("O") makes every token "O" with near-certainty.
    expect(after.every((e) => 'entity' in e && e.entity === 'O' && e.score > 0.99)).toBe(true);
    expect(before.some((e) => 'entity' in e && e.entity !== 'O')).toBe(true);
    for (const model of [first, second, third]) await model.session.release();
  });

  it('names the head a task needs when the model has another one', async () => {
    const dir = await safetensorsOnly('mlm', 'masked-lm');
    await expect(loadModel(dir, { head: 'token-classification', cacheDir: path.join(work, 'cache') })).rejects.toThrow(HeadMismatchError);
    await expect(loadModel(dir, { head: 'token-classification', cacheDir: path.join(work, 'cache') })).rejects.toThrow(/BertForMaskedLM .*needs a token-classification head \(BertForTokenClassification\)/);
  });

  it('names a missing or corrupt file', async () => {
    const missing = await safetensorsOnly('missing', 'token-classification');
    await fs.rm(path.join(missing, 'config.json'));
    await expect(loadModel(missing, { head: 'token-classification', cacheDir: path.join(work, 'cache') })).rejects.toThrow(/config\.json/);
    const corrupt = await safetensorsOnly('corrupt', 'token-classification');
    await fs.truncate(path.join(corrupt, 'model.safetensors'), 100);
    await expect(loadModel(corrupt, { head: 'token-classification', cacheDir: path.join(work, 'cache') })).rejects.toThrow(/model\.safetensors/);
  });

  it('prefers int8 weights when asked and converts with quantization when the folder has none', async () => {
    const dir = await safetensorsOnly('quantize', 'token-classification');
    const model = await loadModel(dir, { head: 'token-classification', quantized: true, cacheDir: path.join(work, 'cache') });
    expect(model.quantized).toBe(true);
    expect(model.onnxPath).toMatch(/int8/);
    await model.session.release();
  });
});
