/**
 * `npm run train:models`: trains the models BERT Lens ships, with BERT Lens' own engine, from the
 * data in ../shared/data (never copied into the repository). Stages, each skipped when its output
 * exists (delete .train-models/<stage> or pass --force to redo it):
 *
 *   vocab      cased WordPiece vocabulary from the unlabeled text of all three datasets
 *   mlm        masked-LM pretraining of a small BERT from random weights (15% masking, 80/10/10,
 *              decoder tied to the word embeddings and computed at masked positions only)
 *   ner        WikiANN NER fine-tuning from the MLM weights (AdamW, linear warmup)
 *   sentiment  SST-2 fine-tuning from the MLM weights
 *   *-scratch  the same fine-tuning from random weights: what pretraining is worth (--no-baselines skips)
 *   ner-prose  two more epochs on WikiANN + WNUT17 posts + SST-2 phrases (see nerProseData), from the
 *              better of ner / ner-scratch on WikiANN dev; exported as the NER model when present
 *   export     NER (ner-prose when present) as float16 safetensors and the better of sentiment / sentiment-scratch as int8 ONNX
 *              into models/, with the dev scores of those shipped forms (through the inference runtime)
 *
 * Knobs for experiments (environment; the defaults are what produced models/): TRAIN_MODELS_WORK (work
 * folder), TRAIN_THREADS (ORT threads per run: two runs at 1 thread each use 2 cores better than one at
 * 2), MLM_LR, MLM_EPOCHS, MLM_BATCH, MLM_SEQ, MLM_DROPOUT, MLM_MAX_STEPS (a prefix of the run),
 * NER_LR, NER_EPOCHS, NER_BATCH, NER_PROSE_LR, NER_PROSE_EPOCHS, SST_LR, SST_EPOCHS, GROUP_BY_LENGTH=1.
 *
 * Everything is seeded; the run needs no network and no Python.
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../src/core/bert/config';
import { exportInferenceOnnx } from '../src/core/bert/buildGraph';
import type { HeadKind } from '../src/core/bert/heads';
import { initWeights } from '../src/core/bert/init';
import { saveModelFolder, configJson } from '../src/core/bert/saveFolder';
import { weightSpecs } from '../src/core/bert/weightNames';
import { float32ToHalf, readSafetensors, writeSafetensors, type TensorToWrite } from '../src/core/runtime/safetensors';
import { loadModel } from '../src/core/runtime/loadModel';
import { EVAL_HEAD, evaluateModel } from '../src/core/train/evaluateModel';
import { saveTokenizer } from '../src/core/runtime/tokenizer/tokenizerWriter';
import { specFromTrained, trainWordPiece } from '../src/core/runtime/tokenizer/wordpieceTrainer';
import { train, type EvalMetrics, type TrainerEvent } from '../src/core/train/trainer';
import { readTaskData, type TaskData } from '../src/core/train/trainingData';
import type { TrainingArguments } from '../src/core/train/trainingArguments';
import { writeFileAtomic } from '../src/core/util/atomicWrite';

const ROOT = path.resolve(__dirname, '..');
const DATA = path.resolve(process.env.BERT_LENS_DATA ?? path.join(ROOT, '..', 'shared', 'data'));
const WORK = path.resolve(process.env.TRAIN_MODELS_WORK ?? path.join(ROOT, '.train-models'));
const MODELS = path.join(ROOT, 'models');
const argv = process.argv.slice(2);
const force = argv.includes('--force');
const baselines = !argv.includes('--no-baselines');
const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const quick = argv.includes('--quick');
/** ORT intra-op threads per training session (default: ORT's choice). Two runs at 1 thread each use 2 cores better than one at 2. */
const threads = process.env.TRAIN_THREADS ? Number(process.env.TRAIN_THREADS) : undefined;

/** The architecture of the shipped models (BERT-small-like, sized for 2 CPU cores). */
const ARCHITECTURE = {
  hidden_size: 256,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  intermediate_size: 1024,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
};
const VOCAB_SIZE = 12_000;

function file(...parts: string[]): string {
  return path.join(DATA, ...parts);
}

