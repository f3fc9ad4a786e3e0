// Active learning, measured: the same annotation budgets of WikiANN English train sentences chosen by
// the model's uncertainty or at random, each fine-tuned from the same start, scored on WikiANN dev
// (issue 19, "Uncertainty first"):
//
//   npx tsx bench/active/curves.ts [--budgets 200,500,1000] [--seed-size 100] [--pool-sample 5000]
//       [--dev-sample 2000] [--epochs 20] [--lr 5e-4] [--batch-size 16] [--seeds 1] [--seed 42]
//       [--measure entropy] [--reduction max] [--threads 1] [--work DIR] [--out FILE]
//
// One round of pool-based active learning (Settles 2009 § 2.3), per repetition r (seed 42 + r):
// 1. The start: a seeded random BERT (2 layers, hidden 128, 2 heads, intermediate 512) with the
//    bundled NER model's cased WordPiece vocabulary (models/ner) and the WikiANN labels. One start
//    for every run of every repetition.
// 2. The seed set: --seed-size random train sentences, "annotated" first. The start fine-tuned on them
//    is the seed model (also the first point of both curves).
// 3. The candidates: --pool-sample random train sentences outside the seed set (the whole rest with
//    --pool-sample 0). The seed model scores each with sentenceUncertainties (scoreUnits.ts), the code
//    behind the editor's Next Uncertain: the sentence's text is its words joined by spaces, a word is
//    scored by the softmax of its first sub-token, --measure over the labels, --reduction over the
//    words (a text the segmenter splits is reduced over all its words alike).
// 4. For each budget B: uncertainty = seed set + the B − S most uncertain candidates; random = seed set
//    + the first B − S of a seeded random order of the same candidates (nested budgets). Each is
//    fine-tuned FROM THE START (not from the seed model) with the same hyperparameters and seed by
//    the project's trainer (train(), dropout 0.1, AdamW, linear warmup 10 %, no evaluation or
//    checkpoint during training, so nothing is chosen on dev), then scored once on the dev sample
//    (the trainer's evaluation: seqeval strict IOB2 entity F1, micro).
// The hyperparameters are fixed a priori; dev never chooses anything. Each finished run is a JSON file
// in --work DIR (default .active-curves), so a rerun with the same flags skips it.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { budgetSelection, mostUncertain, sampleIndices } from '../../src/core/active/poolSelection';
import { sentenceUncertainties } from '../../src/core/active/scoreUnits';
import { reduceScores, UNCERTAINTY_MEASURES, UNCERTAINTY_REDUCTIONS, type UncertaintyMeasure, type UncertaintyReduction } from '../../src/core/active/uncertainty';
import { parseBertConfig } from '../../src/core/bert/config';
import { initWeights } from '../../src/core/bert/init';
import { saveModelFolder } from '../../src/core/bert/saveFolder';
import { weightSpecs } from '../../src/core/bert/weightNames';
import type { NerSentence } from '../../src/core/data/datasets';
import { loadModel } from '../../src/core/runtime/loadModel';
import { readTokenizerFiles, train, type EvalMetrics } from '../../src/core/train/trainer';
import { readTaskData } from '../../src/core/train/trainingData';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { DATA, flags, REPO, WIKIANN_LABELS } from '../train/common';

