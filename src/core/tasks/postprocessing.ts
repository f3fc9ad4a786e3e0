/**
 * The pure postprocessing of every BERT task (logits → HF-shaped results), one import for the pipelines.
 * Each function follows the Hugging Face pipeline of the same task; see the files for what is HF and what
 * is this project's choice (windows, always-array results).
 */
export { PostprocessError } from './shared/errors';
export type { Id2Label } from './shared/labels';
export { labelList } from './shared/labels';
export * from './tokenClassification/types';
export { postprocessTokenClassification } from './tokenClassification/postprocess';
export { aggregateOverlappingEntities } from './tokenClassification/overlap';
export type { QuestionAnswer, QuestionAnsweringOptions, QuestionAnsweringWindow } from './questionAnswering/types';
export { answerIndices, postprocessQuestionAnswering } from './questionAnswering/postprocess';
export {
  defaultFunctionToApply,
  multiLabelAboveThreshold,
  postprocessTextClassification,
  type FunctionToApply,
  type LabelScore,
  type TextClassificationOptions,
} from './textClassification/postprocess';
export {
  postprocessFillMask,
  resolveFillMaskTargets,
  type FillMaskDecoder,
  type FillMaskInput,
  type FillMaskOptions,
  type FillMaskPrediction,
  type TargetVocabulary,
} from './fillMask/postprocess';
export { NSP_LABELS, postprocessNextSentencePrediction, type NextSentenceResult } from './nextSentence/postprocess';
export { postprocessMultipleChoice, type ChoiceScore } from './multipleChoice/postprocess';
