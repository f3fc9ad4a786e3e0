import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ModelOption } from '../../../webview/protocol';

/*
 * Where fine-tuning runs go: `<workspace>/.bert-lens/runs/<date>-<time>-<task>/` (checkpoint-STEP/
 * folders and the final model), next to the annotations they were trained on, so a run can be found,
 * exported and named in settings by a path relative to the workspace. Without a workspace folder
 * they go to the extension's global storage. A `.gitignore` keeps model weights out of commits.
 */

export const RUNS_FOLDER = path.join('.bert-lens', 'runs');

export function runsDirFor(workspaceDir: string | undefined, globalStorageDir: string): string {
  return workspaceDir ? path.join(workspaceDir, RUNS_FOLDER) : path.join(globalStorageDir, 'runs');
}

function stamp(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}_${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`;
}

/** A new, empty run folder (a suffix keeps two runs started in the same second apart). */
export async function createRunDir(runsDir: string, task: string, date = new Date()): Promise<string> {
  await fs.mkdir(runsDir, { recursive: true });
  const ignore = path.join(runsDir, '.gitignore');
  if (!(await fs.stat(ignore).catch(() => undefined))) await fs.writeFile(ignore, '# Fine-tuned models (large): not for version control.\n*\n');
  const base = `${stamp(date)}-${task}`;
  for (let n = 1; ; n++) {
    const dir = path.join(runsDir, n === 1 ? base : `${base}-${n}`);
    try {
      await fs.mkdir(dir);
      return dir;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

async function isModelFolder(dir: string): Promise<boolean> {
  const [config, weights] = await Promise.all([
    fs.stat(path.join(dir, 'config.json')).catch(() => undefined),
    fs.stat(path.join(dir, 'model.safetensors')).catch(() => undefined),
  ]);
  return Boolean(config?.isFile() && weights?.isFile());
}

/** Final models and checkpoints of earlier runs, newest run first, for the base-model picker. */
export async function listRunModels(runsDir: string, limit = 100): Promise<ModelOption[]> {
  const runs = (await fs.readdir(runsDir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  runs.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const options: ModelOption[] = [];
  for (const run of runs) {
    const runDir = path.join(runsDir, run.name);
    if (await isModelFolder(runDir)) options.push({ label: `${run.name} (final model)`, path: runDir });
    const checkpoints = (await fs.readdir(runDir).catch(() => [] as string[]))
      .map((name) => ({ name, step: /^checkpoint-(\d+)$/.exec(name)?.[1] }))
      .filter((c): c is { name: string; step: string } => c.step !== undefined)
      .sort((a, b) => Number(b.step) - Number(a.step));
    for (const checkpoint of checkpoints) {
      const dir = path.join(runDir, checkpoint.name);
      if (await isModelFolder(dir)) options.push({ label: `${run.name} / ${checkpoint.name}`, path: dir });
    }
    if (options.length >= limit) break;
  }
  return options.slice(0, limit);
}

/** Files of a checkpoint that only training needs; an exported model leaves them out. */
const TRAINING_ONLY = new Set(['optimizer.safetensors', 'trainer_state.json']);

/**
 * Copies a model folder (HF layout) into `destinationParent/<name>`, without optimizer state. The copy
 * is assembled in a temporary folder and renamed into place, so a failed export leaves nothing
 * half-written; an existing destination is never overwritten.
 */
export async function exportModelFolder(sourceDir: string, destinationParent: string, name: string): Promise<string> {
  const source = path.resolve(sourceDir);
  if (!(await isModelFolder(source))) throw new Error(`${source} is not a model folder (config.json and model.safetensors)`);
  const target = path.join(destinationParent, name);
  if (await fs.stat(target).catch(() => undefined)) throw new Error(`${target} already exists: choose another folder`);
  const temp = path.join(destinationParent, `.${name}.export-${process.pid}-${Date.now()}`);
  try {
    await fs.cp(source, temp, { recursive: true, filter: (from) => path.dirname(from) !== source || !TRAINING_ONLY.has(path.basename(from)) });
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return target;
}

/** "2026-11-25_10-30-00-ner-checkpoint-40": a name for an exported copy that says where it came from. */
export function exportName(modelDir: string): string {
  const base = path.basename(modelDir);
  return /^checkpoint-\d+$/.test(base) ? `${path.basename(path.dirname(modelDir))}-${base}` : base;
}
