import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BertConfig } from '../bert/config';
import { labelList } from '../bert/config';
import type { HeadKind } from '../bert/heads';
import { PACKABLE_HEADS } from '../bert/definition';
import { saveModelFolder } from '../bert/saveFolder';
import { layerNormWeights, weightSpecs } from '../bert/weightNames';
import { architectureOf, canPack, classifierDropout } from '../bert/architecture';
import { maxSequenceLength } from '../bert/sequenceLength';
import { inspectModelFolder } from '../runtime/modelFolder';
import { modelFilePath } from '../runtime/modelFileLinks';
import type { Tokenizer } from '../runtime/tokenizer/tokenizer';
import { loadTokenizer } from '../runtime/tokenizer/loadTokenizer';
import { TOKENIZER_FOLDER_FILES } from '../runtime/tokenizer/tokenizerFileNames';
import { CancelledError } from '../tasks/shared/forward';
import { writeFileAtomic } from '../util/atomicWrite';
import { ensureWritableFolder } from '../util/writableFolder';
import { Random } from '../util/random';
import { batchFeeds, dropoutFeeds } from './batch';
import { defaultGreaterIsBetter, isImprovement, metricValue, numericMetricNames, type BestModel } from './bestModel';
import { diskUsage, dropOptimizerState, listCheckpoints, loadCheckpoint, pruneCheckpoints, saveCheckpoint, shareWeightsFile, type TrainerState } from './checkpoint';
import { readSafetensors } from '../runtime/safetensors';
import { FallingScoreDetector } from './overfitting';
import { collate, collatePacked, type MaskingOptions } from './collate';
import { EvaluationSession } from './evaluation';
import { classificationFeatures, mlmFeatures, nerFeatures, qaFeatures, type Feature, type FeatureReport } from './features';
import { describeInitReport, initializeForTraining } from './initModel';
import { classificationEvalMetrics, multiLabelEvalMetrics, multiLabelsOf, nerEvalMetrics, qaEvalMetrics, type EvalMetrics } from './taskMetrics';
import { NonFiniteError, Optimization } from './optimization';
import { classificationLabelList, exampleCount, nerLabels, type TaskData, type TrainTask } from './trainingData';
import { resolveTrainingArguments, type TrainingArguments } from './trainingArguments';
import { computeFrozenFeatures, DEFAULT_CACHE_LIMIT_BYTES, frozenFeatureBytes, frozenOutputOf, type FrozenFeatureCache } from './frozenFeatures';
import { buildHeadTrainingGraph, headBatchFeeds, HeadEvaluationSession } from './headOnFeatures';
import { lengthGroupedOrder } from './lengthGrouping';
import { buildTrainingGraph } from './trainingGraph';
import { TrainingSession } from './trainingSession';

export const HEAD_OF_TASK: Record<TrainTask, HeadKind> = {
  ner: 'token-classification',
  classify: 'sequence-classification',
  qa: 'question-answering',
  mlm: 'masked-lm',
};

/** 'head': only the task head; a number k: the top k encoder layers + pooler + head; 'all': everything. */
export type TrainLayers = 'head' | number | 'all';

