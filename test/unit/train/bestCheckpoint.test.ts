import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { diskUsage, listCheckpoints } from '../../../src/core/train/checkpoint';
import { train, type TrainerEvent } from '../../../src/core/train/trainer';
import { syntheticNerData } from './syntheticData';

const BASE = path.join(__dirname, '..', '..', 'fixtures', 'models', 'base');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-best-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function weightsOf(dir: string): Promise<Map<string, Float32Array>> {
  const file = await readSafetensors(path.join(dir, 'model.safetensors'));
  return new Map(file.names().map((n) => [n, file.float32(n).slice()]));
}

describe('best checkpoint and disk use', () => {
  it('save_total_limit 1 keeps the best (and the last only while it differs); the final model is the best, stored once', async () => {
    const out = path.join(work, 'limit-1');
    const events: TrainerEvent[] = [];
    const result = await train({
      task: 'ner', modelDir: BASE, train: syntheticNerData(48, 5), eval: syntheticNerData(16, 6), outputDir: out,
      // A learning rate this high makes the dev score move around, so best and last can differ.
      args: { learning_rate: 5e-2, num_train_epochs: 2, per_device_train_batch_size: 8, save_steps: 2, eval_steps: 2, save_total_limit: 1, seed: 4 },
      onEvent: (e) => events.push(e),
    });
    const evals = events.filter((e): e is Extract<TrainerEvent, { type: 'eval' }> => e.type === 'eval');
    const bestEval = evals.reduce((a, e) => (e.metrics.score > a.metrics.score ? e : a));
    expect(result.bestModelCheckpoint).toBe(path.join(out, `checkpoint-${bestEval.step}`));
    const kept = (await listCheckpoints(out)).map((c) => c.dir);
    const last = path.join(out, `checkpoint-${result.steps}`);
    expect(kept).toEqual([...new Set([result.bestModelCheckpoint!, last])].sort((a, b) => Number(a.split('-').pop()) - Number(b.split('-').pop())));
    // The run finished: no checkpoint keeps optimizer state.
    for (const dir of kept) await expect(fs.stat(path.join(dir, 'optimizer.safetensors'))).rejects.toThrow();
    // load_best_model_at_end: the final weights are the best checkpoint's, on disk once.
    const final = await weightsOf(out);
    const bestWeights = await weightsOf(result.bestModelCheckpoint!);
    for (const [name, value] of bestWeights) expect(final.get(name), name).toEqual(value);
    const [a, b] = await Promise.all([fs.stat(path.join(out, 'model.safetensors')), fs.stat(path.join(result.bestModelCheckpoint!, 'model.safetensors'))]);
    expect(a.ino).toBe(b.ino);
    expect(result.metrics).toEqual(bestEval.metrics);
    expect(result.diskBytes).toBe(await diskUsage(out));
    const log = JSON.parse(await fs.readFile(path.join(out, 'training_log.json'), 'utf8'));
    expect(log.best_model_checkpoint).toBe(result.bestModelCheckpoint);
    expect(bestEval.metrics.confusion).toBeDefined();
  });

  it('an unfinished run keeps optimizer state in its newest checkpoint only', async () => {
    const out = path.join(work, 'partial');
    await train({
      task: 'ner', modelDir: BASE, train: syntheticNerData(48, 5), outputDir: out, maxSteps: 6,
      args: { num_train_epochs: 2, per_device_train_batch_size: 8, save_steps: 2, save_total_limit: 3, seed: 4 },
    });
    const kept = await listCheckpoints(out);
    expect(kept.map((c) => c.step)).toEqual([2, 4, 6]);
    const hasOptimizer = await Promise.all(kept.map((c) => fs.stat(path.join(c.dir, 'optimizer.safetensors')).then(() => true, () => false)));
    expect(hasOptimizer).toEqual([false, false, true]);
  });
});
