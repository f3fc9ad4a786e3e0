/**
 * Averages the weights of model folders (checkpoint averaging, or a "model soup" of runs from the same
 * starting weights) and, given labelled data, scores the mean through the inference runtime — how the
 * soups in BENCHMARKS.md § Bundled models were probed before one became a stage of train:models.
 *
 *   npx tsx scripts/average-models.ts OUT DIR DIR... [--task classify|ner --data FILE] [--int8]
 *
 * OUT gets the mean as a model folder (model.safetensors + onnx/model.onnx, the last folder's
 * tokenizer). With --int8 it also gets onnx/model_quantized.onnx (the form the bundled sentiment model
 * ships in), scored too.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { saveModelFolder } from '../src/core/bert/saveFolder';
import { loadModel } from '../src/core/runtime/loadModel';
import { averageWeights } from '../src/core/train/averageWeights';
import { EVAL_HEAD, evaluateModel } from '../src/core/train/evaluateModel';
import { readTokenizerFiles } from '../src/core/train/trainer';
import { readTaskData, type TaskData } from '../src/core/train/trainingData';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  args.splice(at, 2);
  return value;
}

async function score(dir: string, task: 'ner' | 'classify', data: TaskData, quantized: boolean): Promise<number> {
  const model = await loadModel(dir, { head: EVAL_HEAD[task], quantized, cacheDir: path.join(dir, '.cache') });
  try {
    return (await evaluateModel(model, data, { maxSeqLength: 128, batchSize: 64 })).metrics.score;
  } finally {
    await model.session.release();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const task = option(args, '--task') ?? 'classify';
  const dataFile = option(args, '--data');
  const int8 = args.includes('--int8');
  const [out, ...dirs] = args.filter((a) => a !== '--int8');
  if (task !== 'ner' && task !== 'classify') throw new Error(`--task is ner or classify, not ${task}`);
  if (!out || dirs.length < 2) throw new Error('usage: average-models.ts OUT DIR DIR... [--task classify|ner --data FILE] [--int8]');
  const mean = await averageWeights(dirs);
  await fs.rm(out, { recursive: true, force: true });
  await saveModelFolder(out, { ...mean, tokenizerFiles: await readTokenizerFiles(dirs[dirs.length - 1]!), onnx: true, quantized: int8, metadata: { averaged_from: dirs.join(',') } });
  process.stdout.write(`mean of ${dirs.length} folders written to ${out}\n`);
  if (!dataFile) return;
  const data = await readTaskData(task, dataFile);
  for (const quantized of int8 ? [false, true] : [false]) {
    process.stdout.write(`${quantized ? 'int8' : 'float32'}: dev score ${((await score(out, task, data, quantized)) * 100).toFixed(2)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`average-models: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
