import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBertConfig, type BertConfig } from '../../../src/core/bert/config';
import { saveModelFolder, SaveFolderError } from '../../../src/core/bert/saveFolder';
import { inspectModelFolder } from '../../../src/core/runtime/modelFolder';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { listCheckpoints } from '../../../src/core/train/checkpoint';
import { readTokenizerFiles, train, type TrainerEvent } from '../../../src/core/train/trainer';
import { failWrites } from './diskFaults';
import { syntheticNerData } from './syntheticData';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'models');
const TOKEN_MODEL = path.join(FIXTURES, 'token-classification');
const BASE = path.join(FIXTURES, 'base');
let work: string;
let config: BertConfig;
let weights: Map<string, Float32Array>;
let tokenizerFiles: Record<string, Buffer>;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-whole-saves-'));
  config = parseBertConfig(JSON.parse(await fs.readFile(path.join(TOKEN_MODEL, 'config.json'), 'utf8')));
  const file = await readSafetensors(path.join(TOKEN_MODEL, 'model.safetensors'));
  weights = new Map(file.names().map((n) => [n, file.float32(n).slice()]));
  tokenizerFiles = await readTokenizerFiles(TOKEN_MODEL);
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

const save = (dir: string, w = weights) => saveModelFolder(dir, { config, head: 'token-classification', weights: w, tokenizerFiles, onnx: true, quantized: true });

