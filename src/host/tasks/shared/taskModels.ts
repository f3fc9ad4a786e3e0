import * as path from 'node:path';
import type { HeadKind } from '../../../core/bert/heads';
import { chooseModel, ModelSettingError, type ModelChoice, type ModelChoiceContext } from '../../ner/modelChoice';

/** The editor's task commands, each with its model setting and the head it needs. */
export type TaskName = 'qa' | 'classification' | 'fillMask' | 'nsp' | 'generation' | 'multipleChoice';

export interface TaskModelInfo {
  setting: string;
  head: HeadKind;
  /** How messages name the task: "question answering". */
  title: string;
  /** What kind of model to set, for the message shown when none is. */
  wanted: string;
  /** models/<bundled>/ serves when the setting is empty; tasks without one ask the user to set a model. */
  bundled?: string;
}

export const TASK_MODELS: Record<TaskName, TaskModelInfo> = {
  qa: {
    setting: 'bertLens.qa.model', head: 'question-answering', title: 'question answering',
    wanted: 'a question-answering model (BertForQuestionAnswering, RobertaForQuestionAnswering, DistilBertForQuestionAnswering…, e.g. a SQuAD fine-tune)',
  },
  classification: {
    setting: 'bertLens.classification.model', head: 'sequence-classification', title: 'classification',
    wanted: 'a sequence-classification model (BertForSequenceClassification, RobertaForSequenceClassification, DistilBertForSequenceClassification…)', bundled: 'sentiment',
  },
  fillMask: {
    setting: 'bertLens.fillMask.model', head: 'masked-lm', title: 'fill-mask',
    wanted: 'a masked-LM model (BertForMaskedLM, BertForPreTraining, DistilBertForMaskedLM, RobertaForMaskedLM, ElectraForMaskedLM, DebertaV2ForMaskedLM or ModernBertForMaskedLM, e.g. bert-base-uncased, roberta-base, google/electra-small-generator or answerdotai/ModernBERT-base)',
  },
  nsp: {
    setting: 'bertLens.nsp.model', head: 'next-sentence', title: 'next-sentence prediction',
    wanted: 'a BERT with the next-sentence head (BertForNextSentencePrediction or BertForPreTraining, e.g. bert-base-uncased)',
  },
  generation: {
    setting: 'bertLens.generation.model', head: 'causal-lm', title: 'Continue Text',
    wanted: 'a causal-LM BERT (BertLMHeadModel with is_decoder: true)',
  },
  multipleChoice: {
    setting: 'bertLens.multipleChoice.model', head: 'multiple-choice', title: 'multiple choice',
    wanted: 'a multiple-choice BERT (BertForMultipleChoice, or DistilBert / Roberta / XLMRoberta / Electra…ForMultipleChoice, e.g. a SWAG fine-tune)',
  },
};

export interface TaskModelContext extends Omit<ModelChoiceContext, 'bundledDir' | 'bundledDescription' | 'settingName'> {
  /** The extension's models/ folder. */
  bundledRoot: string;
  /** From models/manifest.json by bundled folder name, e.g. "bundled SST-2 sentiment". */
  bundledDescription(name: string): string;
}

/**
 * The model a task command uses: its setting interpreted as for NER (folder, workspace-relative path
 * or hub id); an empty setting means the bundled model where there is one, else a ModelSettingError
 * telling the user what to set.
 */
export function chooseTaskModel(task: TaskName, setting: string, context: TaskModelContext): ModelChoice {
  const info = TASK_MODELS[task];
  if (setting.trim() === '' && info.bundled === undefined) {
    throw new ModelSettingError(
      `${info.title} has no bundled model: set ${info.setting} to ${info.wanted} — a Hugging Face hub id (owner/name) or a model folder (absolute, or relative to the workspace)`,
    );
  }
  const bundled = info.bundled ?? '';
  return chooseModel(setting, {
    ...context,
    bundledDir: path.join(context.bundledRoot, bundled),
    bundledDescription: context.bundledDescription(bundled),
    settingName: info.setting,
  });
}