export interface TrainerOptions {
  task: TrainTask;
  /** Model folder (HF layout: model.safetensors or pytorch_model.bin, any tokenizer type) to start from. */
  modelDir: string;
  /** Where a SentencePiece tokenizer's conversion is cached (default as loadTokenizer's). */
  cacheDir?: string;
  train: TaskData;
  eval?: TaskData;
  outputDir: string;
  args?: Partial<TrainingArguments>;
  trainLayers?: TrainLayers;
  /**
   * Head-only training (trainLayers 'head') of NER, classification and QA computes the frozen
   * encoder's output once per row and trains the head on those features (default true). The features
   * are computed without dropout (eval mode); HF's frozen-encoder training would apply the encoder's
   * dropout anew each step. Classifier dropout, loss and optimizer are unchanged.
   */
  featureCache?: boolean;
  /** Overrides the config's hidden, attention and classifier dropout (0 switches dropout off). */
  dropout?: number;
  /** false keeps the data in file order (to compare step by step with other implementations). */
  shuffle?: boolean;
  /**
   * Token and sequence classification pack each batch's examples into shared rows (collatePacked):
   * the same loss and gradients as rows padded to the longest, for a fraction of the work on short
   * rows of mixed length. false pads every row (dropout then draws the same masks as before packing).
   */
  packing?: boolean;
  /** QA windows: tokens shared by consecutive windows. */
  docStride?: number;
  problemType?: BertConfig['problem_type'];
  /** Continue from this checkpoint folder (bit-identical to an uninterrupted run). */
  resumeFrom?: string;
  /** Stop after this many optimizer steps (for tests and previews); the schedule still spans the full run. */
  maxSteps?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Resolves when training may continue (the panel's Pause holds it). */
  waitIfPaused?: () => Promise<void>;
  onEvent?: (event: TrainerEvent) => void;
}

export type TrainerEvent =
  | { type: 'info'; message: string }
  | { type: 'start'; totalSteps: number; stepsPerEpoch: number; trainRows: number; evalRows: number; trainable: number; labels: string[] }
  | { type: 'log'; step: number; epoch: number; loss: number; learning_rate: number; grad_norm: number; elapsed_s: number; eta_s: number }
  | { type: 'eval'; step: number; epoch: number; metrics: EvalMetrics }
  | { type: 'checkpoint'; step: number; path: string }
  | { type: 'best'; step: number; path: string; metric: string; value: number }
  | { type: 'done'; step: number; outputDir: string; metrics?: EvalMetrics; bestModelCheckpoint?: string; diskBytes?: number };

export type { EvalMetrics } from './taskMetrics';

export class TrainingError extends Error {}

/** Training refused before it starts: the data, the arguments or the model do not fit (bad input, CLI exit 2). */
export class TrainingInputError extends TrainingError {}

interface Prepared {
  features: Feature[];
  report: FeatureReport;
}

export function trainableNames(config: BertConfig, head: HeadKind, layers: TrainLayers): Set<string> {
  const architecture = architectureOf(config);
  const never = new Set(architecture.untrainable(config));
  const names = weightSpecs(config, head).map((s) => s.name).filter((n) => !never.has(n));
  if (layers === 'all') return new Set(names);
  // The task head: whatever is outside the base model (classifier.*, DistilBERT's pre_classifier, lm_head.*).
  const isHead = (n: string) => !n.startsWith(architecture.basePrefix);
  if (layers === 'head') return new Set(names.filter(isHead));
  if (!Number.isInteger(layers) || layers < 0 || layers > config.num_hidden_layers) {
    throw new TrainingInputError(`train layers must be head, all, or 0..${config.num_hidden_layers}; got ${layers}`);
  }
  const first = config.num_hidden_layers - layers;
  const topLayers = Array.from({ length: layers }, (_, i) => architecture.layer(first + i).module);
  return new Set(names.filter((n) => isHead(n) || n.startsWith(`${architecture.summary.module}.`) || topLayers.some((prefix) => n.startsWith(prefix))));
}

/**
 * The training arguments the optimizer uses: the no_decay name patterns plus every LayerNorm weight
 * of the architecture, so that DistilBERT's sa_layer_norm and RoBERTa's lm_head.layer_norm are
 * exempt from weight decay as HF Trainer exempts LayerNorm modules (for BERT the patterns match them already).
 */
export function optimizerArguments(args: TrainingArguments, config: BertConfig, head: HeadKind): TrainingArguments {
  const extra = layerNormWeights(config, head).filter((n) => !args.no_decay.some((pattern) => n.includes(pattern)));
  return extra.length ? { ...args, no_decay: [...args.no_decay, ...extra] } : args;
}

function fingerprint(features: readonly Feature[]): string {
  const hash = createHash('sha256');
  for (const f of features) hash.update(Int32Array.from(f.inputIds));
  return `${features.length}:${hash.digest('hex').slice(0, 16)}`;
}

function prepare(data: TaskData, tokenizer: Tokenizer, config: BertConfig, args: TrainingArguments, docStride: number): Prepared {
  const maxSeqLength = Math.min(args.max_seq_length, maxSequenceLength(config));
  switch (data.task) {
    case 'ner':
      return nerFeatures(data.sentences, tokenizer, config.label2id, { maxSeqLength });
    case 'classify': {
      const regression = config.problem_type === 'regression';
      const examples = data.examples.map((e) => {
        if (regression) {
          const value = Number(e.label);
          if (!Number.isFinite(value)) throw new TrainingInputError(`line ${e.line}: regression label "${e.label}" is not a number`);
          return { text: e.text, label: [value] };
        }
        if (config.problem_type === 'multi_label_classification') {
          const set = new Set(multiLabelsOf(e));
          return { text: e.text, label: labelList(config).map((l) => (set.has(l) ? 1 : 0)) };
        }
        const id = config.label2id[e.label];
        if (id === undefined) throw new TrainingInputError(`line ${e.line}: label "${e.label}" is not in the label set`);
        return { text: e.text, label: id };
      });
      return classificationFeatures(examples, tokenizer, { maxSeqLength });
    }
    case 'qa':
      return qaFeatures(data.examples, tokenizer, { maxSeqLength, docStride });
    case 'mlm':
      return mlmFeatures(data.texts, tokenizer, { maxSeqLength });
  }
}

/**
 * The tokenizer files a model folder has, of whatever type (tokenizer.json, vocab.txt, vocab.json +
 * merges.txt, a SentencePiece .model, added_tokens.json, the config files), as bytes: copied into a
 * checkpoint or an exported folder, they make it tokenize exactly as the folder it came from.
 */
export async function readTokenizerFiles(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const name of TOKENIZER_FOLDER_FILES) {
    let content: Buffer;
    const file = await modelFilePath(dir, name);
    try {
      content = await fs.readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new TrainingInputError(`${path.join(dir, name)}: cannot read (${(error as Error).message})`);
    }
    files[name] = content;
  }
  return files;
}


