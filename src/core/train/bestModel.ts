import type { EvalMetrics } from './taskMetrics';

/**
 * HF's metric_for_best_model bookkeeping (Trainer._determine_best_metric): the metric is looked up
 * with or without its "eval_" prefix, and a checkpoint becomes the best only on a strict improvement.
 */

/** HF: greater_is_better defaults to true unless the metric's name ends with "loss". */
export function defaultGreaterIsBetter(metric: string): boolean {
  return !metric.endsWith('loss');
}

/** The metric's value in one evaluation, or undefined when it has no such number. */
export function metricValue(metrics: EvalMetrics, metric: string): number | undefined {
  const bare = metric.startsWith('eval_') ? metric.slice(5) : metric;
  for (const key of [metric, bare, `eval_${bare}`]) {
    const value = metrics[key];
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/** Names of the numbers an evaluation reports, to say which metric_for_best_model would work. */
export function numericMetricNames(metrics: EvalMetrics): string[] {
  return Object.keys(metrics).filter((k) => typeof metrics[k] === 'number');
}

export interface BestModel {
  checkpoint: string;
  metric: number;
  step: number;
}

/** True when `value` beats the best so far (strictly, as HF's np.greater / np.less); NaN never does. */
export function isImprovement(value: number, best: BestModel | undefined, greaterIsBetter: boolean): boolean {
  if (Number.isNaN(value)) return false;
  if (best === undefined) return true;
  return greaterIsBetter ? value > best.metric : value < best.metric;
}
