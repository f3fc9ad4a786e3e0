import type { LabelScore } from '../../../core/tasks/textClassification/postprocess';
import type { ScoreKind } from '../../../worker/taskJobKinds';
import { formatScore, scoreBar } from '../shared/presentation';

/** How a classification result reads: the function applied, and the multi-label threshold. */
export interface ScoreReading {
  scoreKind: ScoreKind;
  /** bertLens.classification.multiLabelThreshold: a sigmoid label applies at this score or above. */
  threshold: number;
}

/** The labels that apply: the best one (softmax, raw values), or every one at or above the threshold (sigmoid, multi-label). */
export function predictedLabels(results: readonly LabelScore[], reading: ScoreReading): LabelScore[] {
  if (results.length === 0) return [];
  if (reading.scoreKind === 'sigmoid') return results.filter((result) => result.score >= reading.threshold);
  const best = results.reduce((a, b) => (b.score > a.score ? b : a));
  return [best];
}

/**
 * The result in a few words for the status bar and paragraph decorations: "POSITIVE 0.912";
 * multi-label "toxic 0.910, insult 0.620" or "none ≥ 0.50"; a single raw value (regression) "3.214".
 */
export function headline(results: readonly LabelScore[], reading: ScoreReading): string {
  if (results.length === 0) return 'no label';
  if (reading.scoreKind === 'none' && results.length === 1) return formatScore(results[0]!.score);
  const labels = predictedLabels(results, reading);
  if (labels.length === 0) return `none ≥ ${reading.threshold.toFixed(2)}`;
  return labels.map((result) => `${result.label} ${formatScore(result.score)}`).join(', ');
}

export interface LabelPickItem {
  label: string;
  description: string;
  detail?: string;
}

/** One quick-pick row per label, best first: a check on the labels that apply, the score, a bar for probabilities. */
export function labelPickItems(results: readonly LabelScore[], reading: ScoreReading): LabelPickItem[] {
  const applies = new Set(predictedLabels(results, reading).map((result) => result.label));
  return [...results].sort((a, b) => b.score - a.score).map((result) => {
    const bar = reading.scoreKind === 'none' ? '' : scoreBar(result.score);
    return {
      label: `${applies.has(result.label) ? '$(check)' : '$(blank)'} ${result.label}`,
      description: bar === '' ? formatScore(result.score) : `${formatScore(result.score)}  ${bar}`,
    };
  });
}

/** What the scores are, for titles and hovers. */
export function readingDescription(reading: ScoreReading): string {
  switch (reading.scoreKind) {
    case 'softmax':
      return 'softmax probabilities (one label applies)';
    case 'sigmoid':
      return `sigmoid probabilities (labels ≥ ${reading.threshold.toFixed(2)} apply)`;
    case 'none':
      return 'raw scores (no function applied)';
  }
}