function log(message: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function wanted(stage: string): boolean {
  return !only || only.includes(stage);
}

async function done(dir: string): Promise<boolean> {
  return !force && existsSync(path.join(dir, 'config.json'));
}

function limit<T>(items: T[], n: number): T[] {
  return quick ? items.slice(0, n) : items;
}

/** The unlabeled sentences of the three training sets (never the dev sets). */
async function unlabeledText(): Promise<string[]> {
  const wikiann = await readTaskData('ner', file('wikiann-en', 'train.txt'));
  const wnut = await readTaskData('ner', file('wnut17', 'train.conll'));
  const sst = await readTaskData('classify', file('sst2', 'train.tsv'));
  const texts: string[] = [];
  if (wikiann.task === 'ner') for (const s of wikiann.sentences) texts.push(s.tokens.join(' '));
  if (wnut.task === 'ner') for (const s of wnut.sentences) texts.push(s.tokens.join(' '));
  if (sst.task === 'classify') for (const e of sst.examples) texts.push(e.text.trim());
  return texts;
}

function onEvent(stage: string): (event: TrainerEvent) => void {
  let lastPrint = 0;
  return (event) => {
    if (event.type === 'log') {
      const now = Date.now();
      if (now - lastPrint > 30_000) {
        lastPrint = now;
        log(`${stage}: step ${event.step} epoch ${event.epoch.toFixed(2)} loss ${event.loss.toFixed(4)} lr ${event.learning_rate.toExponential(2)} eta ${Math.round(event.eta_s / 60)} min`);
      }
    } else if (event.type === 'eval') {
      const { per_label: _perLabel, ...rest } = event.metrics as EvalMetrics & { per_label?: unknown };
      log(`${stage}: eval at step ${event.step}: ${JSON.stringify(rest)}`);
    } else if (event.type === 'start') {
      log(`${stage}: ${event.trainRows} rows, ${event.totalSteps} steps, ${event.trainable.toLocaleString('en')} parameters`);
    } else if (event.type === 'info') {
      log(`${stage}: ${event.message}`);
    }
  };
}

/** A model folder with random (seeded) weights: the start of pretraining and of the baselines. */
async function randomModel(dir: string, head: HeadKind, seed: number): Promise<void> {
  const vocabDir = path.join(WORK, 'vocab');
  const vocab = (await fs.readFile(path.join(vocabDir, 'vocab.txt'), 'utf8')).split('\n').filter((l) => l !== '').length;
  const config = parseBertConfig({ ...ARCHITECTURE, vocab_size: vocab });
  const tokenizerFiles: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) {
    tokenizerFiles[name] = await fs.readFile(path.join(vocabDir, name), 'utf8');
  }
  await saveModelFolder(dir, { config, head, weights: initWeights(weightSpecs(config, head), config, seed), tokenizerFiles, onnx: false });
}

