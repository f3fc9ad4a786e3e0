import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../bert/config';
import { headFromArchitecture, type HeadKind } from '../bert/heads';
import { readSafetensors } from '../runtime/safetensors';

export class AverageWeightsError extends Error {}

/**
 * The element-wise mean of the weights of several model folders (checkpoint averaging, as fairseq's
 * average_checkpoints.py; or a "uniform model soup", Wortsman et al. 2022, of runs that started from
 * the same weights): such models lie in one basin, and their mean usually scores a little better on
 * held-out data than any one of them. Runs from different starting weights do not average.
 * Sums run in float64; the config (labels included) is the last folder's, and every folder must hold
 * the same tensors with the same shapes.
 */
export async function averageWeights(dirs: readonly string[]): Promise<{ config: BertConfig; head: HeadKind; weights: Map<string, Float32Array> }> {
  if (dirs.length === 0) throw new AverageWeightsError('no model folders to average');
  const last = dirs[dirs.length - 1]!;
  const config = parseBertConfig(JSON.parse(await fs.readFile(path.join(last, 'config.json'), 'utf8')));
  const head = headFromArchitecture(config.architectures?.[0] ?? '');
  if (!head) throw new AverageWeightsError(`${last}: config.json names no BERT head architecture`);
  const sums = new Map<string, { shape: readonly number[]; sum: Float64Array }>();
  for (const [index, dir] of dirs.entries()) {
    const file = await readSafetensors(path.join(dir, 'model.safetensors'));
    const names = file.names();
    if (index > 0 && (names.length !== sums.size || names.some((n) => !sums.has(n)))) {
      throw new AverageWeightsError(`${dir} holds other tensors than ${dirs[0]}`);
    }
    for (const name of names) {
      const values = file.float32(name);
      const shape = file.info(name).shape;
      let entry = sums.get(name);
      if (!entry) {
        entry = { shape, sum: new Float64Array(values.length) };
        sums.set(name, entry);
      } else if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
        throw new AverageWeightsError(`${name} is [${shape.join(', ')}] in ${dir} but [${entry.shape.join(', ')}] in ${dirs[0]}`);
      }
      for (let i = 0; i < values.length; i++) entry.sum[i]! += values[i]!;
    }
  }
  const weights = new Map([...sums].map(([name, { sum }]) => [name, Float32Array.from(sum, (x) => x / dirs.length)]));
  return { config, head, weights };
}
