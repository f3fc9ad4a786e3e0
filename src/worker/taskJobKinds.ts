/*
 * The job kinds of the editor's task commands (question answering, classification, fill-mask,
 * next-sentence prediction, text generation, multiple choice): what each takes, returns and reports.
 * jobKinds.ts folds them into JobKinds. Types only: the extension host bundle imports this file.
 */
import type { QuestionAnswer } from '../core/tasks/questionAnswering/types';
import type { FunctionToApply, LabelScore } from '../core/tasks/textClassification/postprocess';
import type { FillMaskPrediction } from '../core/tasks/fillMask/postprocess';
import type { MaskFill } from '../core/tasks/fillMask/maskFill';
import type { NextSentenceResult } from '../core/tasks/nextSentence/postprocess';
import type { ChoiceScore } from '../core/tasks/multipleChoice/postprocess';
import type { DecodingStrategy } from '../core/tasks/causalLm/sampling';
import type { GenerationResult } from '../core/tasks/causalLm/pipeline';
import type { SegmentationMode } from '../core/tasks/shared/segmentation';
import type { ModelInfo, ModelLoadProgress, ModelSpec } from './jobKinds';

/** Loading, then the share of the model's windows done (ends at 1). */
export type TaskProgress = ModelLoadProgress | { phase: 'inference'; fraction: number };

export interface AnswerQuestionJob {
  payload: {
    model: ModelSpec;
    question: string;
    context: string;
    options: { topK?: number; maxAnswerLen?: number; maxSeqLen?: number; docStride?: number; handleImpossibleAnswer?: boolean; batchSize?: number };
  };
  /** HF answers, best first; offsets are UTF-16 offsets into `context`. */
  result: { model: ModelInfo; answers: QuestionAnswer[] };
  progress: TaskProgress;
}

export interface ClassifyOptionsPayload {
  functionToApply?: FunctionToApply;
  /** HF top_k: null = every label (sorted), k = the k best. */
  topK?: number | null;
  maxLength?: number;
  stride?: number;
  batchSize?: number;
  /** Where a text longer than one window is cut (see src/core/tasks/shared/segmentation.ts). */
  segmentation?: SegmentationMode;
}

/** How the scores read: probabilities over exclusive labels, independent label probabilities, or raw values. */
export type ScoreKind = 'softmax' | 'sigmoid' | 'none';

export interface ClassifyTextsJob {
  payload: { model: ModelSpec; texts: string[]; options: ClassifyOptionsPayload };
  /** results[i] for texts[i]; `scoreKind` is the function that was applied (function_to_apply resolved). */
  result: { model: ModelInfo; results: LabelScore[][]; scoreKind: ScoreKind };
  progress: TaskProgress;
}

export interface ClassifyParagraphsJob {
  payload: { model: ModelSpec; text: string; options: ClassifyOptionsPayload };
  /** Paragraphs (text between blank lines), UTF-16 offsets into `text`, surrounding whitespace excluded. */
  result: { model: ModelInfo; paragraphs: Array<{ start: number; end: number; results: LabelScore[] }>; scoreKind: ScoreKind };
  progress: TaskProgress;
}

export interface FillMaskJob {
  payload: { model: ModelSpec; text: string; options: { topK?: number } };
  /**
   * predictions[m] are the candidates for the m-th mask token of `text`, whose UTF-16 offsets are
   * masks[m]; `maskToken` is the model's mask token as written (e.g. "[MASK]"); fills[m][k] is how
   * predictions[m][k] goes into the text (see core/tasks/fillMask/maskFill.ts).
   */
  result: { model: ModelInfo; maskToken: string; masks: Array<{ start: number; end: number }>; predictions: FillMaskPrediction[][]; fills: MaskFill[][] };
  progress: TaskProgress;
}

export interface NextSentenceJob {
  payload: { model: ModelSpec; a: string; b: string };
  result: { model: ModelInfo; prediction: NextSentenceResult };
  progress: TaskProgress;
}

export interface GenerateJob {
  payload: { model: ModelSpec; prompt: string; options: { maxNewTokens?: number; strategy?: DecodingStrategy; seed?: number } };
  /**
   * `promptStart`: where in `prompt` the text the model read begins (a prompt longer than the model
   * reads keeps its end).
   */
  result: { model: ModelInfo; generation: GenerationResult; promptStart: number };
  /** After each token: the continuation so far, as it will extend the prompt's text. */
  progress: ModelLoadProgress | { phase: 'token'; continuation: string; count: number; maxNewTokens: number };
}

export interface ChooseAnswerJob {
  payload: { model: ModelSpec; prompt: string; choices: string[] };
  /** Softmax over the choices, best first; `index` is the position in `choices`. */
  result: { model: ModelInfo; scores: ChoiceScore[] };
  progress: TaskProgress;
}

export interface TaskJobKinds {
  answerQuestion: AnswerQuestionJob;
  classifyTexts: ClassifyTextsJob;
  classifyParagraphs: ClassifyParagraphsJob;
  fillMask: FillMaskJob;
  nextSentence: NextSentenceJob;
  generate: GenerateJob;
  chooseAnswer: ChooseAnswerJob;
}
