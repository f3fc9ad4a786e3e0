import { labelProblem } from '../../core/data/annotation';
import type { CategorySet } from '../../core/data/categoryEdits';
import { isPlainObject } from '../../core/data/jsonLines';
import type { SettingReader } from '../ner/nerSettings';

/** The `bertLens.annotation.*` settings (see package.json), validated. */
export interface AnnotationSettings {
  /** Labels offered before the workspace has its own label set (`.bert-lens/labels.json`). */
  labels: string[];
  /** Milliseconds without changes before a document's annotations are written. */
  saveDelay: number;
  /** Text categories: the labels offered before the workspace's decisions add their own, and whether one or several apply. */
  categories: CategorySet;
  /** Review Predictions proposes only predictions scoring at least this (0–1). */
  reviewThreshold: number;
}

export const ANNOTATION_SETTING_DEFAULTS: AnnotationSettings = {
  labels: ['PER', 'ORG', 'LOC', 'MISC'],
  saveDelay: 400,
  categories: { labels: [], exclusive: true },
  reviewThreshold: 0.5,
};

function readLabelList(raw: unknown[], setting: string, problems: string[]): string[] {
  const labels: string[] = [];
  for (const label of raw) {
    const problem = labelProblem(label);
    if (problem) problems.push(`${setting}: ${problem}`);
    else if (!labels.includes(label as string)) labels.push(label as string);
  }
  return labels;
}

function readCategorySet(raw: unknown, problems: string[]): CategorySet {
  const defaults = ANNOTATION_SETTING_DEFAULTS.categories;
  if (raw === undefined || raw === null) return defaults;
  if (!isPlainObject(raw)) {
    problems.push('bertLens.annotation.categories must be an object such as {"labels": ["sports", "politics"], "exclusive": true}');
    return defaults;
  }
  let labels = defaults.labels;
  if (raw.labels !== undefined) {
    if (Array.isArray(raw.labels)) labels = readLabelList(raw.labels, 'bertLens.annotation.categories.labels', problems);
    else problems.push('bertLens.annotation.categories.labels must be a list of labels');
  }
  let exclusive = defaults.exclusive;
  if (raw.exclusive !== undefined) {
    if (typeof raw.exclusive === 'boolean') exclusive = raw.exclusive;
    else problems.push(`bertLens.annotation.categories.exclusive must be true or false, got ${JSON.stringify(raw.exclusive)}`);
  }
  return { labels, exclusive };
}

export function readAnnotationSettings(read: SettingReader): { settings: AnnotationSettings; problems: string[] } {
  const problems: string[] = [];
  let labels = ANNOTATION_SETTING_DEFAULTS.labels;
  const rawLabels = read('bertLens.annotation.labels');
  if (rawLabels !== undefined && rawLabels !== null) {
    if (Array.isArray(rawLabels)) {
      labels = readLabelList(rawLabels, 'bertLens.annotation.labels', problems);
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
  const categories = readCategorySet(read('bertLens.annotation.categories'), problems);
  let reviewThreshold = ANNOTATION_SETTING_DEFAULTS.reviewThreshold;
  const rawThreshold = read('bertLens.annotation.reviewThreshold');
  if (rawThreshold !== undefined && rawThreshold !== null) {
    if (typeof rawThreshold === 'number' && rawThreshold >= 0 && rawThreshold <= 1) reviewThreshold = rawThreshold;
    else problems.push(`bertLens.annotation.reviewThreshold must be a number from 0 to 1, got ${JSON.stringify(rawThreshold)}`);
  }
  return { settings: { labels, saveDelay, categories, reviewThreshold }, problems };
}
