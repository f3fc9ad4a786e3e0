import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunDir, exportModelFolder, exportName, listRunModels, runsDirFor } from '../../../src/host/finetune/runs';

const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-runs-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function fakeModel(dir: string, extra: string[] = []): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const name of ['config.json', 'model.safetensors', 'vocab.txt', ...extra]) await fs.writeFile(path.join(dir, name), name);
}

describe('run folders', () => {
  it('live in the workspace (.bert-lens/runs) or global storage, named by date and task, never reused', async () => {
    expect(runsDirFor('/ws', '/global')).toBe(path.join('/ws', '.bert-lens', 'runs'));
    expect(runsDirFor(undefined, '/global')).toBe(path.join('/global', 'runs'));
    const runs = path.join(work, 'ws', '.bert-lens', 'runs');
    const date = new Date(2026, 10, 25, 9, 5, 3);
    const a = await createRunDir(runs, 'ner', date);
    const b = await createRunDir(runs, 'ner', date);
    expect(path.basename(a)).toBe('2026-11-25_09-05-03-ner');
    expect(path.basename(b)).toBe('2026-11-25_09-05-03-ner-2');
    expect(await fs.readFile(path.join(runs, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('lists final models and checkpoints of earlier runs, newest first, only complete model folders', async () => {
    const runs = path.join(work, 'list');
    await fakeModel(path.join(runs, '2026-01-01_00-00-00-ner'));
    await fakeModel(path.join(runs, '2026-01-01_00-00-00-ner', 'checkpoint-10'));
    await fakeModel(path.join(runs, '2026-01-01_00-00-00-ner', 'checkpoint-2'));
    await fs.mkdir(path.join(runs, '2026-02-01_00-00-00-ner', 'checkpoint-5'), { recursive: true }); // no weights
    await fakeModel(path.join(runs, '2026-02-01_00-00-00-ner', 'checkpoint-4'));
    await fakeModel(path.join(runs, '2026-02-01_00-00-00-ner', '.checkpoint-6.tmp-1'));
    expect((await listRunModels(runs)).map((m) => m.label)).toEqual([
      '2026-02-01_00-00-00-ner / checkpoint-4',
      '2026-01-01_00-00-00-ner (final model)',
      '2026-01-01_00-00-00-ner / checkpoint-10',
      '2026-01-01_00-00-00-ner / checkpoint-2',
    ]);
    expect(await listRunModels(path.join(work, 'nothing-here'))).toEqual([]);
  });

  it('export copies the HF folder without optimizer state, refuses to overwrite, leaves nothing on failure', async () => {
    const source = path.join(work, 'run-x', 'checkpoint-8');
    await fakeModel(source, ['optimizer.safetensors', 'trainer_state.json', 'tokenizer.json']);
    await fs.mkdir(path.join(source, 'onnx'));
    await fs.writeFile(path.join(source, 'onnx', 'model.onnx'), 'graph');
    const destination = path.join(work, 'exports');
    await fs.mkdir(destination);
    expect(exportName(source)).toBe('run-x-checkpoint-8');
    const target = await exportModelFolder(source, destination, exportName(source));
    expect((await fs.readdir(target)).sort()).toEqual(['config.json', 'model.safetensors', 'onnx', 'tokenizer.json', 'vocab.txt']);
    expect(await fs.readFile(path.join(target, 'onnx', 'model.onnx'), 'utf8')).toBe('graph');
    await expect(exportModelFolder(source, destination, exportName(source))).rejects.toThrow(/already exists/);
    await expect(exportModelFolder(path.join(work, 'run-x'), destination, 'x')).rejects.toThrow(/not a model folder/);
    // A destination that cannot take it (a file, not a folder) fails without leftovers.
    const notAFolder = path.join(destination, 'file.txt');
    await fs.writeFile(notAFolder, 'x');
    await expect(exportModelFolder(source, notAFolder, 'y')).rejects.toThrow();
    expect((await fs.readdir(destination)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
