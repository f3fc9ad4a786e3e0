import { labelProblem } from '../../core/data/annotation';
import type { SettingReader } from '../ner/nerSettings';

/** The `bertLens.annotation.*` settings (see package.json), validated. */
export interface AnnotationSettings {
  /** Labels offered before the workspace has its own label set (`.bert-lens/labels.json`). */
  labels: string[];
  /** Milliseconds without changes before a document's annotations are written. */
  saveDelay: number;
  /** Review Predictions proposes only predictions scoring at least this (0–1). */
  reviewThreshold: number;
}

export const ANNOTATION_SETTING_DEFAULTS: AnnotationSettings = {
  labels: ['PER', 'ORG', 'LOC', 'MISC'],
  saveDelay: 400,
  reviewThreshold: 0.5,
};

export function readAnnotationSettings(read: SettingReader): { settings: AnnotationSettings; problems: string[] } {
  const problems: string[] = [];
  let labels = ANNOTATION_SETTING_DEFAULTS.labels;
  const rawLabels = read('bertLens.annotation.labels');
  if (rawLabels !== undefined && rawLabels !== null) {
    if (Array.isArray(rawLabels)) {
      labels = [];
      for (const label of rawLabels) {
        const problem = labelProblem(label);
        if (problem) problems.push(`bertLens.annotation.labels: ${problem}`);
        else if (!labels.includes(label as string)) labels.push(label as string);
      }
    } else {
      problems.push('bertLens.annotation.labels must be a list of labels, e.g. ["PER", "ORG"]');
    }
  }
  let saveDelay = ANNOTATION_SETTING_DEFAULTS.saveDelay;
  const rawDelay = read('bertLens.annotation.saveDelay');
  if (rawDelay !== undefined && rawDelay !== null) {
    if (typeof rawDelay === 'number' && Number.isInteger(rawDelay) && rawDelay >= 0 && rawDelay <= 60_000) saveDelay = rawDelay;
    else problems.push(`bertLens.annotation.saveDelay must be an integer from 0 to 60000, got ${JSON.stringify(rawDelay)}`);
  }
  let reviewThreshold = ANNOTATION_SETTING_DEFAULTS.reviewThreshold;
  const rawThreshold = read('bertLens.annotation.reviewThreshold');
  if (rawThreshold !== undefined && rawThreshold !== null) {
    if (typeof rawThreshold === 'number' && rawThreshold >= 0 && rawThreshold <= 1) reviewThreshold = rawThreshold;
    else problems.push(`bertLens.annotation.reviewThreshold must be a number from 0 to 1, got ${JSON.stringify(rawThreshold)}`);
  }
  return { settings: { labels, saveDelay, reviewThreshold }, problems };
}
