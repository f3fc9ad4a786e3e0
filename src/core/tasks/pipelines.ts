/**
 * Every task pipeline (text → model → HF-shaped results), one import for the CLI, the worker and the
 * editor commands. Load a model with loadTaskModel(reference, {head}) and pass it to the task's function;
 * offsets in results are UTF-16 offsets into the text given.
 */
export { loadTaskModel, modelInputLimit, TaskInputError } from './shared/taskModel';
export { CancelledError } from './shared/forward';
export { recognizeEntities, type RecognizeOptions } from './tokenClassification/pipeline';
export { answerQuestion, type AnswerQuestionOptions } from './questionAnswering/pipeline';
export type { QuestionAnswer } from './questionAnswering/types';
export { classifyParagraphs, classifyText, type ClassifyOptions, type ParagraphClassification } from './textClassification/pipeline';
export type { FunctionToApply, LabelScore } from './textClassification/postprocess';
export { fillMask, type FillMaskOptions } from './fillMask/pipeline';
export type { FillMaskPrediction } from './fillMask/postprocess';
export { nextSentence, type NextSentenceOptions } from './nextSentence/pipeline';
export type { NextSentenceResult } from './nextSentence/postprocess';
export { chooseAnswer, type ChooseAnswerOptions } from './multipleChoice/pipeline';
export type { ChoiceScore } from './multipleChoice/postprocess';
export { generate, type GeneratedToken, type GenerateOptions, type GenerationResult } from './causalLm/pipeline';
export type { DecodingStrategy } from './causalLm/sampling';