/**
 * Fine-tuning with the HF Trainer's semantics (seeded, padded batches, accumulation, clipping,
 * AdamW, schedules), evaluation, atomic checkpoints that resume bit-identically, and export of the
 * result as an HF model folder with its ONNX graph.
 */
export async function train(options: TrainerOptions): Promise<{ outputDir: string; metrics?: EvalMetrics; steps: number; bestModelCheckpoint?: string; diskBytes: number }> {
  const emit = options.onEvent ?? (() => undefined);
  const head = HEAD_OF_TASK[options.task];
  if (options.train.task !== options.task) throw new TrainingInputError(`training data is for ${options.train.task}, the task is ${options.task}`);
  const args = resolveTrainingArguments(options.args ?? {});
  // Before any work: a run whose checkpoints and model cannot be saved is not worth starting.
  await ensureWritableFolder(options.outputDir);
  const folder = await inspectModelFolder(options.modelDir);
  // Any type the folder has (WordPiece, byte-level BPE, SentencePiece), as inference loads it.
  const tokenizer = await loadTokenizer(folder.dir, { cacheDir: options.cacheDir });
  const tokenizerFiles = await readTokenizerFiles(folder.dir);

  if (exampleCount(options.train) === 0) throw new TrainingInputError('the training data has no examples');
  if (options.train.task === 'ner' && !options.train.sentences.some((s) => s.tags.some((tag) => tag !== 'O'))) {
    emit({ type: 'info', message: 'warning: every tag of the training data is O, so the model cannot learn to recognise any entity (are the entity tags in another column, or all left out?)' });
  }
  let labels: string[] | undefined;
  if (options.train.task === 'ner') labels = nerLabels(options.train.sentences, labelList(folder.config));
  if (options.train.task === 'classify' && (options.problemType ?? folder.config.problem_type) !== 'regression') {
    labels = classificationLabelList(options.train.examples, labelList(folder.config), (options.problemType ?? folder.config.problem_type) === 'multi_label_classification');
  }
  if (labels && labels.length < 2 && options.task !== 'classify') {
    throw new TrainingInputError(`the training data has only the label(s) ${labels.join(', ') || '(none)'}: a ${options.task} model needs at least two`);
  }
  if (options.task === 'classify' && labels && labels.length < 2) {
    throw new TrainingInputError(`the training data has a single label (${labels.join(', ')}): classification needs at least two`);
  }
  const init = await initializeForTraining(folder, head, { labels, seed: args.seed, problemType: options.problemType });
  const config: BertConfig = { ...init.config };
  if (options.dropout !== undefined) {
    if (!(options.dropout >= 0 && options.dropout < 1)) throw new TrainingInputError(`dropout must be in [0, 1), got ${options.dropout}`);
    config.hidden_dropout_prob = options.dropout;
    config.attention_probs_dropout_prob = options.dropout;
    config.classifier_dropout = options.dropout;
    // DistilBERT's heads have their own fields (seq_classif_dropout, qa_dropout).
    for (const field of Object.values(architectureOf(config).headDropout)) config[field] = options.dropout;
    // ModernBERT's GeGLU MLP has its own (mlp_dropout).
    if (architectureOf(config).rotary) config.mlp_dropout = options.dropout;
  }
  for (const line of describeInitReport(init.report, options.modelDir)) emit({ type: 'info', message: line });
  const weights = init.weights;

  const train = prepare(options.train, tokenizer, config, args, options.docStride ?? 128);
  if (train.features.length === 0) throw new TrainingInputError('the training data has no examples');
  const evalData = options.eval ? prepare(options.eval, tokenizer, config, args, options.docStride ?? 128) : undefined;
  if (train.report.windowed > 0) emit({ type: 'info', message: `${train.report.windowed} training examples were longer than ${Math.min(args.max_seq_length, maxSequenceLength(config))} tokens and were split into overlapping windows` });

  const layers = options.trainLayers ?? 'all';
  const trainable = trainableNames(config, head, layers);
  const dropoutOn = config.hidden_dropout_prob > 0 || config.attention_probs_dropout_prob > 0 || classifierDropout(config, head) > 0 ||
    (typeof config.mlp_dropout === 'number' && config.mlp_dropout > 0);
  const frozenOutput = layers === 'head' && options.featureCache !== false ? frozenOutputOf(head) : null;
  let useCache = frozenOutput !== null;
  if (frozenOutput !== null) {
    const bytes = frozenFeatureBytes(head, config.hidden_size, [...train.features, ...(evalData?.features ?? [])]);
    if (bytes > DEFAULT_CACHE_LIMIT_BYTES) {
      useCache = false;
      emit({ type: 'info', message: `the frozen encoder features would take ${(bytes / 2 ** 30).toFixed(1)} GiB: head-only training runs the encoder every step instead` });
    }
  }
  const packed = options.packing !== false && !useCache && PACKABLE_HEADS.includes(head) && canPack(config);
  const graphOptions = { config, head, trainable, weights: (n: string) => weights.get(n)!, dropout: dropoutOn, packed };
  const graph = useCache ? buildHeadTrainingGraph(graphOptions) : buildTrainingGraph(graphOptions);
  const session = await TrainingSession.create(graph, { threads: options.threads });
  const params = new Map([...trainable].map((n) => [n, weights.get(n)!]));
  const trainableCount = [...params.values()].reduce((n, p) => n + p.length, 0);

  const batchesPerEpoch = Math.ceil(train.features.length / args.per_device_train_batch_size);
  const stepsPerEpoch = Math.max(1, Math.ceil(batchesPerEpoch / args.gradient_accumulation_steps));
  const totalSteps = Math.ceil(args.num_train_epochs * stepsPerEpoch);
  const epochs = Math.ceil(totalSteps / stepsPerEpoch);
  const padTokenId = tokenizer.padTokenId ?? 0;
  const specialIds = new Set([tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.padTokenId].filter((id): id is number => id !== undefined));
  const maskingOptions: MaskingOptions | undefined = head === 'masked-lm'
    ? { probability: 0.15, maskTokenId: tokenizer.maskTokenId ?? 0, vocabSize: config.vocab_size, specialIds }
    : undefined;
  if (head === 'masked-lm' && tokenizer.maskTokenId === undefined) throw new TrainingInputError('the tokenizer has no [MASK] token: masked-LM training needs one');

  const optimizerArgs = optimizerArguments(args, config, head);
  let optimization = Optimization.create(params, optimizerArgs, totalSteps);
  let epochRandom = new Random(args.seed);
  let stepRandom = new Random(args.seed + 1);
  let startEpoch = 0;
  let startBatch = 0;
  const logHistory: Array<Record<string, unknown>> = [];
  const dataFingerprint = fingerprint(train.features);
  const greaterIsBetter = args.greater_is_better ?? defaultGreaterIsBetter(args.metric_for_best_model);
  let best: BestModel | undefined;
  let bestMetrics: EvalMetrics | undefined;
  let evaluatedAt = -1;
  const falling = new FallingScoreDetector(3, greaterIsBetter);
  if (options.eval && args.load_best_model_at_end && !(args.save_steps === 0 ? args.eval_steps === 0 : args.eval_steps > 0 && args.save_steps % args.eval_steps === 0)) {
    // HF refuses this combination; here the best is chosen among the checkpoints saved at an evaluation.
    emit({ type: 'info', message: `warning: load_best_model_at_end chooses among checkpoints saved right after an evaluation; with save_steps ${args.save_steps} and eval_steps ${args.eval_steps} some checkpoints have no fresh evaluation (HF requires save_steps to be a multiple of eval_steps)` });
  }
  const lengths = train.features.map((f) => f.inputIds.length);

  if (options.resumeFrom) {
    const checkpoint = await loadCheckpoint(options.resumeFrom);
    const state = checkpoint.state;
    if (state.task !== options.task) throw new TrainingInputError(`${options.resumeFrom} is a ${state.task} checkpoint, not ${options.task}`);
    if (state.data_fingerprint !== dataFingerprint) emit({ type: 'info', message: `the training data differs from the data of ${options.resumeFrom}; the run will not repeat the original one` });
    for (const [name, value] of checkpoint.weights) if (weights.has(name)) weights.get(name)!.set(value);
    optimization = Optimization.restore(params, optimizerArgs, totalSteps, checkpoint.optimizer, state.global_step);
    epochRandom = Random.fromState(state.epoch_random);
    stepRandom = Random.fromState(state.step_random);
    startEpoch = state.epoch_index;
    startBatch = state.batch_index;
    logHistory.push(...state.log_history);
    if (state.best_model_checkpoint !== undefined && state.best_metric !== undefined) {
      best = { checkpoint: path.join(options.outputDir, path.basename(state.best_model_checkpoint)), metric: state.best_metric, step: state.best_step ?? -1 };
      const logged = logHistory.find((r) => r.step === best!.step && r.eval !== undefined);
      bestMetrics = logged?.eval as EvalMetrics | undefined;
    }
    emit({ type: 'info', message: `resumed from ${options.resumeFrom} at step ${state.global_step}` });
  }

  let cache: FrozenFeatureCache | undefined;
  if (useCache) {
    // After a resume, so that the features come from the weights the run continues with.
    const cacheStarted = Date.now();
    const rows = [...train.features, ...(evalData?.features ?? [])];
    emit({ type: 'info', message: `head-only training: running the frozen encoder once over ${rows.length} rows` });
    cache = await computeFrozenFeatures(config, head, (n) => weights.get(n)!, rows, {
      batchSize: args.per_device_eval_batch_size, padTokenId, threads: options.threads, signal: options.signal,
    });
    emit({ type: 'info', message: `head-only training: cached the frozen encoder's ${cache.output} for ${cache.size} rows (${(cache.bytes / 2 ** 20).toFixed(1)} MiB) in ${((Date.now() - cacheStarted) / 1000).toFixed(1)} s` });
  }
  const evaluation = !evalData ? undefined
    : cache ? await HeadEvaluationSession.create(config, head, weights, trainable, cache, options.threads)
      : await EvaluationSession.create(config, head, weights, trainable, options.threads);
  emit({ type: 'start', totalSteps, stepsPerEpoch, trainRows: train.features.length, evalRows: evalData?.features.length ?? 0, trainable: trainableCount, labels: labelList(config) });

  const evaluate = async (): Promise<EvalMetrics | undefined> => {
    if (!evalData || !options.eval) return undefined;
    if (head === 'masked-lm') {
      const random = new Random(12345);
      let total = 0;
      let count = 0;
      for (let at = 0; at < evalData.features.length; at += args.per_device_eval_batch_size) {
        const batch = collate(head, evalData.features.slice(at, at + args.per_device_eval_batch_size), padTokenId, { random, options: maskingOptions! });
        // The training graph computes the loss; evaluation runs it with dropout masks of ones.
        const feeds = { ...batchFeeds(graph, config, batch), ...dropoutFeeds(graph, [batch.input_ids.length, (batch.input_ids[0] as number[]).length], null) };
        total += (await session.run(feeds, params)).loss;
        count++;
      }
      const loss = total / Math.max(1, count);
      return { score: -loss, eval_loss: loss, perplexity: Math.exp(loss) };
    }
    const outputs = await evaluation!.predict(head, evalData.features, params, args.per_device_eval_batch_size, padTokenId);
    const labels = labelList(config);
    switch (options.eval.task) {
      case 'ner':
        return nerEvalMetrics(options.eval.sentences, evalData.features, outputs, labels);
      case 'classify':
        if (config.problem_type === 'multi_label_classification') return multiLabelEvalMetrics(options.eval.examples, evalData.features, outputs, labels);
        return classificationEvalMetrics(options.eval.examples, evalData.features, outputs, labels, config.problem_type === 'regression');
      case 'qa':
        return qaEvalMetrics(options.eval.examples, evalData.features, outputs, tokenizer, {
          maxLength: Math.min(args.max_seq_length, maxSequenceLength(config)),
          docStride: options.docStride ?? 128,
        });
      default:
        return undefined;
    }
  };

  const checkpoint = async (epochIndex: number, batchIndex: number, epochStartState: ReturnType<Random['state']>): Promise<string> => {
    const state: Omit<TrainerState, 'optimizer' | 'format'> = {
      global_step: optimization.step,
      epoch: optimization.step / stepsPerEpoch,
      epoch_index: epochIndex,
      batch_index: batchIndex,
      total_steps: totalSteps,
      epoch_random: epochStartState,
      step_random: stepRandom.state(),
      task: options.task,
      head,
      trainable: [...trainable],
      args,
      log_history: logHistory,
      data_fingerprint: dataFingerprint,
    };
    // HF _save_checkpoint: the metrics of this step's evaluation decide whether this checkpoint is the best.
    const dirOf = path.join(options.outputDir, `checkpoint-${optimization.step}`);
    let newBest = false;
    if (lastMetrics && evaluatedAt === optimization.step) {
      const value = metricValue(lastMetrics, args.metric_for_best_model);
      if (value === undefined) {
        throw new TrainingError(`metric_for_best_model "${args.metric_for_best_model}" is not among the evaluation's metrics (${numericMetricNames(lastMetrics).join(', ')})`);
      }
      if (isImprovement(value, best, greaterIsBetter)) {
        best = { checkpoint: dirOf, metric: value, step: optimization.step };
        bestMetrics = lastMetrics;
        newBest = true;
      }
    }
    if (best) Object.assign(state, { best_model_checkpoint: best.checkpoint, best_metric: best.metric, best_step: best.step });
    const dir = await saveCheckpoint(options.outputDir, { config, head, weights, optimizer: optimization.snapshot(), state, tokenizerFiles });
    await pruneCheckpoints(options.outputDir, args.save_total_limit, best?.checkpoint);
    // Only the newest checkpoint is where a run resumes; older ones keep their weights only.
    await dropOptimizerState(options.outputDir, dir);
    emit({ type: 'checkpoint', step: optimization.step, path: dir });
    if (newBest && best) emit({ type: 'best', step: best.step, path: best.checkpoint, metric: args.metric_for_best_model, value: best.metric });
    return dir;
  };

  const started = Date.now();
  const startStep = optimization.step;
  let lastMetrics: EvalMetrics | undefined;
  let micro: number[] = [];
  const stopAt = Math.min(totalSteps, options.maxSteps ?? totalSteps);
  try {
    for (let epoch = startEpoch; epoch < epochs && optimization.step < stopAt; epoch++) {
      const epochStartState = epochRandom.state();
      const order = train.features.map((_, i) => i);
      if (options.shuffle !== false) epochRandom.shuffle(order);
      const epochOrder = args.group_by_length ? lengthGroupedOrder(order, lengths, args.per_device_train_batch_size) : order;
      const firstBatch = epoch === startEpoch ? startBatch : 0;
      for (let b = firstBatch; b < batchesPerEpoch && optimization.step < stopAt; b++) {
        if (options.signal?.aborted) throw new CancelledError();
        await options.waitIfPaused?.();
        const rows = epochOrder.slice(b * args.per_device_train_batch_size, (b + 1) * args.per_device_train_batch_size).map((i) => train.features[i]!);
        const batch = packed ? collatePacked(head, rows, padTokenId) : collate(head, rows, padTokenId, maskingOptions ? { random: stepRandom, options: maskingOptions } : undefined);
        const dims = [batch.input_ids.length, (batch.input_ids[0] as number[]).length];
        const inputs = cache ? headBatchFeeds(graph, config, batch, rows, cache) : batchFeeds(graph, config, batch);
        const feeds = { ...inputs, ...dropoutFeeds(graph, dims, stepRandom, rows.length) };
        const result = await session.run(feeds, params);
        if (!Number.isFinite(result.loss)) {
          const kept = (await listCheckpoints(options.outputDir)).pop();
          throw new TrainingError(`the loss became ${result.loss} at step ${optimization.step + 1}; training stopped${kept ? `, the last good checkpoint is ${kept.dir}` : ''}. Try a lower learning_rate.`);
        }
        optimization.accumulate(result.grads);
        micro.push(result.loss);
        const lastOfEpoch = b === batchesPerEpoch - 1;
        if (micro.length < args.gradient_accumulation_steps && !lastOfEpoch) continue;
        let report;
        try {
          report = optimization.apply();
        } catch (error) {
          if (error instanceof NonFiniteError) {
            const kept = (await listCheckpoints(options.outputDir)).pop();
            throw new TrainingError(`${error.message}; training stopped${kept ? `, the last good checkpoint is ${kept.dir}` : ''}. Try a lower learning_rate or max_grad_norm.`);
          }
          throw error;
        }
        const loss = micro.reduce((a, c) => a + c, 0) / micro.length;
        micro = [];
        const elapsed = (Date.now() - started) / 1000;
        const done = report.step - startStep;
        const record = { step: report.step, epoch: report.step / stepsPerEpoch, loss, learning_rate: report.learningRate, grad_norm: report.gradNorm };
        logHistory.push(record);
        emit({ type: 'log', ...record, elapsed_s: elapsed, eta_s: done > 0 ? (elapsed / done) * (stopAt - report.step) : 0 });
        const nextBatch = b + 1;
        const atEpochEnd = nextBatch >= batchesPerEpoch;
        if ((args.eval_steps > 0 && report.step % args.eval_steps === 0) || (args.eval_steps === 0 && atEpochEnd)) {
          lastMetrics = await evaluate();
          evaluatedAt = report.step;
          if (lastMetrics) {
            const value = metricValue(lastMetrics, args.metric_for_best_model);
            const warning = value === undefined ? undefined : falling.add(value, args.metric_for_best_model === 'score' ? 'score' : args.metric_for_best_model);
            if (warning) emit({ type: 'info', message: warning });
            logHistory.push({ step: report.step, epoch: report.step / stepsPerEpoch, eval: lastMetrics });
            emit({ type: 'eval', step: report.step, epoch: report.step / stepsPerEpoch, metrics: lastMetrics });
          }
        }
        if ((args.save_steps > 0 && report.step % args.save_steps === 0) || (args.save_steps === 0 && atEpochEnd)) {
          // A checkpoint at an epoch end resumes at the start of the next epoch.
          if (atEpochEnd) await checkpoint(epoch + 1, 0, epochRandom.state());
          else await checkpoint(epoch, nextBatch, epochStartState);
        }
      }
    }
    // Before the sessions are released: a run whose eval_steps never came still reports its metrics.
    if (evalData && !lastMetrics) lastMetrics = await evaluate();
  } finally {
    await session.release();
    await evaluation?.release();
  }

  const useBest = args.load_best_model_at_end && best !== undefined && (await fs.stat(path.join(best.checkpoint, 'model.safetensors')).catch(() => undefined)) !== undefined;
  if (useBest) {
    // HF load_best_model_at_end: the final model is the best checkpoint's.
    const saved = await readSafetensors(path.join(best!.checkpoint, 'model.safetensors'));
    for (const name of saved.names()) if (weights.has(name)) weights.get(name)!.set(saved.float32(name));
    emit({ type: 'info', message: `loaded the best checkpoint ${best!.checkpoint} (${args.metric_for_best_model} ${best!.metric}) as the final model` });
    if (bestMetrics) lastMetrics = bestMetrics;
  }
  await saveModelFolder(options.outputDir, {
    config,
    head,
    weights,
    tokenizerFiles,
    onnx: true,
    metadata: { trained_by: 'bert-lens', task: options.task, steps: String(optimization.step) },
  });
  // The final model's weights are stored once: the checkpoint holding the same weights links to them.
  const sameWeights = useBest ? best!.checkpoint : path.join(options.outputDir, `checkpoint-${optimization.step}`);
  if (await fs.stat(path.join(sameWeights, 'model.safetensors')).catch(() => undefined)) {
    await shareWeightsFile(path.join(options.outputDir, 'model.safetensors'), sameWeights);
  }
  // A finished run is never resumed: no checkpoint needs its optimizer state any more.
  if (optimization.step >= totalSteps) await dropOptimizerState(options.outputDir);
  const bestModelCheckpoint = best?.checkpoint;
  await writeFileAtomic(path.join(options.outputDir, 'training_log.json'), JSON.stringify({
    args, log_history: logHistory, metrics: lastMetrics ?? null,
    best_model_checkpoint: bestModelCheckpoint ?? null, best_metric: best?.metric ?? null,
  }, null, 1) + '\n');
  const diskBytes = await diskUsage(options.outputDir);
  emit({ type: 'done', step: optimization.step, outputDir: options.outputDir, metrics: lastMetrics, bestModelCheckpoint, diskBytes });
  return { outputDir: options.outputDir, metrics: lastMetrics, steps: optimization.step, bestModelCheckpoint, diskBytes };
}