const option = flags(process.argv.slice(2));
const list = (name: string, fallback: string): number[] => option.get(name, fallback).split(',').map((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: "${v}" is not a positive integer`);
  return n;
});
const BUDGETS = list('budgets', '200,500,1000').sort((a, b) => a - b);
const SEED_SIZE = Number(option.get('seed-size', '100'));
const POOL_SAMPLE = Number(option.get('pool-sample', '5000'));
const DEV_SAMPLE = Number(option.get('dev-sample', '2000'));
const REPETITIONS = Number(option.get('seeds', '1'));
const BASE_SEED = Number(option.get('seed', '42'));
const THREADS = Number(option.get('threads', '1'));
const MEASURE = option.get('measure', 'entropy') as UncertaintyMeasure;
const REDUCTION = option.get('reduction', 'max') as UncertaintyReduction;
const WORK = path.resolve(option.get('work', path.join(REPO, '.active-curves')));
const OUT = option.has('out') ? path.resolve(option.get('out', '')) : undefined;
const TRAINING = {
  learning_rate: Number(option.get('lr', '5e-4')),
  weight_decay: 0.01,
  warmup_ratio: 0.1,
  max_grad_norm: 1.0,
  num_train_epochs: Number(option.get('epochs', '20')),
  per_device_train_batch_size: Number(option.get('batch-size', '16')),
  per_device_eval_batch_size: 64,
  max_seq_length: 128,
  // No evaluation or checkpoint before the end: one dev score per run, nothing picked on dev.
  eval_steps: 1e9,
  save_steps: 1e9,
  load_best_model_at_end: false,
};
const START_ARCHITECTURE = {
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
  max_position_embeddings: 512,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
};
const VOCABULARY = path.join(REPO, 'models', 'ner');

interface RunResult {
  arm: 'seed' | 'uncertainty' | 'random';
  budget: number;
  repetition: number;
  seed: number;
  sentences: number;
  entities: number;
  /** Words in the chosen sentences (uncertainty by the max over words leans towards long sentences). */
  words: number;
  f1: number;
  precision: number;
  recall: number;
  steps: number;
  train_s: number;
}

function checkFlags(): void {
  if (!UNCERTAINTY_MEASURES.includes(MEASURE)) throw new Error(`--measure must be one of ${UNCERTAINTY_MEASURES.join(', ')}`);
  if (!UNCERTAINTY_REDUCTIONS.includes(REDUCTION)) throw new Error(`--reduction must be one of ${UNCERTAINTY_REDUCTIONS.join(', ')}`);
  for (const [name, value] of [['seed-size', SEED_SIZE], ['seeds', REPETITIONS], ['threads', THREADS]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  }
  for (const [name, value] of [['pool-sample', POOL_SAMPLE], ['dev-sample', DEV_SAMPLE]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer (0: all)`);
  }
  if (BUDGETS[0]! <= SEED_SIZE) throw new Error(`every budget must exceed --seed-size ${SEED_SIZE}`);
}

async function readSentences(name: string): Promise<NerSentence[]> {
  const data = await readTaskData('ner', path.join(DATA, 'wikiann-en', name));
  if (data.task !== 'ner') throw new Error('unreachable');
  return data.sentences;
}

