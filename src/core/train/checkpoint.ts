import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { configJson } from '../bert/saveFolder';
import type { BertConfig } from '../bert/config';
import type { HeadKind } from '../bert/heads';
import { weightSpecs } from '../bert/weightNames';
import { readSafetensors, serializeSafetensorsChunks, type TensorToWrite } from '../runtime/safetensors';
import { syncDirectory, writeFileAtomic } from '../util/atomicWrite';
import { describeWriteFailure } from '../util/diskFull';
import { firstNonFinite } from '../util/finite';
import { jsonErrorLocation } from '../util/jsonSyntax';
import { modelFilePath } from '../runtime/modelFileLinks';
import type { RandomState } from '../util/random';
import type { AdamWSnapshot, ParamGroup } from './adamw';
import { checkpointsToDelete } from './checkpointRotation';
import type { TrainingArguments } from './trainingArguments';

/** The weights to save hold NaN or ±Infinity. */
export class NonFiniteWeightsError extends Error {
  override name = 'NonFiniteWeightsError';
}

/** What a checkpoint needs besides tensors to continue exactly where it stopped. */
export interface TrainerState {
  format: 'bert-lens-trainer-state/1';
  global_step: number;
  /** Fractional epoch, as HF logs it. */
  epoch: number;
  /** The epoch in progress and the next micro-batch of it. */
  epoch_index: number;
  batch_index: number;
  total_steps: number;
  /** Data generator state at the start of the epoch in progress (re-shuffles the same order). */
  epoch_random: RandomState;
  /** Generator of dropout masks and MLM masking, as it is after the last step. */
  step_random: RandomState;
  task: string;
  head: HeadKind;
  trainable: string[];
  args: TrainingArguments;
  optimizer: { betas: [number, number]; eps: number; groups: ParamGroup[]; steps: Record<string, number> };
  log_history: Array<Record<string, unknown>>;
  /** Size and a digest of the training rows, to warn when a resume uses other data. */
  data_fingerprint: string;
  /** HF TrainerState's best checkpoint by metric_for_best_model so far (absent before any). */
  best_model_checkpoint?: string;
  best_metric?: number;
  best_step?: number;
}

export interface CheckpointContents {
  config: BertConfig;
  head: HeadKind;
  weights: ReadonlyMap<string, Float32Array>;
  optimizer: AdamWSnapshot;
  state: Omit<TrainerState, 'optimizer' | 'format'>;
  /** The source folder's tokenizer files, written as they are (SentencePiece models are binary). */
  tokenizerFiles: Record<string, string | Uint8Array>;
}

/**
 * Writes checkpoint-STEP/ (model.safetensors, optimizer.safetensors, trainer_state.json, config.json,
 * tokenizer files) into a temporary folder and renames it into place only when complete: a crash,
 * a kill or a full disk leaves the previous checkpoints as they were. The folder is an HF model folder
 * (no ONNX: the runtime converts safetensors on first use).
 */
