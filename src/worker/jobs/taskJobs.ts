import type { HandlerOf } from '../jobHandler';
import type { TaskJobKinds } from '../taskJobKinds';
import { answerQuestionJob } from './answerQuestion';
import { chooseAnswerJob } from './chooseAnswer';
import { classifyParagraphsJob } from './classifyParagraphs';
import { classifyTextsJob } from './classifyTexts';
import { fillMaskJob } from './fillMask';
import { generateJob } from './generate';
import { nextSentenceJob } from './nextSentence';

/** The handlers of the editor's task commands (taskJobKinds.ts); jobs/index.ts spreads them into the registry. */
export const taskJobs: { [K in keyof TaskJobKinds]: HandlerOf<K> } = {
  answerQuestion: answerQuestionJob,
  classifyTexts: classifyTextsJob,
  classifyParagraphs: classifyParagraphsJob,
  fillMask: fillMaskJob,
  nextSentence: nextSentenceJob,
  generate: generateJob,
  chooseAnswer: chooseAnswerJob,
};
