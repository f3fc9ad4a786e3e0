import { UNCERTAINTY_MEASURES, UNCERTAINTY_REDUCTIONS, type UncertaintyMeasure, type UncertaintyReduction } from '../../core/active/uncertainty';
import type { SettingReader } from '../ner/nerSettings';

/** What "Next Uncertain" ranks: sentences for the NER model, or paragraphs for the classification model. */
export type UncertaintyTask = 'ner' | 'classification';
export const UNCERTAINTY_TASKS: readonly UncertaintyTask[] = ['ner', 'classification'];

/** The `bertLens.annotation.uncertainty*` settings (see package.json), validated. */
export interface UncertaintySettings {
  measure: UncertaintyMeasure;
  reduction: UncertaintyReduction;
  task: UncertaintyTask;
}

export const UNCERTAINTY_SETTING_DEFAULTS: UncertaintySettings = { measure: 'entropy', reduction: 'max', task: 'ner' };

/** The settings whose change makes a ranked queue out of date (with the model settings of the task). */
export const UNCERTAINTY_SETTINGS = ['bertLens.annotation.uncertainty', 'bertLens.annotation.uncertaintyReduction', 'bertLens.annotation.uncertaintyTask'] as const;

export function readUncertaintySettings(read: SettingReader): { settings: UncertaintySettings; problems: string[] } {
  const problems: string[] = [];
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = read(name);
    if (value === undefined || value === null) return fallback;
    if (allowed.includes(value as T)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  const d = UNCERTAINTY_SETTING_DEFAULTS;
  return {
    settings: {
      measure: choice(UNCERTAINTY_SETTINGS[0], UNCERTAINTY_MEASURES, d.measure),
      reduction: choice(UNCERTAINTY_SETTINGS[1], UNCERTAINTY_REDUCTIONS, d.reduction),
      task: choice(UNCERTAINTY_SETTINGS[2], UNCERTAINTY_TASKS, d.task),
    },
    problems,
  };
}