async function stageVocab(): Promise<void> {
  const dir = path.join(WORK, 'vocab');
  if (!force && existsSync(path.join(dir, 'vocab.txt'))) return log('vocab: exists');
  const texts = await unlabeledText();
  const started = Date.now();
  const trained = trainWordPiece(texts, { vocabSize: VOCAB_SIZE, lowercase: false, minFrequency: 2 });
  await fs.mkdir(dir, { recursive: true });
  await saveTokenizer(dir, specFromTrained(trained, 512));
  log(`vocab: ${trained.vocab.length} pieces from ${texts.length} texts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function fineTune(stage: string, options: { task: 'ner' | 'classify'; from: string; train: TaskData; dev: TaskData; args: Partial<TrainingArguments> }): Promise<EvalMetrics | undefined> {
  const out = path.join(WORK, stage);
  if (await done(out)) {
    log(`${stage}: exists`);
    return JSON.parse(await fs.readFile(path.join(out, 'training_log.json'), 'utf8')).metrics as EvalMetrics;
  }
  // The fine-tuning dropout is the architecture's, whatever the pretraining ran with.
  const result = await train({ task: options.task, modelDir: options.from, train: options.train, eval: options.dev, outputDir: out, args: options.args, dropout: ARCHITECTURE.hidden_dropout_prob, threads, onEvent: onEvent(stage) });
  return result.metrics;
}

async function stageMlm(): Promise<void> {
  const out = path.join(WORK, 'mlm');
  if (await done(out)) return log('mlm: exists');
  const start = path.join(WORK, 'mlm-init');
  await randomModel(start, 'masked-lm', 1);
  const texts = limit(await unlabeledText(), 2000);
  await train({
    task: 'mlm',
    modelDir: start,
    train: { task: 'mlm', texts, issues: [] },
    outputDir: out,
    dropout: process.env.MLM_DROPOUT === undefined ? undefined : Number(process.env.MLM_DROPOUT),
    // A prefix of the full run (same schedule), for comparing settings cheaply.
    maxSteps: process.env.MLM_MAX_STEPS ? Number(process.env.MLM_MAX_STEPS) : undefined,
    threads,
    args: {
      // Short blocks and a high rate: what limits a small BERT from scratch here is the number of
      // updates (the loss sits at the unigram level for the first few hundred), not tokens per update.
      learning_rate: Number(process.env.MLM_LR ?? 1e-3),
      weight_decay: 0.01,
      warmup_ratio: 0.06,
      num_train_epochs: Number(process.env.MLM_EPOCHS ?? (quick ? 1 : 10)),
      per_device_train_batch_size: Number(process.env.MLM_BATCH ?? 64),
      max_seq_length: MLM_BLOCK,
      save_total_limit: 1,
      seed: 1,
    },
    onEvent: onEvent('mlm'),
  });
}

async function nerData(): Promise<{ train: TaskData; dev: TaskData }> {
  const train = await readTaskData('ner', file('wikiann-en', 'train.txt'));
  const dev = await readTaskData('ner', file('wikiann-en', 'dev.txt'));
  if (train.task === 'ner' && dev.task === 'ner' && quick) {
    train.sentences = train.sentences.slice(0, 2000);
    dev.sentences = dev.sentences.slice(0, 500);
  }
  return { train, dev };
}

/** WNUT17's entity types in WikiANN's three (products and creative works are not names of these kinds). */
const WNUT_TO_WIKIANN: Record<string, string> = { person: 'PER', location: 'LOC', corporation: 'ORG', group: 'ORG' };

/**
 * WikiANN is Wikipedia title fragments, nearly every word inside an entity, so a model trained on it
 * alone marks half the words of ordinary prose. Continued training sees prose too: WNUT17's posts
 * with their person/location/corporation/group entities mapped to PER/LOC/ORG (other types O), and
 * SST-2's lower-cased review phrases, where every word is O.
 */
async function nerProseData(wikiann: TaskData): Promise<TaskData> {
  const wnut = await readTaskData('ner', file('wnut17', 'train.conll'));
  const sst = await readTaskData('classify', file('sst2', 'train.tsv'));
  if (wikiann.task !== 'ner' || wnut.task !== 'ner' || sst.task !== 'classify') throw new Error('unexpected data');
  const mapTag = (tag: string): string => {
    const match = /^([BI])-(.+)$/.exec(tag);
    const type = match ? WNUT_TO_WIKIANN[match[2]!] : undefined;
    return type ? `${match![1]}-${type}` : 'O';
  };
  const posts = wnut.sentences.map((s) => ({ ...s, tags: s.tags.map(mapTag) }));
  const phrases = sst.examples
    .map((e) => e.text.trim().split(/\s+/))
    .filter((words) => words.length >= 6)
    .slice(0, quick ? 500 : 6000)
    .map((tokens, i) => ({ tokens, tags: tokens.map(() => 'O'), line: i + 1 }));
  return { task: 'ner', sentences: [...wikiann.sentences, ...posts, ...phrases], issues: [] };
}

async function sstData(): Promise<{ train: TaskData; dev: TaskData }> {
  const train = await readTaskData('classify', file('sst2', 'train.tsv'));
  const dev = await readTaskData('classify', file('sst2', 'dev.tsv'));
  const names: Record<string, string> = { '0': 'NEGATIVE', '1': 'POSITIVE' };
  for (const data of [train, dev]) {
    if (data.task === 'classify') {
      data.examples = data.examples.map((e) => ({ ...e, label: names[e.label] ?? e.label }));
      if (quick) data.examples = data.examples.slice(0, data === train ? 4000 : 872);
    }
  }
  return { train, dev };
}

/** Masked-LM block length: the positions the pretrained model has seen (and the shipped models' limit). */
const MLM_BLOCK = Number(process.env.MLM_SEQ ?? 64);

/** What every fine-tuning stage shares; each stage sets its rate, epochs and seed. */
function fineTuneArgs(stage: Pick<TrainingArguments, 'learning_rate' | 'num_train_epochs' | 'seed'> & Partial<TrainingArguments>): Partial<TrainingArguments> {
  return { per_device_train_batch_size: 32, warmup_ratio: 0.1, max_seq_length: 128, save_total_limit: 1, group_by_length: process.env.GROUP_BY_LENGTH === '1', ...stage };
}

const NER_ARGS = fineTuneArgs({
  // Measured: lr 2e-4 for 6 epochs reached 59.8 dev F1; 5e-4 for 10 epochs 63.4 (still rising slowly).
  learning_rate: Number(process.env.NER_LR ?? 5e-4),
  num_train_epochs: Number(process.env.NER_EPOCHS ?? 10),
  per_device_train_batch_size: Number(process.env.NER_BATCH ?? 32),
  seed: 2,
});

const NER_PROSE_ARGS = fineTuneArgs({
  learning_rate: Number(process.env.NER_PROSE_LR ?? 1e-4),
  num_train_epochs: Number(process.env.NER_PROSE_EPOCHS ?? 2),
  seed: 4,
});

const SST_ARGS = fineTuneArgs({
  learning_rate: Number(process.env.SST_LR ?? 1e-4),
  num_train_epochs: Number(process.env.SST_EPOCHS ?? 2),
  seed: 3,
});

/**
 * The shipped form of a trained model. NER ships its weights as float16 safetensors (so it can be
 * fine-tuned further from the panel; the runtime builds the ONNX graph on first use); sentiment ships
 * an int8 ONNX graph only (word embeddings per row, matrices per column). Together they stay under
 * the 25 MB budget.
 */
async function exportModel(stage: string, target: string, head: HeadKind, form: 'float16-safetensors' | 'int8-onnx'): Promise<void> {
  const source = path.join(WORK, stage);
  const config: BertConfig = parseBertConfig(JSON.parse(await fs.readFile(path.join(source, 'config.json'), 'utf8')));
  const weights = await readSafetensors(path.join(source, 'model.safetensors'));
  await fs.rm(target, { recursive: true, force: true });
  if (form === 'int8-onnx') {
    const bytes = exportInferenceOnnx(config, head, (n) => weights.float32(n), { quantize: 'int8', metadata: { trained_by: 'bert-lens train:models' } });
    await writeFileAtomic(path.join(target, 'onnx', 'model_quantized.onnx'), bytes);
  } else {
    const tensors = new Map<string, TensorToWrite>();
    for (const spec of weightSpecs(config, head)) tensors.set(spec.name, { dtype: 'F16', shape: spec.shape, data: float32ToHalf(weights.float32(spec.name)) });
    await writeSafetensors(path.join(target, 'model.safetensors'), tensors, { format: 'pt' });
  }
  for (const name of ['tokenizer.json', 'vocab.txt', 'special_tokens_map.json']) {
    await fs.copyFile(path.join(source, name), path.join(target, name));
  }
  // Pretraining saw positions 0..MLM block length only and fine-tuning mostly short sentences: later
  // position embeddings are barely trained, and windows of 256 tokens made the NER model mark half
  // the words of a page. HF's model_max_length tells every pipeline (ours, transformers) the limit.
  const tokenizerConfig = JSON.parse(await fs.readFile(path.join(source, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  tokenizerConfig.model_max_length = MLM_BLOCK;
  await writeFileAtomic(path.join(target, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
  await writeFileAtomic(path.join(target, 'config.json'), configJson(config, head));
  log(`export: ${path.relative(ROOT, target)} (${form})`);
}

/** Dev scores of a model folder through the inference runtime (what users get), not the trainer. */
async function evaluateShipped(dir: string, data: TaskData, task: 'ner' | 'classify'): Promise<EvalMetrics> {
  const model = await loadModel(dir, { head: EVAL_HEAD[task], cacheDir: path.join(WORK, 'cache'), threads });
  try {
    return (await evaluateModel(model, data, { maxSeqLength: 128, batchSize: 64 })).metrics;
  } finally {
    await model.session.release();
  }
}

/**
 * Of a task's fine-tuned stages (from the MLM weights, from random weights), the finished one with the
 * best dev score (its training_log.json): HF's load_best_model_at_end across runs. Ties go to the first.
 */
async function bestStage(stages: readonly string[]): Promise<string> {
  let best = stages[0]!;
  let bestScore = -Infinity;
  for (const stage of stages) {
    const logFile = path.join(WORK, stage, 'training_log.json');
    if (!existsSync(path.join(WORK, stage, 'config.json')) || !existsSync(logFile)) continue;
    const score = (JSON.parse(await fs.readFile(logFile, 'utf8')) as { metrics?: EvalMetrics }).metrics?.score;
    if (score !== undefined && score > bestScore) {
      best = stage;
      bestScore = score;
    }
  }
  return best;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

async function main(): Promise<void> {
  if (!existsSync(file('wikiann-en', 'train.txt')) || !existsSync(file('sst2', 'train.tsv'))) {
    process.stderr.write(`train:models needs the datasets in ${DATA} (wikiann-en, wnut17, sst2; see its README). They are absent, so nothing was trained; the shipped models in models/ are unchanged.\n`);
    process.exitCode = 2;
    return;
  }
  await fs.mkdir(WORK, { recursive: true });
  // Stages run separately (--only) add to the report of earlier runs instead of replacing it.
  const reportFile = path.join(WORK, 'report.json');
  const reportAtStart: Record<string, unknown> = existsSync(reportFile) ? JSON.parse(await fs.readFile(reportFile, 'utf8')) as Record<string, unknown> : {};
  const report: Record<string, unknown> = { ...reportAtStart };
  if (wanted('vocab')) await stageVocab();
  if (wanted('mlm')) await stageMlm();
  const ner = await nerData();
  const sst = await sstData();
  if (wanted('ner')) { report.ner = await fineTune('ner', { task: 'ner', from: path.join(WORK, 'mlm'), ...ner, args: NER_ARGS }); report.ner_args = NER_ARGS; }
  if (wanted('sentiment')) { report.sentiment = await fineTune('sentiment', { task: 'classify', from: path.join(WORK, 'mlm'), ...sst, args: SST_ARGS }); report.sentiment_args = SST_ARGS; }
  if (baselines) {
    // The same fine-tuning from random weights: what the pretraining is worth (the issue asks for both).
    if (!existsSync(path.join(WORK, 'scratch-init', 'config.json'))) await randomModel(path.join(WORK, 'scratch-init'), 'base', 1);
    if (wanted('ner-scratch')) report.ner_scratch = await fineTune('ner-scratch', { task: 'ner', from: path.join(WORK, 'scratch-init'), ...ner, args: NER_ARGS });
    if (wanted('sentiment-scratch')) report.sentiment_scratch = await fineTune('sentiment-scratch', { task: 'classify', from: path.join(WORK, 'scratch-init'), ...sst, args: SST_ARGS });
  }
  const nerBest = await bestStage(['ner', 'ner-scratch']);
  const sentimentBest = await bestStage(['sentiment', 'sentiment-scratch']);
  if (wanted('ner-prose')) {
    report.ner_prose = await fineTune('ner-prose', { task: 'ner', from: path.join(WORK, nerBest), train: await nerProseData(ner.train), dev: ner.dev, args: NER_PROSE_ARGS });
    report.ner_prose_args = NER_PROSE_ARGS;
    report.ner_prose_from = nerBest;
  }
  if (wanted('export') && !quick) {
    await exportModel(existsSync(path.join(WORK, 'ner-prose', 'config.json')) ? 'ner-prose' : nerBest, path.join(MODELS, 'ner'), 'token-classification', 'float16-safetensors');
    await exportModel(sentimentBest, path.join(MODELS, 'sentiment'), 'sequence-classification', 'int8-onnx');
    report.sentiment_shipped_from = sentimentBest;
    const nerShipped = await evaluateShipped(path.join(MODELS, 'ner'), ner.dev, 'ner');
    const sentimentShipped = await evaluateShipped(path.join(MODELS, 'sentiment'), sst.dev, 'classify');
    report.ner_shipped = nerShipped;
    report.sentiment_shipped = sentimentShipped;
    report.sentiment_fp32 = await evaluateShipped(path.join(WORK, sentimentBest), sst.dev, 'classify');
    const manifest = {
      ner: { description: 'bundled WikiANN NER', dev_entity_f1: round4(nerShipped.score), form: 'float16 safetensors' },
      sentiment: { description: 'bundled SST-2 sentiment', dev_accuracy: round4(sentimentShipped.score), form: 'int8 ONNX' },
    };
    await writeFileAtomic(path.join(MODELS, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  }
  // Re-read before writing: a run of other stages may have finished meanwhile.
  const latest = existsSync(reportFile) ? JSON.parse(await fs.readFile(reportFile, 'utf8')) as Record<string, unknown> : {};
  const changed = Object.fromEntries(Object.entries(report).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(reportAtStart[key])));
  await writeFileAtomic(reportFile, JSON.stringify({ ...latest, ...changed }, null, 2) + '\n');
  log(`report: ${JSON.stringify(report, (k, v) => (k === 'per_label' ? undefined : v))}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`train:models: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
