// Fine-tuning quality: our trainer against PyTorch on WikiANN English NER, same everything but the
// engine:
//
//   npx tsx bench/train/quality.ts [--model DIR] [--epochs 3] [--lr 2e-4] [--batch-size 16] [--limit N]
//       [--dev-limit N] [--seed 42] [--warmup-ratio 0.1] [--weight-decay 0.01] [--max-grad-norm 1.0]
//       [--threads 2] [--python /usr/bin/python3] [--keep DIR]
//
// 1. Initial weights: --model DIR (HF folder), or by default a seeded random BERT-small (4 layers,
//    hidden 256, 4 heads, intermediate 1024) with a cased WordPiece vocabulary trained on the WikiANN
//    train text (wordpieceTrainer.ts). Its token-classification head is initialized once by our
//    initializeForTraining (as the trainer would) and written to an "init" folder that both sides load.
// 2. Rows: nerFeatures over the (first --limit) train sentences and the (first --dev-limit) dev
//    sentences, with the init folder's tokenizer and labels — exactly the rows our trainer builds.
//    They are written to job.json (ids, labels with -100, word starts, gold tags) for PyTorch.
// 3. Ours: train() from the init folder (dropout 0.1 from the config, seeded shuffling, AdamW + linear
//    warmup, max_grad_norm), evaluated once at the end. PyTorch: bench/train/torch_train.py finetune
//    on job.json with the same hyperparameters (its own seeded shuffling and dropout draws), writing
//    the argmax label of every dev token.
// 4. Both sides' dev predictions go through the same code: the label of each word's first piece (the
//    most central window's, as our evaluation does), then nerMetrics (seqeval strict IOB2, micro).
//    Our predictions are taken from the saved final weights, and our trainer's own F1 is printed
//    next to them as a cross-check.
import { existsSync, mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { labelList } from '../../src/core/bert/config';
import { initWeights } from '../../src/core/bert/init';
import { saveModelFolder } from '../../src/core/bert/saveFolder';
import { weightSpecs } from '../../src/core/bert/weightNames';
import type { NerSentence } from '../../src/core/data/datasets';
import { inspectModelFolder, loadSafetensorsWeights } from '../../src/core/runtime/modelFolder';
import { loadBertTokenizer } from '../../src/core/runtime/tokenizer/tokenizerFiles';
import { serializeTokenizer } from '../../src/core/runtime/tokenizer/tokenizerWriter';
import { specFromTrained, trainWordPiece } from '../../src/core/runtime/tokenizer/wordpieceTrainer';
import { EvaluationSession } from '../../src/core/train/evaluation';
import { nerFeatures, type Feature } from '../../src/core/train/features';
import { describeInitReport, initializeForTraining } from '../../src/core/train/initModel';
import { nerMetrics, type NerMetrics } from '../../src/core/train/metrics';
import { train, type EvalMetrics } from '../../src/core/train/trainer';
import { nerLabels, readTaskData } from '../../src/core/train/trainingData';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { bertSmallConfig, DATA, flags, readJson, runChild, torchEnv, TORCH_SCRIPT, WIKIANN_LABELS } from './common';

const option = flags(process.argv.slice(2));
const EPOCHS = Number(option.get('epochs', '3'));
const LR = Number(option.get('lr', '2e-4'));
const BATCH = Number(option.get('batch-size', '16'));
const SEED = Number(option.get('seed', '42'));
const LIMIT = option.has('limit') ? Number(option.get('limit', '0')) : undefined;
const DEV_LIMIT = option.has('dev-limit') ? Number(option.get('dev-limit', '0')) : undefined;
const THREADS = Number(option.get('threads', '2'));
const PYTHON = option.get('python', '/usr/bin/python3');
const TRAINING = {
  learning_rate: LR,
  weight_decay: Number(option.get('weight-decay', '0.01')),
  adam_beta1: 0.9,
  adam_beta2: 0.999,
  adam_epsilon: 1e-8,
  warmup_ratio: Number(option.get('warmup-ratio', '0.1')),
  max_grad_norm: Number(option.get('max-grad-norm', '1.0')),
  num_train_epochs: EPOCHS,
  per_device_train_batch_size: BATCH,
  per_device_eval_batch_size: 32,
  seed: SEED,
  max_seq_length: 128,
};

async function readSentences(name: string, limit: number | undefined): Promise<NerSentence[]> {
  const file = path.join(DATA, 'wikiann-en', name);
  if (!existsSync(file)) throw new Error(`${file} is missing: the quality benchmark needs the WikiANN data in ../shared/data`);
  const data = await readTaskData('ner', file);
  if (data.task !== 'ner') throw new Error('unreachable');
  return limit === undefined ? data.sentences : data.sentences.slice(0, limit);
}

/** The default start: seeded random BERT-small with a WordPiece vocabulary of the train text. */
async function randomModel(dir: string, trainText: string[]): Promise<void> {
  const started = Date.now();
  const trained = trainWordPiece(trainText, { vocabSize: 30522, lowercase: false });
  const files = serializeTokenizer(specFromTrained(trained, 512));
  const config = bertSmallConfig(trained.vocab.length, WIKIANN_LABELS);
  await saveModelFolder(dir, {
    config,
    head: 'token-classification',
    weights: initWeights(weightSpecs(config, 'token-classification'), config, SEED),
    tokenizerFiles: { 'tokenizer.json': files.tokenizerJson, 'vocab.txt': files.vocabTxt, 'tokenizer_config.json': files.tokenizerConfig, 'special_tokens_map.json': files.specialTokensMap },
    onnx: false,
  });
  console.log(`random BERT-small with a ${trained.vocab.length}-piece WordPiece vocabulary of the train text (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** The folder both sides start from: the head initialized once, as our trainer would, labels fixed. */
async function initFolder(modelDir: string, dir: string, sentences: NerSentence[]): Promise<void> {
  const folder = await inspectModelFolder(modelDir);
  const labels = nerLabels(sentences, labelList(folder.config));
  const init = await initializeForTraining(folder, 'token-classification', { labels, seed: SEED });
  for (const line of describeInitReport(init.report, modelDir)) console.log(line);
  const tokenizerFiles: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    const content = await fs.readFile(path.join(folder.dir, name), 'utf8').catch(() => undefined);
    if (content !== undefined) tokenizerFiles[name] = content;
  }
  await saveModelFolder(dir, { config: init.config, head: 'token-classification', weights: init.weights, tokenizerFiles, onnx: false });
}

/** Our evaluation's rule: each word takes the label of its first piece in the most central window. */
function entityScores(sentences: readonly NerSentence[], features: readonly Feature[], argmax: ReadonlyArray<ArrayLike<number>>, labels: readonly string[]): NerMetrics {
  const best = sentences.map((s) => s.tokens.map(() => ({ label: 0, centrality: -1 })));
  features.forEach((feature, row) => {
    const length = feature.inputIds.length;
    if (argmax[row]!.length !== length) throw new Error(`dev row ${row}: ${argmax[row]!.length} predictions for ${length} tokens`);
    feature.wordStarts!.forEach((word, t) => {
      if (word < 0) return;
      const centrality = Math.min(t, length - 1 - t);
      const slot = best[feature.example]![word]!;
      if (centrality > slot.centrality) {
        slot.label = argmax[row]![t]!;
        slot.centrality = centrality;
      }
    });
  });
  return nerMetrics(sentences.map((s) => s.tags), best.map((s) => s.map((w) => labels[w.label]!)));
}

/** Argmax label per token of every dev row, from a trained folder's weights (reference graph, no dropout). */
async function ourArgmax(dir: string, features: readonly Feature[]): Promise<number[][]> {
  const folder = await inspectModelFolder(dir);
  const file = await loadSafetensorsWeights(folder);
  const weights = new Map(weightSpecs(folder.config, 'token-classification').map((s) => [s.name, file.float32(s.name)]));
  const session = await EvaluationSession.create(folder.config, 'token-classification', weights, new Set(), THREADS);
  try {
    const width = labelList(folder.config).length;
    const outputs = await session.predict('token-classification', features, new Map(), 32, 0);
    return outputs.map((o, row) => Array.from({ length: features[row]!.inputIds.length }, (_, t) => {
      let top = 0;
      for (let k = 1; k < width; k++) if (o.logits![t * width + k]! > o.logits![t * width + top]!) top = k;
      return top;
    }));
  } finally {
    await session.release();
  }
}

const pct = (value: number): string => (100 * value).toFixed(2);

async function main(): Promise<void> {
  const keep = option.has('keep') ? path.resolve(option.get('keep', '')) : undefined;
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-quality-'));
  await fs.mkdir(dir, { recursive: true });
  try {
    const trainSentences = await readSentences('train.txt', LIMIT);
    const devSentences = await readSentences('dev.txt', DEV_LIMIT);
    console.log(`WikiANN en: ${trainSentences.length} train / ${devSentences.length} dev sentences; epochs ${EPOCHS}, lr ${LR}, batch ${BATCH}, warmup_ratio ${TRAINING.warmup_ratio}, weight_decay ${TRAINING.weight_decay}, max_grad_norm ${TRAINING.max_grad_norm}, seed ${SEED}, ${THREADS} threads; work dir ${dir}`);
    let modelDir = option.has('model') ? path.resolve(option.get('model', '')) : path.join(dir, 'model-random');
    if (!option.has('model')) {
      // The vocabulary comes from the whole train text, whatever --limit says, so that a quick check
      // tokenizes like the full run.
      const allTrain = LIMIT === undefined ? trainSentences : await readSentences('train.txt', undefined);
      await randomModel(modelDir, allTrain.map((s) => s.tokens.join(' ')));
    }
    const initDir = path.join(dir, 'init');
    await initFolder(modelDir, initDir, trainSentences);
    modelDir = initDir;

    const initConfig = (await inspectModelFolder(initDir)).config;
    const labels = labelList(initConfig);
    const tokenizer = await loadBertTokenizer(initDir);
    const maxSeqLength = Math.min(TRAINING.max_seq_length, initConfig.max_position_embeddings);
    const trainRows = nerFeatures(trainSentences, tokenizer, initConfig.label2id, { maxSeqLength });
    const devRows = nerFeatures(devSentences, tokenizer, initConfig.label2id, { maxSeqLength });
    const jobFile = path.join(dir, 'job.json');
    await writeFileAtomic(jobFile, JSON.stringify({
      labels,
      training: TRAINING,
      train: trainRows.features.map((f) => ({ input_ids: f.inputIds, labels: f.tokenLabels })),
      dev: devRows.features.map((f) => ({ input_ids: f.inputIds, word_starts: f.wordStarts, example: f.example })),
      dev_gold: devSentences.map((s) => s.tags),
    }));
    console.log(`rows: ${trainRows.features.length} train (${trainRows.report.windowed} sentences windowed), ${devRows.features.length} dev`);

    // Ours.
    const oursDir = path.join(dir, 'ours');
    let trainStarted = 0;
    let lastLog = 0;
    const oursLosses: number[] = [];
    const result = await train({
      task: 'ner',
      modelDir: initDir,
      train: { task: 'ner', sentences: trainSentences, issues: [] },
      eval: { task: 'ner', sentences: devSentences, issues: [] },
      outputDir: oursDir,
      threads: THREADS,
      // No evaluation or checkpoint during training (PyTorch's side has none): one evaluation at the end.
      args: { ...TRAINING, eval_steps: 1e9, save_steps: 1e9 },
      onEvent: (event) => {
        if (event.type === 'start') trainStarted = performance.now();
        if (event.type === 'log') {
          lastLog = performance.now();
          oursLosses.push(event.loss);
          if (event.step % 200 === 0) console.log(`  ours: step ${event.step} loss ${event.loss.toFixed(4)}`);
        }
      },
    });
    const oursTrainS = (lastLog - trainStarted) / 1000;
    const oursTrainerF1 = (result.metrics as EvalMetrics & { f1: number }).f1;
    const ours = entityScores(devSentences, devRows.features, await ourArgmax(oursDir, devRows.features), labels);

    // PyTorch.
    const torchOut = path.join(dir, 'torch.json');
    console.log('  PyTorch: training …');
    await runChild(PYTHON, [TORCH_SCRIPT, 'finetune', initDir, jobFile, torchOut, '--threads', String(THREADS)], { env: torchEnv() });
    const torchResult = await readJson<{ dev_argmax: number[][]; losses: number[]; train_s: number; peak_rss_mb: number }>(torchOut);
    const torch = entityScores(devSentences, devRows.features, torchResult.dev_argmax, labels);

    const tail = (losses: number[]) => {
      const last = losses.slice(-Math.min(100, losses.length));
      return last.reduce((a, b) => a + b, 0) / last.length;
    };
    console.log('\n| engine | dev entity F1 | precision | recall | steps | mean loss, last 100 steps | training time (s) |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(`| ours | ${pct(ours.f1)} | ${pct(ours.precision)} | ${pct(ours.recall)} | ${oursLosses.length} | ${tail(oursLosses).toFixed(4)} | ${oursTrainS.toFixed(0)} |`);
    console.log(`| PyTorch | ${pct(torch.f1)} | ${pct(torch.precision)} | ${pct(torch.recall)} | ${torchResult.losses.length} | ${tail(torchResult.losses).toFixed(4)} | ${torchResult.train_s.toFixed(0)} |`);
    console.log(`\nF1 ours − PyTorch: ${(100 * (ours.f1 - torch.f1)).toFixed(2)} points (goal: within 1). Our trainer's own evaluation: F1 ${pct(oursTrainerF1)} (same rule, reference graph at training time).`);
    console.log('per label F1 (ours / PyTorch): ' + Object.keys(ours.perLabel).sort().map((l) => `${l} ${pct(ours.perLabel[l]!.f1)} / ${pct(torch.perLabel[l]?.f1 ?? 0)}`).join(', '));
    if (LIMIT !== undefined || DEV_LIMIT !== undefined || EPOCHS < 3) {
      console.log('\nreduced size: the full comparison is `npx tsx bench/train/quality.ts` (all 20,000 train and 10,000 dev sentences, 3 epochs)');
    }
  } finally {
    if (!keep) await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
