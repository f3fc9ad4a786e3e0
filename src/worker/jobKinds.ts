/*
 * What each job kind takes, returns and reports while it runs. Shared by the host (WorkerClient.run
 * is typed by this map) and the worker (the handler registry in jobs/index.ts must cover every key).
 *
 * To add a kind: add an entry to JobKinds here, write src/worker/jobs/<kind>.ts exporting a
 * JobHandler (validate + run), and list it in src/worker/jobs/index.ts. Types only here: this file
 * is imported by the extension host bundle, which must not pull in onnxruntime-node.
 */
import type { HeadKind } from '../core/bert/heads';
import type { AnnotatedDocument } from '../core/data/annotation';
import type { CategoryExampleUnit } from '../core/data/categoryExamples';
import type { TrainingArguments } from '../core/train/trainingArguments';
import type { AggregationStrategy, TokenClassificationResult } from '../core/tasks/tokenClassification/types';
import type { SegmentationMode, SegmentPacking } from '../core/tasks/shared/segmentation';
import type { ProviderProbe } from '../core/runtime/executionProviders';
import type { UncertaintyMeasure, UncertaintyReduction } from '../core/active/uncertainty';
import type { FunctionToApply } from '../core/tasks/textClassification/postprocess';
import type { TaskJobKinds } from './taskJobKinds';

/** Which model to load and how; the worker caches one session per (reference, head, quantized, threads). */
export interface ModelSpec {
  /** An absolute folder path or a hub id (`owner/name[@revision]`); the host resolves relative paths. */
  reference: string;
  quantized?: boolean;
  /** ONNX Runtime intra-op threads; 0 = ORT's choice. */
  threads?: number;
  /** Where converted ONNX graphs are cached. */
  cacheDir?: string;
  /** Where hub downloads are cached (default: the huggingface_hub cache). */
  hubCacheDir?: string;
  endpoint?: string;
  offline?: boolean;
}

/** What the host shows about a loaded model. */
export interface ModelInfo {
  reference: string;
  dir: string;
  source: 'local' | 'hub';
  head: HeadKind;
  /** config.id2label as a dense list. */
  labels: string[];
  quantized: boolean;
  graphSource: 'folder' | 'converted';
  /** Hub models: the commit the revision resolved to. */
  commit?: string;
}

export type ModelLoadProgress =
  | { phase: 'download'; file: string; loaded: number; total: number | undefined }
  | { phase: 'loading' };

export interface LoadModelJob {
  payload: { model: ModelSpec; head: HeadKind };
  result: ModelInfo;
  progress: ModelLoadProgress;
}

export interface RecognizeEntitiesOptions {
  aggregationStrategy?: AggregationStrategy;
  /** HF default ["O"]; [] keeps every label. */
  ignoreLabels?: string[];
  maxLength?: number;
  stride?: number;
  batchSize?: number;
  /** See src/core/tasks/shared/segmentation.ts; default DEFAULT_SEGMENTATION. */
  segmentation?: SegmentationMode;
  packing?: SegmentPacking;
}

export interface RecognizeEntitiesJob {
  /** Several texts (e.g. one per selection) run as one job: one model load, one progress bar. */
  payload: { model: ModelSpec; texts: string[]; options: RecognizeEntitiesOptions };
  /** entities[i] holds the HF-shaped results for texts[i], offsets UTF-16 into texts[i]. */
  result: { model: ModelInfo; entities: TokenClassificationResult[][] };
  /** `fraction` in [0, 1] over all texts, weighted by length; it ends at 1. */
  progress: ModelLoadProgress | { phase: 'inference'; fraction: number };
}

export interface RankUncertainOptions {
  measure?: UncertaintyMeasure;
  reduction?: UncertaintyReduction;
  maxLength?: number;
  stride?: number;
  batchSize?: number;
  /** NER only: how sentences share windows (default isolated: each scored alone). */
  packing?: SegmentPacking;
  /** Classification only: HF function_to_apply (default from the model's problem_type). */
  functionToApply?: FunctionToApply;
}

/** One scored sentence (NER) or paragraph (classification) of texts[text]; UTF-16 offsets into that text. */
export interface UncertainUnitResult {
  text: number;
  start: number;
  end: number;
  score: number;
  /** NER: the words scored in the sentence. */
  words?: number;
}

