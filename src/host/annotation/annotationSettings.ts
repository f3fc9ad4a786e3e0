import { labelProblem } from '../../core/data/annotation';
import type { SettingReader } from '../ner/nerSettings';

/** The `bertLens.annotation.*` settings (see package.json), validated. */
export interface AnnotationSettings {
  /** Labels offered before the workspace has its own label set (`.bert-lens/labels.json`). */
  labels: string[];
  /** Milliseconds without changes before a document's annotations are written. */
  saveDelay: number;
}

export const ANNOTATION_SETTING_DEFAULTS: AnnotationSettings = {
  labels: ['PER', 'ORG', 'LOC', 'MISC'],
  saveDelay: 400,
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
  return { settings: { labels, saveDelay }, problems };
}
