import { escapeMarkdown } from '../../ner/hoverContent';
import { formatScore, oneLine } from '../shared/presentation';
import type { DocumentAnswer } from './answers';

/** What the answers of one document were found for. */
export interface AnswerInfo {
  question: string;
  modelDescription: string;
  /** How many answers the model returned (the null answer included). */
  count: number;
}

/** Hover markdown over a highlighted answer; text from the document and the user is escaped. */
export function answerHoverMarkdown(answer: DocumentAnswer, info: AnswerInfo): string {
  return [
    `**Answer ${answer.rank + 1} of ${info.count}** · score ${formatScore(answer.score)}`,
    '',
    `Question: ${escapeMarkdown(oneLine(info.question, 200))}`,
    '',
    `Model: ${escapeMarkdown(info.modelDescription)}`,
  ].join('\n');
}
