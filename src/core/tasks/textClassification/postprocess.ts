import type { ProblemType } from '../../bert/config';
import { PostprocessError } from '../shared/errors';
import { type Id2Label, labelList } from '../shared/labels';
import { argmaxSlice, maxSlice, sigmoid, softmaxInto } from '../shared/numeric';

/** HF `ClassificationFunction` plus "default" (= leave it to problem_type and num_labels). */
export type FunctionToApply = 'default' | 'sigmoid' | 'softmax' | 'none';

export interface TextClassificationOptions {
  id2label: Id2Label;
  /** `config.problem_type`; null/undefined when the config does not set it. */
  problemType?: ProblemType | null;
  /** HF default (undefined or "default"): see defaultFunctionToApply. */
  functionToApply?: FunctionToApply;
  /**
   * HF `top_k` as the pipeline sees it:
   * - undefined (not passed): the best label only, `[{label, score}]` (HF's legacy call returns that list);
   * - null: every label, sorted by score;
   * - k: the k best, sorted (k larger than the label count returns all labels; 0 returns none).
   */
  topK?: number | null;
  /**
   * HF's deprecated `return_all_scores=True`, honoured only when topK is undefined (as in HF):
   * every label in id2label order, not sorted.
   */
  returnAllScores?: boolean;
  /** With several windows: each window's weight in the average (e.g. its token count); default equal. */
  windowWeights?: readonly number[];
}

/** HF result item (same key order). */
export interface LabelScore {
  label: string;
  score: number;
}

/**
 * HF `TextClassificationPipeline.postprocess`. `logits` is one [numLabels] row, or one row per window of
 * a text longer than the model's limit: the rows are then averaged element-wise before the function is
 * applied (a choice of this project; HF truncates instead).
 */
export function postprocessTextClassification(logits: Float32Array | readonly Float32Array[], options: TextClassificationOptions): LabelScore[] {
  const labels = labelList(options.id2label);
  if (labels.length === 0) throw new PostprocessError('id2label is empty: a sequence classification model needs at least one label');
  const row = averagedLogits(logits, labels.length, options.windowWeights);
  const scores = applyFunction(row, resolveFunctionToApply(options.functionToApply, options.problemType, labels.length));
  const { topK } = options;
  if (topK === undefined) {
    if (options.returnAllScores) return labels.map((label, i) => ({ label, score: scores[i]! }));
    return [{ label: labels[argmaxSlice(scores, 0, scores.length)]!, score: maxSlice(scores, 0, scores.length) }];
  }
  if (topK !== null && (!Number.isInteger(topK) || topK < 0)) throw new PostprocessError(`top_k must be null or an integer >= 0, got ${String(topK)}`);
  const sorted = sortedLabelScores(labels, scores);
  return topK === null ? sorted : sorted.slice(0, topK);
}

/**
 * HF's default when `function_to_apply` is not given: regression → none; multi-label or a single label →
 * sigmoid; single-label or several labels → softmax; otherwise none. (HF also reads a
 * `config.function_to_apply`, reachable only with zero labels; not supported.)
 */
export function defaultFunctionToApply(problemType: ProblemType | null | undefined, numLabels: number): Exclude<FunctionToApply, 'default'> {
  if (problemType === 'regression') return 'none';
  if (problemType === 'multi_label_classification' || numLabels === 1) return 'sigmoid';
  if (problemType === 'single_label_classification' || numLabels > 1) return 'softmax';
  return 'none';
}

export function resolveFunctionToApply(fn: FunctionToApply | undefined, problemType: ProblemType | null | undefined, numLabels: number): Exclude<FunctionToApply, 'default'> {
  if (fn === undefined || fn === 'default') return defaultFunctionToApply(problemType, numLabels);
  if (fn !== 'sigmoid' && fn !== 'softmax' && fn !== 'none') throw new PostprocessError(`Unrecognized function_to_apply "${String(fn)}" (sigmoid, softmax, none, default)`);
  return fn;
}

/**
 * The labels whose sigmoid probability is ≥ threshold, best first: the usual decision rule of a
 * multi-label model (HF's pipeline has no threshold; this is the project's extra helper).
 */
export function multiLabelAboveThreshold(
  logits: Float32Array | readonly Float32Array[], options: { id2label: Id2Label; threshold?: number },
): LabelScore[] {
  const labels = labelList(options.id2label);
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new PostprocessError(`threshold must be within [0, 1], got ${String(threshold)}`);
  const scores = applyFunction(averagedLogits(logits, labels.length), 'sigmoid');
  return sortedLabelScores(labels, scores).filter((item) => item.score >= threshold);
}

/** The mean of a text's window rows (one row: itself), weighted when `weights` is given, checked against the label count. */
export function averagedLogits(logits: Float32Array | readonly Float32Array[], numLabels: number, weights?: readonly number[]): Float64Array {
  const rows = logits instanceof Float32Array ? [logits] : logits;
  if (rows.length === 0) throw new PostprocessError('text classification needs logits from at least one window');
  if (weights && (weights.length !== rows.length || !weights.every((w) => Number.isFinite(w) && w >= 0) || !weights.some((w) => w > 0))) {
    throw new PostprocessError(`text classification: ${weights.length} window weights for ${rows.length} windows, or none positive`);
  }
  const sum = new Float64Array(numLabels);
  let total = 0;
  rows.forEach((row, w) => {
    if (row.length !== numLabels) throw new PostprocessError(`text classification window ${w}: ${row.length} logits for ${numLabels} labels`);
    const weight = weights ? weights[w]! : 1;
    total += weight;
    for (let i = 0; i < numLabels; i++) sum[i]! += weight * row[i]!;
  });
  for (let i = 0; i < numLabels; i++) sum[i]! /= total;
  return sum;
}

function applyFunction(row: Float64Array, fn: Exclude<FunctionToApply, 'default'>): Float64Array {
  if (fn === 'none') return row;
  const out = new Float64Array(row.length);
  if (fn === 'sigmoid') for (let i = 0; i < row.length; i++) out[i] = sigmoid(row[i]!);
  else softmaxInto(row, 0, row.length, out, 0);
  return out;
}

/** `dict_scores.sort(key=score, reverse=True)`: stable, so equal scores keep label order. */
function sortedLabelScores(labels: readonly string[], scores: Float64Array): LabelScore[] {
  return labels.map((label, i) => ({ label, score: scores[i]! })).sort((a, b) => b.score - a.score);
}
