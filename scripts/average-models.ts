/**
 * Averages the weights of model folders (checkpoint averaging, or a "model soup" of runs from the same
 * starting weights) and, given labelled data, scores the mean through the inference runtime — how the
 * soups in BENCHMARKS.md § Bundled models were probed before one became a stage of train:models.
 *
 *   npx tsx scripts/average-models.ts OUT DIR DIR... [--task classify|ner --data FILE] [--int8]
 *
 * OUT gets the mean as a model folder (model.safetensors + onnx/model.onnx, the first folder's
 * tokenizer). With --int8 the int8 graph the bundled sentiment model ships as is written to OUT-int8
 * and scored too.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { exportInferenceOnnx } from '../src/core/bert/buildGraph';
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

async function score(dir: string, task: 'ner' | 'classify', data: TaskData): Promise<number> {
  const model = await loadModel(dir, { head: EVAL_HEAD[task], cacheDir: path.join(dir, '.cache') });
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
  const tokenizerFiles = await readTokenizerFiles(dirs[0]!);
  await saveModelFolder(out, { ...mean, tokenizerFiles, onnx: true, metadata: { averaged_from: dirs.join(',') } });
  const forms: Array<[string, string]> = [['float32', out]];
  if (int8) {
    const quantized = `${out}-int8`;
    await fs.rm(quantized, { recursive: true, force: true });
    await saveModelFolder(quantized, { ...mean, tokenizerFiles, onnx: false });
    await fs.rm(path.join(quantized, 'model.safetensors'));
    const bytes = exportInferenceOnnx(mean.config, mean.head, (name) => mean.weights.get(name)!, { quantize: 'int8' });
    await fs.mkdir(path.join(quantized, 'onnx'), { recursive: true });
    await fs.writeFile(path.join(quantized, 'onnx', 'model_quantized.onnx'), bytes);
    forms.push(['int8', quantized]);
  }
  process.stdout.write(`mean of ${dirs.length} folders written to ${out}\n`);
  if (!dataFile) return;
  const data = await readTaskData(task, dataFile);
  for (const [form, dir] of forms) process.stdout.write(`${form}: dev score ${((await score(dir, task, data)) * 100).toFixed(2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`average-models: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