/** Every file under `dir` (relative path → bytes). */
async function tree(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, file), await fs.readFile(file));
  }
  return out;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error);
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('saveModelFolder: whole or absent', () => {
  it('leaves no folder at all when the disk fills while writing a new one, and says which file and how much space', async () => {
    const parent = path.join(work, 'fresh');
    await fs.mkdir(parent);
    const dir = path.join(parent, 'model');
    const fault = failWrites((file) => file.includes(`${path.sep}onnx${path.sep}.model.onnx.`));
    let error: Error;
    try {
      error = await refusal(save(dir));
    } finally {
      fault.restore();
    }
    expect(fault.failed.length).toBe(1);
    expect(error).toBeInstanceOf(SaveFolderError);
    expect(error.message).toContain(`writing ${path.join(dir, 'onnx', 'model.onnx')} failed: no space left on the disk`);
    expect(error.message).toMatch(/the save needs about [\d.]+ (KiB|MiB), [\d.]+ (KiB|MiB|GiB) are free there\); nothing was saved/);
    expect(await fs.readdir(parent)).toEqual([]);
  });

  it('keeps an existing model and its checkpoints byte for byte when the disk fills while replacing it', async () => {
    const dir = path.join(work, 'existing');
    await save(dir);
    await fs.mkdir(path.join(dir, 'checkpoint-3'));
    await fs.writeFile(path.join(dir, 'checkpoint-3', 'trainer_state.json'), '{}');
    const before = await tree(dir);
    const changed = new Map([...weights].map(([n, v]) => [n, v.map((x) => x * 2)]));
    for (const doomed of ['.model.safetensors.', '.config.json.']) {
      const fault = failWrites((file) => path.basename(file).startsWith(doomed));
      try {
        const error = await refusal(save(dir, changed));
        expect(error.message).toContain(`${dir} is as it was`);
      } finally {
        fault.restore();
      }
      expect(await tree(dir)).toEqual(before);
    }
  });

  it('replaces every model file of an existing folder, removes stale ones and keeps the rest', async () => {
    const dir = path.join(work, 'replace');
    await save(dir);
    await fs.writeFile(path.join(dir, 'notes.txt'), 'mine');
    await saveModelFolder(dir, { config, head: 'token-classification', weights, tokenizerFiles, onnx: true, quantized: false });
    await expect(fs.stat(path.join(dir, 'onnx', 'model_quantized.onnx'))).rejects.toThrow();
    expect(await fs.readFile(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    expect((await inspectModelFolder(dir)).files.onnx).toBe(path.join(dir, 'onnx', 'model.onnx'));
    expect((await fs.readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses to save NaN or infinite weights', async () => {
    const dir = path.join(work, 'nan');
    const broken = new Map(weights);
    broken.set('classifier.bias', Float32Array.of(NaN, ...weights.get('classifier.bias')!.slice(1)));
    await expect(save(dir, broken)).rejects.toThrow(/1 of the 9 values of classifier\.bias are NaN or infinite/);
    await expect(fs.stat(dir)).rejects.toThrow();
  });
});

describe('training saves', () => {
  it('leaves the output folder without a half model when the disk fills during the final save', async () => {
    const out = path.join(work, 'final-enospc');
    // Checkpoints have no ONNX graph: this is the final model's.
    const fault = failWrites((file) => path.basename(file).startsWith('.model.onnx.'));
    let error: Error;
    try {
      error = await refusal(train({
        task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(16, 3), outputDir: out,
        args: { per_device_train_batch_size: 8, save_steps: 1, num_train_epochs: 1 },
      }));
    } finally {
      fault.restore();
    }
    expect(error.message).toContain(`writing ${path.join(out, 'onnx', 'model.onnx')} failed: no space left on the disk`);
    expect(error.message).toMatch(/needs about .* are free there/);
    expect((await fs.readdir(out)).sort()).toEqual(['checkpoint-1', 'checkpoint-2']);
  });

  it('names the file and the space needed when a checkpoint does not fit', async () => {
    const out = path.join(work, 'checkpoint-enospc');
    const fault = failWrites((file) => file.includes('.checkpoint-2.tmp') && path.basename(file).startsWith('.optimizer.safetensors.'));
    try {
      const error = await refusal(train({
        task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(16, 3), outputDir: out,
        args: { per_device_train_batch_size: 8, save_steps: 1, num_train_epochs: 1 },
      }));
      expect(error.message).toContain(`writing ${path.join(out, 'checkpoint-2', 'optimizer.safetensors')} failed: no space left on the disk (the save needs about`);
      expect(error.message).toContain('earlier checkpoints are intact');
    } finally {
      fault.restore();
    }
    expect((await listCheckpoints(out)).map((c) => c.step)).toEqual([1]);
  });

  it('never writes or names as good a checkpoint whose weights overflowed (lr 1e38, clipping off)', async () => {
    const out = path.join(work, 'overflow');
    const error = await refusal(train({
      task: 'ner', modelDir: BASE, train: syntheticNerData(32, 5), outputDir: out,
      args: { learning_rate: 1e38, max_grad_norm: 0, per_device_train_batch_size: 8, save_steps: 1, num_train_epochs: 2 },
    }));
    expect(error.message).toMatch(/the update of step 1 made \d+ of the \d+ values of .* NaN or infinite; training stopped\. Try a lower learning_rate/);
    expect(error.message).not.toMatch(/last good checkpoint/);
    expect(await listCheckpoints(out)).toEqual([]);
  });

  it('refuses an output folder that cannot be created before the first step', async () => {
    const blocker = path.join(work, 'a-file');
    await fs.writeFile(blocker, '');
    const events: TrainerEvent[] = [];
    const out = path.join(blocker, 'out');
    const error = await refusal(train({ task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(8, 1), outputDir: out, onEvent: (e) => events.push(e) }));
    expect(error.message).toBe(`cannot create the output folder ${out}: ${blocker} is a file, not a folder`);
    expect(events).toEqual([]);
  });

  it('refuses a read-only output folder before the first step', async () => {
    const out = path.join(work, 'read-only');
    await fs.mkdir(out);
    const events: TrainerEvent[] = [];
    // A read-only mount, injected: root (as in CI containers) ignores permission bits.
    const fault = failWrites((file) => path.dirname(file) === out, () => Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' }));
    try {
      const error = await refusal(train({ task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(8, 1), outputDir: out, onEvent: (e) => events.push(e) }));
      expect(error.message).toBe(`cannot write to the output folder ${out}: the disk is read-only; choose a folder on a writable disk`);
    } finally {
      fault.restore();
    }
    expect(events).toEqual([]);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('refuses an output folder without write permission', async () => {
    const out = path.join(work, 'no-permission');
    await fs.mkdir(out, { mode: 0o555 });
    await expect(train({ task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(8, 1), outputDir: out }))
      .rejects.toThrow(`cannot write to the output folder ${out}: permission denied`);
  });

  it('warns when every tag of the training data is O', async () => {
    const data = syntheticNerData(8, 2);
    for (const sentence of data.sentences) sentence.tags = sentence.tags.map(() => 'O');
    const events: TrainerEvent[] = [];
    await train({ task: 'ner', modelDir: TOKEN_MODEL, train: data, outputDir: path.join(work, 'only-o'), maxSteps: 1, onEvent: (e) => events.push(e) });
    const warnings = events.filter((e) => e.type === 'info' && /every tag of the training data is O/.test(e.message));
    expect(warnings.length).toBe(1);
    const mixed: TrainerEvent[] = [];
    await train({ task: 'ner', modelDir: TOKEN_MODEL, train: syntheticNerData(8, 2), outputDir: path.join(work, 'mixed'), maxSteps: 1, onEvent: (e) => mixed.push(e) });
    expect(mixed.some((e) => e.type === 'info' && /every tag/.test(e.message))).toBe(false);
  });
});
