import * as path from 'node:path';
import type { RankUncertainOptions } from '../../worker/jobKinds';
import { chooseModel, type ModelChoice } from '../ner/modelChoice';
import type { NerSettings } from '../ner/nerSettings';
import { chooseTaskModel } from '../tasks/shared/taskModels';
import type { TaskSettings } from '../tasks/shared/taskSettings';
import type { UncertaintySettings, UncertaintyTask } from './uncertaintySettings';

export const NER_MODEL_SETTING = 'bertLens.ner.model';
export const CLASSIFICATION_MODEL_SETTING = 'bertLens.classification.model';

/** What one ranking runs: the model setting it follows, the unit it scores and the job's options. */
export interface RankPlan {
  task: UncertaintyTask;
  /** The setting that names the model ("Use for NER" writes bertLens.ner.model). */
  modelSetting: string;
  /** How the queue names its units. */
  unit: 'sentence' | 'paragraph';
  options: RankUncertainOptions;
}

/**
 * NER ranks sentences with the model and window settings Recognize Entities uses (each sentence
 * alone in its window); classification ranks paragraphs with Classify Each Paragraph's model and
 * function_to_apply.
 */
export function rankPlan(uncertainty: UncertaintySettings, ner: NerSettings, tasks: TaskSettings): RankPlan {
  const common = { measure: uncertainty.measure, reduction: uncertainty.reduction, batchSize: ner.batchSize };
  if (uncertainty.task === 'ner') {
    return {
      task: 'ner', modelSetting: NER_MODEL_SETTING, unit: 'sentence',
      options: { ...common, maxLength: ner.maxLength, stride: ner.stride, packing: 'isolated' },
    };
  }
  return {
    task: 'classification', modelSetting: CLASSIFICATION_MODEL_SETTING, unit: 'paragraph',
    options: { ...common, batchSize: tasks.runtime.batchSize, functionToApply: tasks.classification.functionToApply },
  };
}

export interface RankModelContext {
  /** The extension's models/ folder. */
  bundledRoot: string;
  bundledDescription(name: string): string;
  workspaceFolder: string | undefined;
  isDirectory(absolutePath: string): boolean;
}

/** The model the plan's task uses, exactly as Recognize Entities / Classify Each Paragraph choose it. */
export function rankModel(plan: RankPlan, ner: NerSettings, tasks: TaskSettings, context: RankModelContext): ModelChoice {
  if (plan.task === 'ner') {
    return chooseModel(ner.model, {
      bundledDir: path.join(context.bundledRoot, 'ner'),
      bundledDescription: context.bundledDescription('ner'),
      workspaceFolder: context.workspaceFolder,
      isDirectory: context.isDirectory,
    });
  }
  return chooseTaskModel('classification', tasks.classification.model, context);
}