/** "Next Uncertain": the sentences (NER) or paragraphs (classification) of several texts scored by the model's uncertainty. */
export interface RankUncertainJob {
  payload: { model: ModelSpec; task: 'ner' | 'classification'; texts: string[]; options: RankUncertainOptions };
  /** `units` in text order, then document order; `ranking` their indices, most uncertain first (ties: that order). */
  result: { model: ModelInfo; units: UncertainUnitResult[]; ranking: number[] };
  /** `fraction` in [0, 1] over all texts, weighted by length; it ends at 1. */
  progress: ModelLoadProgress | { phase: 'inference'; fraction: number };
}

/** Training data: the annotation store's documents (NER) or a data file in any format the trainer reads. */
/** `unit`: which text-category decisions a classification trains from (categoryExamples; all when absent). */
export type TrainData = { kind: 'documents'; documents: AnnotatedDocument[]; segmentation?: SegmentationMode; unit?: CategoryExampleUnit } | { kind: 'file'; path: string };

/** Dev set: none, a seeded share of the training examples, or a file / a folder of data files. */
export type TrainDev = { kind: 'none' } | { kind: 'ratio'; ratio: number } | { kind: 'path'; path: string };

export interface TrainPayload {
  task: 'ner' | 'classify';
  /** The base model: a local folder (bundled, picked, a checkpoint) or a hub id; hub models need model.safetensors. */
  model: Pick<ModelSpec, 'reference' | 'hubCacheDir' | 'endpoint' | 'offline'>;
  data: TrainData;
  dev: TrainDev;
  /** HF TrainingArguments; missing ones take the trainer's defaults. */
  args: Partial<TrainingArguments>;
  trainLayers: 'head' | 'all' | number;
  /** Receives checkpoint-STEP/ folders and the final model (an HF folder with onnx/model.onnx). */
  outputDir: string;
  resumeFrom?: string;
  /** Stop after this many optimizer steps (the schedule still spans the whole run). */
  maxSteps?: number;
  threads?: number;
}

export interface TrainEvalMetrics {
  score: number;
  [key: string]: unknown;
}

export type TrainProgress =
  | ModelLoadProgress
  | { phase: 'info'; message: string }
  | { phase: 'start'; totalSteps: number; stepsPerEpoch: number; trainRows: number; evalRows: number; trainable: number; labels: string[]; trainExamples: number; devExamples: number }
  /** eta_s leaves out the time spent paused. */
  | { phase: 'log'; step: number; epoch: number; loss: number; learning_rate: number; grad_norm: number; elapsed_s: number; eta_s: number }
  | { phase: 'eval'; step: number; epoch: number; metrics: TrainEvalMetrics }
  | { phase: 'checkpoint'; step: number; path: string }
  /** A checkpoint became the best so far by metric_for_best_model (sent right after its 'checkpoint'). */
  | { phase: 'best'; step: number; path: string; metric: string; value: number }
  /** Sent when the training loop actually holds (between two steps), and when it goes on. */
  | { phase: 'paused'; step: number }
  | { phase: 'resumed'; step: number };

export interface TrainJob {
  payload: TrainPayload;
  /** bestModelCheckpoint: the best checkpoint's folder (the final model holds its weights with load_best_model_at_end); diskBytes: the run's disk use. */
  result: { outputDir: string; steps: number; metrics?: TrainEvalMetrics; bestModelCheckpoint?: string; diskBytes?: number };
  progress: TrainProgress;
}

/** Show Runtime Info: the worker's ONNX Runtime and the execution providers that work there. */
export interface RuntimeInfoJob {
  payload: Record<string, never>;
  result: { ortVersion: string; platform: string; nodeVersion: string; providers: ProviderProbe[] };
  progress: never;
}

/** The editor's task commands (QA, classification, fill-mask, NSP, generation, choice) are in taskJobKinds.ts. */
export interface JobKinds extends TaskJobKinds {
  loadModel: LoadModelJob;
  recognizeEntities: RecognizeEntitiesJob;
  rankUncertain: RankUncertainJob;
  train: TrainJob;
  runtimeInfo: RuntimeInfoJob;
}

export type JobKind = keyof JobKinds;
export type JobPayload<K extends JobKind> = JobKinds[K]['payload'];
export type JobResult<K extends JobKind> = JobKinds[K]['result'];
export type JobProgress<K extends JobKind> = JobKinds[K]['progress'];
