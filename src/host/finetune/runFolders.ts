import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { diskUsage } from '../../core/train/checkpoint';
import type { RunView } from '../../../webview/protocol';

/*
 * The runs on disk as the panel's Runs list shows them: disk use, the best checkpoint (what the
 * trainer wrote into training_log.json), which folder "Use for NER" takes, and deleting a run.
 * No VS Code here, so all of it is tested on plain folders.
 */

const CHECKPOINT = /^checkpoint-(\d+)$/;

/** Thrown when a run cannot be deleted (it is training, or the path is not a run folder); the message is for the user. */
export class RunFolderError extends Error {
  override name = 'RunFolderError';
}

async function isModelFolder(dir: string): Promise<boolean> {
  const [config, weights] = await Promise.all([
    fs.stat(path.join(dir, 'config.json')).catch(() => undefined),
    fs.stat(path.join(dir, 'model.safetensors')).catch(() => undefined),
  ]);
  return Boolean(config?.isFile() && weights?.isFile());
}

/** What a run folder holds, as read from disk. */
export interface RunContents {
  dir: string;
  /** The run folder itself is a model folder (the final model was saved). */
  finalModel: boolean;
  /** The best checkpoint's folder, when training_log.json names one and it is still a model folder. */
  bestCheckpoint: string | null;
  /** load_best_model_at_end of the run (training_log.json args); false when unknown. */
  loadBestAtEnd: boolean;
  /** Checkpoint folders that are model folders, oldest step first. */
  checkpoints: string[];
}

/**
 * The folder "Use for NER" takes for a run: with load_best_model_at_end the final model holds the
 * best checkpoint's weights (and has the ONNX graph), so the final model; otherwise the best
 * checkpoint; else the final model; else (a run still training, or cancelled) the newest checkpoint.
 */
export function nerModelOfRun(run: RunContents): string | null {
  if (run.finalModel && (run.loadBestAtEnd || run.bestCheckpoint === null)) return run.dir;
  if (run.bestCheckpoint !== null) return run.bestCheckpoint;
  if (run.finalModel) return run.dir;
  return run.checkpoints[run.checkpoints.length - 1] ?? null;
}

async function trainingLog(dir: string): Promise<{ best?: string; loadBest: boolean }> {
  try {
    const log = JSON.parse(await fs.readFile(path.join(dir, 'training_log.json'), 'utf8')) as { best_model_checkpoint?: unknown; args?: { load_best_model_at_end?: unknown } };
    // The path was absolute where the run was trained: the folder name inside this run is what counts (the workspace may have moved).
    const best = typeof log.best_model_checkpoint === 'string' && CHECKPOINT.test(path.basename(log.best_model_checkpoint))
      ? path.join(dir, path.basename(log.best_model_checkpoint)) : undefined;
    return { best, loadBest: log.args?.load_best_model_at_end === true };
  } catch {
    return { loadBest: false };
  }
}

export async function readRun(dir: string): Promise<RunContents> {
  const names = (await fs.readdir(dir).catch(() => [] as string[]))
    .map((name) => ({ name, step: CHECKPOINT.exec(name)?.[1] }))
    .filter((c): c is { name: string; step: string } => c.step !== undefined)
    .sort((a, b) => Number(a.step) - Number(b.step));
  const checkpoints: string[] = [];
  for (const { name } of names) if (await isModelFolder(path.join(dir, name))) checkpoints.push(path.join(dir, name));
  const log = await trainingLog(dir);
  return {
    dir,
    finalModel: await isModelFolder(dir),
    bestCheckpoint: log.best !== undefined && checkpoints.includes(log.best) ? log.best : null,
    loadBestAtEnd: log.loadBest,
    checkpoints,
  };
}

/** Runs under runsDir, newest first (the folder names start with the date). `trainingDir`: the run being written now. */
export async function listRuns(runsDir: string, trainingDir?: string | null, limit = 200): Promise<RunView[]> {
  const entries = (await fs.readdir(runsDir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
  const training = trainingDir ? path.resolve(trainingDir) : undefined;
  const runs: RunView[] = [];
  for (const entry of entries.slice(0, limit)) {
    const dir = path.join(runsDir, entry.name);
    const contents = await readRun(dir);
    runs.push({
      name: entry.name,
      path: dir,
      diskBytes: await diskUsage(dir),
      bestCheckpoint: contents.bestCheckpoint,
      nerModel: nerModelOfRun(contents),
      checkpoints: contents.checkpoints.map((c) => path.basename(c)),
      training: path.resolve(dir) === training,
    });
  }
  return runs;
}

/**
 * Deletes a run folder: only a folder directly inside runsDir, never the run a job is writing. It is
 * renamed away first, so the list never shows a half-deleted run even when removing the files fails.
 */
export async function deleteRun(runsDir: string, runDir: string, trainingDir?: string | null): Promise<void> {
  const dir = path.resolve(runDir);
  const name = path.basename(dir);
  if (path.dirname(dir) !== path.resolve(runsDir) || name.startsWith('.') || name === '') throw new RunFolderError(`${runDir} is not a run folder of ${runsDir}`);
  if (trainingDir && path.resolve(trainingDir) === dir) throw new RunFolderError(`${name} is training: cancel the job (or let it finish) before deleting the run`);
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new RunFolderError(`${name} no longer exists`);
  const doomed = path.join(path.dirname(dir), `.deleting-${name}-${process.pid}-${Date.now()}`);
  await fs.rename(dir, doomed);
  await fs.rm(doomed, { recursive: true, force: true });
}