async function readJsonIfAny<T>(file: string): Promise<T | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * Finished runs are reused only under the settings they were made with: the start, the training
 * arguments, the dev sample, the seed set and the candidates (budgets, repetitions and the uncertainty
 * measure may change: they are in the runs' names).
 */
async function checkSettings(): Promise<void> {
  const file = path.join(WORK, 'settings.json');
  const settings = JSON.stringify({ start: START_ARCHITECTURE, seed: BASE_SEED, training: TRAINING, dev_sample: DEV_SAMPLE, seed_size: SEED_SIZE, pool_sample: POOL_SAMPLE, threads: THREADS });
  const saved = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (saved === undefined) await writeFileAtomic(file, settings);
  else if (saved !== settings) throw new Error(`${WORK} holds runs made with other settings (${file}): give another --work DIR`);
}

/** The one start of every run: seeded random weights, the bundled vocabulary, the WikiANN labels. */
async function startFolder(): Promise<string> {
  const dir = path.join(WORK, 'start');
  const marker = path.join(dir, 'complete.json');
  if (existsSync(marker)) return dir;
  const tokenizerFiles = await readTokenizerFiles(VOCABULARY);
  const vocabSize = tokenizerFiles['vocab.txt']!.toString('utf8').split('\n').filter((l: string) => l !== '').length;
  const config = parseBertConfig({
    ...START_ARCHITECTURE,
    vocab_size: vocabSize,
    id2label: Object.fromEntries(WIKIANN_LABELS.map((l, i) => [String(i), l])),
  });
  await saveModelFolder(dir, { config, head: 'token-classification', weights: initWeights(weightSpecs(config, 'token-classification'), config, BASE_SEED), tokenizerFiles, onnx: false });
  await writeFileAtomic(marker, JSON.stringify({ seed: BASE_SEED, vocab: VOCABULARY, vocab_size: vocabSize, ...START_ARCHITECTURE }));
  return dir;
}

const entityCount = (sentences: readonly NerSentence[]): number => sentences.reduce((n, s) => n + s.tags.filter((t) => t.startsWith('B-')).length, 0);

/** Fine-tunes the start on the chosen pool items and scores it on the dev sample (or reads the saved result). */
async function fineTune(name: string, arm: RunResult['arm'], budget: number, repetition: number, chosen: readonly number[], pool: readonly NerSentence[], dev: readonly NerSentence[], start: string): Promise<RunResult> {
  const runDir = path.join(WORK, `rep${repetition}`, name);
  const resultFile = path.join(runDir, 'result.json');
  const sentences = chosen.map((i) => pool[i]!);
  const words = sentences.reduce((n, s) => n + s.tokens.length, 0);
  const saved = await readJsonIfAny<RunResult>(resultFile);
  if (saved) {
    console.log(`  ${name}: done before (F1 ${pct(saved.f1)})`);
    return { ...saved, words };
  }
  const seed = BASE_SEED + repetition;
  const started = performance.now();
  const result = await train({
    task: 'ner',
    modelDir: start,
    train: { task: 'ner', sentences, issues: [] },
    eval: { task: 'ner', sentences: [...dev], issues: [] },
    outputDir: path.join(runDir, 'model'),
    threads: THREADS,
    args: { ...TRAINING, seed },
  });
  const metrics = result.metrics as (EvalMetrics & { f1?: number; precision?: number; recall?: number }) | undefined;
  if (metrics?.f1 === undefined) throw new Error(`${name}: the trainer reported no dev F1`);
  const run: RunResult = {
    arm, budget, repetition, seed,
    sentences: sentences.length,
    entities: entityCount(sentences),
    words,
    f1: metrics.f1, precision: metrics.precision ?? NaN, recall: metrics.recall ?? NaN,
    steps: result.steps,
    train_s: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(path.join(runDir, 'chosen.json'), JSON.stringify(chosen));
  await writeFileAtomic(resultFile, JSON.stringify(run, null, 2));
  console.log(`  ${name}: ${run.sentences} sentences (${run.entities} entities), ${run.steps} steps, dev F1 ${pct(run.f1)} (${run.train_s.toFixed(0)} s)`);
  return run;
}

/** The seed model's uncertainty for each candidate (saved: the ranking is the slow part after training). */
async function candidateScores(repetition: number, modelDir: string, candidates: readonly number[], pool: readonly NerSentence[]): Promise<number[]> {
  const file = path.join(WORK, `rep${repetition}`, `scores-${MEASURE}-${REDUCTION}.json`);
  const saved = await readJsonIfAny<{ candidates: number[]; scores: Array<number | null> }>(file);
  if (saved && saved.candidates.length === candidates.length && saved.candidates.every((c, i) => c === candidates[i])) {
    return saved.scores.map((s) => s ?? NaN);
  }
  const started = performance.now();
  const model = await loadModel(modelDir, { head: 'token-classification', threads: THREADS, cacheDir: path.join(WORK, 'onnx-cache'), offline: true });
  const scores: number[] = [];
  try {
    for (const index of candidates) {
      const units = await sentenceUncertainties(model, pool[index]!.tokens.join(' '), { measure: MEASURE, reduction: REDUCTION });
      // The words of every unit of the text alike: max of maxes is the max; a mean is weighted by words.
      scores.push(REDUCTION === 'max'
        ? reduceScores(units.map((u) => u.score), 'max')
        : units.reduce((sum, u) => sum + u.score * (u.words ?? 1), 0) / units.reduce((n, u) => n + (u.words ?? 1), 0));
    }
  } finally {
    await model.session.release();
  }
  console.log(`  ranked ${candidates.length} candidates by ${MEASURE} (${REDUCTION} over words) in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  await writeFileAtomic(file, JSON.stringify({ candidates, scores: scores.map((s) => (Number.isNaN(s) ? null : s)) }));
  return scores;
}

const pct = (value: number): string => (100 * value).toFixed(2);
const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const sd = (values: readonly number[]): number => {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
};

async function main(): Promise<void> {
  checkFlags();
  if (!existsSync(path.join(DATA, 'wikiann-en', 'train.txt')) || !existsSync(path.join(DATA, 'wikiann-en', 'dev.txt'))) {
    console.log(`skipped: ${path.join(DATA, 'wikiann-en')} (train.txt, dev.txt) is absent; this benchmark needs the WikiANN data in ../shared/data`);
    return;
  }
  await fs.mkdir(WORK, { recursive: true });
  const pool = await readSentences('train.txt');
  const allDev = await readSentences('dev.txt');
  const dev = DEV_SAMPLE === 0 || DEV_SAMPLE >= allDev.length ? allDev : sampleIndices(allDev.length, DEV_SAMPLE, BASE_SEED).sort((a, b) => a - b).map((i) => allDev[i]!);
  console.log(`WikiANN en: pool ${pool.length} train sentences, dev ${dev.length} of ${allDev.length} (seeded sample); budgets ${BUDGETS.join(', ')}, seed set ${SEED_SIZE}, candidates ${POOL_SAMPLE || 'all'}, ${REPETITIONS} repetition(s); ` +
    `start ${START_ARCHITECTURE.num_hidden_layers} layers × hidden ${START_ARCHITECTURE.hidden_size}, ${START_ARCHITECTURE.num_attention_heads} heads, intermediate ${START_ARCHITECTURE.intermediate_size}; ` +
    `epochs ${TRAINING.num_train_epochs}, lr ${TRAINING.learning_rate}, batch ${TRAINING.per_device_train_batch_size}, ${MEASURE}/${REDUCTION}, ${THREADS} thread(s); work ${WORK}`);
  await checkSettings();
  const start = await startFolder();
  const runs: RunResult[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const seed = BASE_SEED + r;
    console.log(`repetition ${r} (seed ${seed})`);
    // The two draws get seeds of their own, distinct from each other and from the training seed.
    const seedSet = sampleIndices(pool.length, SEED_SIZE, seed * 3 + 1);
    const rest = new Set(seedSet);
    const candidateCount = POOL_SAMPLE === 0 ? pool.length - SEED_SIZE : Math.min(POOL_SAMPLE, pool.length - SEED_SIZE);
    const candidates = sampleIndices(pool.length, candidateCount, seed * 3 + 2, rest);
    if (BUDGETS[BUDGETS.length - 1]! - SEED_SIZE > candidates.length) throw new Error(`budget ${BUDGETS[BUDGETS.length - 1]} needs more than the ${candidates.length} candidates`);
    // A random order of the same candidates: candidates are already a seeded random draw, so their draw order is one.
    const randomOrder = candidates;
    const seedRun = await fineTune(`seed-${SEED_SIZE}`, 'seed', SEED_SIZE, r, seedSet, pool, dev, start);
    runs.push(seedRun);
    const scores = await candidateScores(r, path.join(WORK, `rep${r}`, `seed-${SEED_SIZE}`, 'model'), candidates, pool);
    const uncertainOrder = mostUncertain(candidates, scores, BUDGETS[BUDGETS.length - 1]! - SEED_SIZE);
    for (const budget of BUDGETS) {
      runs.push(await fineTune(`uncertainty-${MEASURE}-${REDUCTION}-${budget}`, 'uncertainty', budget, r, budgetSelection(seedSet, uncertainOrder, budget), pool, dev, start));
      runs.push(await fineTune(`random-${budget}`, 'random', budget, r, budgetSelection(seedSet, randomOrder, budget), pool, dev, start));
    }
  }

  const rows: Array<{ budget: number; uncertainty: RunResult[]; random: RunResult[] }> = [{ budget: SEED_SIZE, uncertainty: runs.filter((x) => x.arm === 'seed'), random: runs.filter((x) => x.arm === 'seed') }];
  for (const budget of BUDGETS) rows.push({ budget, uncertainty: runs.filter((x) => x.arm === 'uncertainty' && x.budget === budget), random: runs.filter((x) => x.arm === 'random' && x.budget === budget) });
  const cell = (rs: RunResult[]) => {
    const f1 = rs.map((x) => x.f1);
    return REPETITIONS > 1 ? `${pct(mean(f1))} ± ${pct(sd(f1))}` : pct(f1[0]!);
  };
  console.log(`\n| budget (sentences) | uncertainty: dev F1 | random: dev F1 | uncertainty − random (points) | entities in the chosen set (uncertainty / random) | words in the chosen set (uncertainty / random) |`);
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) {
    const diff = 100 * (mean(row.uncertainty.map((x) => x.f1)) - mean(row.random.map((x) => x.f1)));
    const label = row.budget === SEED_SIZE ? `${row.budget} (seed set only)` : String(row.budget);
    console.log(`| ${label} | ${cell(row.uncertainty)} | ${cell(row.random)} | ${row.budget === SEED_SIZE ? '—' : (diff >= 0 ? '+' : '') + diff.toFixed(2)} | ${mean(row.uncertainty.map((x) => x.entities)).toFixed(0)} / ${mean(row.random.map((x) => x.entities)).toFixed(0)} | ${mean(row.uncertainty.map((x) => x.words)).toFixed(0)} / ${mean(row.random.map((x) => x.words)).toFixed(0)} |`);
  }
  if (REPETITIONS > 1) console.log(`(mean ± sample standard deviation over ${REPETITIONS} repetitions)`);
  if (OUT) {
    await writeFileAtomic(OUT, JSON.stringify({
      command: `npx tsx bench/active/curves.ts ${process.argv.slice(2).join(' ')}`.trim(),
      pool: pool.length, dev: dev.length, dev_total: allDev.length, budgets: BUDGETS, seed_size: SEED_SIZE, pool_sample: POOL_SAMPLE,
      measure: MEASURE, reduction: REDUCTION, start: START_ARCHITECTURE, training: TRAINING, runs,
    }, null, 2));
    console.log(`wrote ${OUT}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
