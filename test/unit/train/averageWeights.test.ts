import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import { initWeights } from '../../../src/core/bert/init';
import { saveModelFolder } from '../../../src/core/bert/saveFolder';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { averageWeights, AverageWeightsError } from '../../../src/core/train/averageWeights';

const config = parseBertConfig({ vocab_size: 40, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16, id2label: { 0: 'O', 1: 'B-PER', 2: 'I-PER' } });

async function folder(seed: number, head: 'token-classification' | 'sequence-classification' = 'token-classification', labels = config.id2label): Promise<{ dir: string; weights: Map<string, Float32Array> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-average-'));
  const cfg = { ...config, id2label: labels, label2id: Object.fromEntries(Object.entries(labels).map(([i, l]) => [l, Number(i)])) };
  const weights = initWeights(weightSpecs(cfg, head), cfg, seed);
  await saveModelFolder(dir, { config: cfg, head, weights, tokenizerFiles: {}, onnx: false });
  return { dir, weights };
}

describe('averageWeights', () => {
  it('is the element-wise mean of the folders, with the last folder\'s config', async () => {
    const folders = await Promise.all([1, 2, 3].map((seed) => folder(seed)));
    const { weights, head, config: averagedConfig } = await averageWeights(folders.map((f) => f.dir));
    expect(head).toBe('token-classification');
    expect(averagedConfig.id2label).toEqual(config.id2label);
    expect([...weights.keys()].sort()).toEqual([...folders[0]!.weights.keys()].sort());
    for (const [name, mean] of weights) {
      const parts = folders.map((f) => f.weights.get(name)!);
      for (let i = 0; i < mean.length; i++) expect(mean[i]).toBe(Math.fround((parts[0]![i]! + parts[1]![i]! + parts[2]![i]!) / 3));
    }
    // Seeds differ, so the mean is not any one of them.
    const name = 'bert.encoder.layer.0.attention.self.query.weight';
    expect(weights.get(name)!.some((v, i) => v !== folders[0]!.weights.get(name)![i])).toBe(true);
  });

  it('refuses folders of different heads or shapes, and an empty list', async () => {
    const token = await folder(1);
    const other = await folder(2, 'token-classification', { 0: 'O', 1: 'B-LOC', 2: 'I-LOC', 3: 'B-PER', 4: 'I-PER' });
    const sequence = await folder(3, 'sequence-classification');
    await expect(averageWeights([token.dir, other.dir])).rejects.toThrow(/classifier\.(weight|bias) is \[5/);
    await expect(averageWeights([token.dir, sequence.dir])).rejects.toThrow(AverageWeightsError);
    await expect(averageWeights([])).rejects.toThrow('no model folders');
  });
});
