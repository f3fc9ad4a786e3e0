import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteRun, listRuns, nerModelOfRun, readRun, RunFolderError, type RunContents } from '../../../src/host/finetune/runFolders';

const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-run-folders-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function fakeModel(dir: string, bytes = 10): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), '{}');
  await fs.writeFile(path.join(dir, 'model.safetensors'), Buffer.alloc(bytes));
}

/** A run as the trainer leaves it: checkpoints, training_log.json naming the best (as an absolute path of the machine it ran on), the final model. */
async function fakeRun(dir: string, options: { checkpoints: number[]; best?: number; loadBest?: boolean; final?: boolean }): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const step of options.checkpoints) await fakeModel(path.join(dir, `checkpoint-${step}`), 100);
  if (options.final !== false) await fakeModel(dir, 1000);
  await fs.writeFile(path.join(dir, 'training_log.json'), JSON.stringify({
    args: { load_best_model_at_end: options.loadBest ?? true },
    best_model_checkpoint: options.best === undefined ? null : `/elsewhere/${path.basename(dir)}/checkpoint-${options.best}`,
  }));
}

const contents = (overrides: Partial<RunContents>): RunContents => ({
  dir: '/runs/a', finalModel: true, bestCheckpoint: '/runs/a/checkpoint-4', loadBestAtEnd: true, checkpoints: ['/runs/a/checkpoint-4', '/runs/a/checkpoint-8'], ...overrides,
});

describe('which folder "Use for NER" takes for a run', () => {
  it('the final model when load_best_model_at_end gave it the best weights', () => {
    expect(nerModelOfRun(contents({}))).toBe('/runs/a');
  });

  it('the best checkpoint when the final model is the last step (load_best_model_at_end off)', () => {
    expect(nerModelOfRun(contents({ loadBestAtEnd: false }))).toBe('/runs/a/checkpoint-4');
  });

  it('the best checkpoint of a run that has no final model yet (training, cancelled)', () => {
    expect(nerModelOfRun(contents({ finalModel: false }))).toBe('/runs/a/checkpoint-4');
  });

  it('without a best (no dev set): the final model, else the newest checkpoint, else nothing', () => {
    expect(nerModelOfRun(contents({ bestCheckpoint: null, loadBestAtEnd: false }))).toBe('/runs/a');
    expect(nerModelOfRun(contents({ bestCheckpoint: null, finalModel: false }))).toBe('/runs/a/checkpoint-8');
    expect(nerModelOfRun(contents({ bestCheckpoint: null, finalModel: false, checkpoints: [] }))).toBeNull();
  });
});

describe('runs on disk', () => {
  it('reads the best checkpoint by its folder name in this run, only while it is on disk', async () => {
    const dir = path.join(work, 'read', 'run');
    await fakeRun(dir, { checkpoints: [2, 10, 4], best: 4, loadBest: false });
    const run = await readRun(dir);
    expect(run.checkpoints.map((c) => path.basename(c))).toEqual(['checkpoint-2', 'checkpoint-4', 'checkpoint-10']);
    expect(run.bestCheckpoint).toBe(path.join(dir, 'checkpoint-4'));
    expect(run.loadBestAtEnd).toBe(false);
    expect(nerModelOfRun(run)).toBe(path.join(dir, 'checkpoint-4'));
    await fs.rm(path.join(dir, 'checkpoint-4'), { recursive: true });
    expect((await readRun(dir)).bestCheckpoint).toBeNull();
  });

  it('a run without (or with a broken) training_log.json has no best and is not taken for load_best', async () => {
    const dir = path.join(work, 'nolog', 'run');
    await fakeModel(dir);
    await fakeModel(path.join(dir, 'checkpoint-3'));
    expect(await readRun(dir)).toMatchObject({ finalModel: true, bestCheckpoint: null, loadBestAtEnd: false });
    await fs.writeFile(path.join(dir, 'training_log.json'), '{ not json');
    expect(await readRun(dir)).toMatchObject({ bestCheckpoint: null, loadBestAtEnd: false });
  });

  it('lists runs newest first with disk use (hard links once), best checkpoint, Use-for-NER folder and the training flag', async () => {
    const runs = path.join(work, 'list');
    await fakeRun(path.join(runs, '2026-01-01_00-00-00-ner'), { checkpoints: [4, 8], best: 4 });
    await fakeRun(path.join(runs, '2026-02-01_00-00-00-ner'), { checkpoints: [2], final: false });
    await fs.mkdir(path.join(runs, '.deleting-old'), { recursive: true });
    const older = path.join(runs, '2026-01-01_00-00-00-ner');
    // The final model's weights shared with the best checkpoint (as the trainer does): counted once.
    await fs.rm(path.join(older, 'checkpoint-4', 'model.safetensors'));
    await fs.link(path.join(older, 'model.safetensors'), path.join(older, 'checkpoint-4', 'model.safetensors'));
    const listed = await listRuns(runs, path.join(runs, '2026-02-01_00-00-00-ner'));
    expect(listed.map((r) => r.name)).toEqual(['2026-02-01_00-00-00-ner', '2026-01-01_00-00-00-ner']);
    const [newer, old] = listed;
    expect(newer).toMatchObject({ training: true, bestCheckpoint: null, nerModel: path.join(runs, '2026-02-01_00-00-00-ner', 'checkpoint-2'), checkpoints: ['checkpoint-2'] });
    const logBytes = (await fs.stat(path.join(older, 'training_log.json'))).size;
    // config.json ×3 (2 bytes each), final weights 1000 (linked into checkpoint-4), checkpoint-8 weights 100, the log.
    expect(old).toMatchObject({ training: false, bestCheckpoint: path.join(older, 'checkpoint-4'), nerModel: older, checkpoints: ['checkpoint-4', 'checkpoint-8'], diskBytes: 6 + 1000 + 100 + logBytes });
    expect(await listRuns(path.join(work, 'missing'))).toEqual([]);
  });
});

describe('Delete run', () => {
  it('deletes the folder, and refuses the run that is training, folders outside the runs folder and missing ones', async () => {
    const runs = path.join(work, 'delete');
    const a = path.join(runs, 'run-a');
    const b = path.join(runs, 'run-b');
    await fakeRun(a, { checkpoints: [1] });
    await fakeRun(b, { checkpoints: [1] });
    await expect(deleteRun(runs, a, a)).rejects.toThrow(RunFolderError);
    await expect(deleteRun(runs, a, `${a}${path.sep}`)).rejects.toThrow(/run-a is training: cancel the job/);
    expect((await fs.stat(a)).isDirectory()).toBe(true);
    await expect(deleteRun(runs, path.join(a, 'checkpoint-1'))).rejects.toThrow(/not a run folder/);
    await expect(deleteRun(runs, runs)).rejects.toThrow(/not a run folder/);
    await expect(deleteRun(runs, path.join(runs, '..', 'elsewhere'))).rejects.toThrow(/not a run folder/);
    await expect(deleteRun(runs, path.join(runs, '.gitignore'))).rejects.toThrow(/not a run folder/);

    await deleteRun(runs, a, b);
    expect(await fs.stat(a).catch(() => undefined)).toBeUndefined();
    expect((await fs.readdir(runs)).sort()).toEqual(['run-b']);
    await expect(deleteRun(runs, a)).rejects.toThrow(/no longer exists/);
  });
});