export async function saveCheckpoint(outputDir: string, contents: CheckpointContents): Promise<string> {
  const final = path.join(outputDir, `checkpoint-${contents.state.global_step}`);
  const temp = path.join(outputDir, `.checkpoint-${contents.state.global_step}.tmp-${process.pid}`);
  const tensors = new Map<string, TensorToWrite>();
  for (const spec of weightSpecs(contents.config, contents.head)) {
    tensors.set(spec.name, { dtype: 'F32', shape: spec.shape, data: contents.weights.get(spec.name)! });
  }
  // Never a checkpoint of broken weights: a later "last good checkpoint" would name it.
  const bad = firstNonFinite([...tensors].map(([name, t]) => [name, t.data as Float32Array]));
  if (bad) throw new NonFiniteWeightsError(`${bad.count} of the ${bad.size} values of ${bad.name} are NaN or infinite; ${final} was not saved`);
  const moments = new Map<string, TensorToWrite>();
  for (const [name, data] of contents.optimizer.tensors) moments.set(name, { dtype: 'F32', shape: [data.length], data });
  const model = serializeSafetensorsChunks(tensors, { format: 'pt' });
  const optimizer = serializeSafetensorsChunks(moments);
  const needed = [...model, ...optimizer].reduce((n, chunk) => n + chunk.byteLength, 0);
  let writing = '';
  await fs.rm(temp, { recursive: true, force: true });
  try {
    await fs.mkdir(temp, { recursive: true });
    writing = 'model.safetensors';
    await writeFileAtomic(path.join(temp, 'model.safetensors'), model);
    writing = 'optimizer.safetensors';
    await writeFileAtomic(path.join(temp, 'optimizer.safetensors'), optimizer);
    writing = 'trainer_state.json';
    const state: TrainerState = {
      format: 'bert-lens-trainer-state/1',
      ...contents.state,
      optimizer: { betas: contents.optimizer.betas, eps: contents.optimizer.eps, groups: contents.optimizer.groups, steps: contents.optimizer.steps },
    };
    await writeFileAtomic(path.join(temp, 'trainer_state.json'), JSON.stringify(state, null, 1) + '\n');
    for (const [name, content] of Object.entries(contents.tokenizerFiles)) {
      writing = name;
      await writeFileAtomic(path.join(temp, name), content);
    }
    writing = 'config.json';
    await writeFileAtomic(path.join(temp, 'config.json'), configJson(contents.config, contents.head));
    writing = '';
    const previous = await fs.stat(final).catch(() => undefined);
    if (previous) await fs.rename(final, `${temp}.old`);
    await fs.rename(temp, final);
    await syncDirectory(outputDir);
    if (previous) await fs.rm(`${temp}.old`, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    const what = writing ? await describeWriteFailure(error, path.join(final, writing), needed) : (error as Error).message;
    throw new Error(`could not save ${final} (${what}); earlier checkpoints are intact`, { cause: error });
  }
  return final;
}

export interface LoadedCheckpoint {
  dir: string;
  state: TrainerState;
  weights: Map<string, Float32Array>;
  optimizer: AdamWSnapshot;
}

export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  let state: TrainerState;
  const stateFile = await modelFilePath(dir, 'trainer_state.json');
  let text: string;
  try {
    text = await fs.readFile(stateFile, 'utf8');
  } catch (error) {
    throw new Error(`${stateFile}: cannot read the trainer state (${(error as Error).message}); is ${dir} a BERT Lens checkpoint?`);
  }
  try {
    state = JSON.parse(text) as TrainerState;
  } catch {
    // Not V8's message: it quotes the text (issue 16).
    const { line, column, problem } = jsonErrorLocation(text);
    throw new Error(`${stateFile}:${line}:${column}: the trainer state is not valid JSON (${problem}); is ${dir} a BERT Lens checkpoint?`);
  }
  if (state.format !== 'bert-lens-trainer-state/1') throw new Error(`${stateFile}: unknown format ${String(state.format)}`);
  const model = await readSafetensors(await modelFilePath(dir, 'model.safetensors'));
  const weights = new Map(model.names().map((n) => [n, Float32Array.from(model.float32(n))]));
  const optimizerFile = await modelFilePath(dir, 'optimizer.safetensors');
  // Only the newest checkpoint of a run keeps its optimizer state (the others cannot be resumed exactly).
  if (!(await fs.stat(optimizerFile).catch(() => undefined))) {
    throw new Error(`${dir} has no optimizer state (only the newest checkpoint of an unfinished run keeps it), so it cannot be resumed; fine-tune from it as a model folder instead`);
  }
  const moments = await readSafetensors(optimizerFile);
  const tensors = new Map(moments.names().map((n) => [n, Float32Array.from(moments.float32(n))]));
  return { dir, state, weights, optimizer: { ...state.optimizer, tensors } };
}

/** Checkpoint folders of an output dir, oldest step first. */
export async function listCheckpoints(outputDir: string): Promise<Array<{ step: number; dir: string }>> {
  const entries = await fs.readdir(outputDir).catch(() => [] as string[]);
  return entries
    .map((name) => /^checkpoint-(\d+)$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ step: Number(m[1]), dir: path.join(outputDir, m[0]) }))
    .sort((a, b) => a.step - b.step);
}

/** HF save_total_limit with HF's rotation (checkpointRotation.ts); the best checkpoint is kept. */
export async function pruneCheckpoints(outputDir: string, limit: number, bestModelCheckpoint?: string): Promise<void> {
  const all = (await listCheckpoints(outputDir)).map((c) => c.dir);
  for (const dir of checkpointsToDelete(all, limit, bestModelCheckpoint)) await fs.rm(dir, { recursive: true, force: true });
}

/** Drops optimizer.safetensors (twice the weights' size) from checkpoints that no resume will use. */
export async function dropOptimizerState(outputDir: string, keepDir?: string): Promise<void> {
  for (const { dir } of await listCheckpoints(outputDir)) {
    if (dir !== keepDir) await fs.rm(path.join(dir, 'optimizer.safetensors'), { force: true });
  }
}

/**
 * Makes `dir`/model.safetensors a hard link to `source` (the same weights saved as the final model),
 * so they take disk space once; both folders stay complete model folders. Where links are not
 * possible the copy is kept.
 */
export async function shareWeightsFile(source: string, dir: string): Promise<boolean> {
  const target = path.join(dir, 'model.safetensors');
  const temp = path.join(dir, `.model.safetensors.link-${process.pid}`);
  try {
    await fs.rm(temp, { force: true });
    await fs.link(source, temp);
    await fs.rename(temp, target);
    return true;
  } catch {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    return false;
  }
}

/** Bytes the files under a folder take (hard links counted once). */
export async function diskUsage(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (at: string): Promise<void> => {
    for (const entry of await fs.readdir(at, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const stat = await fs.stat(full);
        const key = `${stat.dev}:${stat.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
        total += stat.size;
      }
    }
  };
  await walk(dir);
  return total;
}
