import type { QuestionAnswer } from '../../../core/tasks/questionAnswering/types';
import type { AnchoredSpan } from '../shared/anchoredSpans';
import { formatScore, lineNumberAt, oneLine } from '../shared/presentation';

/** One of the answers to a question, as the editor keeps it: document offsets plus its rank and score. */
export interface DocumentAnswer extends AnchoredSpan {
  /** 0 = the best answer. */
  rank: number;
  score: number;
}

/** The model's answers placed in the document, best first; `impossible` is the null answer when it ranked. */
export interface PlacedAnswers {
  answers: DocumentAnswer[];
  impossible?: { rank: number; score: number };
}

/** The null answer of handle_impossible_answer: empty, at 0. */
export function isImpossibleAnswer(answer: QuestionAnswer): boolean {
  return answer.answer === '' && answer.start === 0 && answer.end === 0;
}

/**
 * The worker's answers (offsets into the context that was sent) as document spans: `contextOffset`
 * is where that context starts in the document snapshot. The impossible answer has no place and is
 * kept apart; an answer whose offsets do not fit the context is dropped.
 */
export function placeAnswers(answers: readonly QuestionAnswer[], contextOffset: number, snapshot: string): PlacedAnswers {
  const placed: PlacedAnswers = { answers: [] };
  answers.forEach((answer, rank) => {
    if (isImpossibleAnswer(answer)) {
      placed.impossible ??= { rank, score: answer.score };
      return;
    }
    const start = contextOffset + answer.start;
    const end = contextOffset + answer.end;
    if (!(answer.start >= 0 && answer.end > answer.start && end <= snapshot.length)) return;
    placed.answers.push({ start, end, text: snapshot.slice(start, end), rank, score: answer.score });
  });
  return placed;
}

export interface AnswerPickItem {
  label: string;
  description: string;
  /** The answer to jump to; undefined for the "no answer" item. */
  answer?: DocumentAnswer;
}

/** Quick-pick items for the answers in rank order, with score and line; the null answer reads "no answer". */
export function answerPickItems(placed: PlacedAnswers, documentText: string): AnswerPickItem[] {
  const items: Array<AnswerPickItem & { rank: number }> = placed.answers.map((answer) => ({
    rank: answer.rank,
    label: oneLine(answer.text),
    description: `score ${formatScore(answer.score)} · line ${lineNumberAt(documentText, answer.start)}`,
    answer,
  }));
  if (placed.impossible) {
    items.push({ rank: placed.impossible.rank, label: '$(circle-slash) no answer in the text', description: `score ${formatScore(placed.impossible.score)}` });
  }
  return items.sort((a, b) => a.rank - b.rank).map(({ rank: _rank, ...item }) => item);
}

/** The one-line outcome, e.g. `Answer: "Hamburg" (score 0.912), 3 answers` or why nothing is highlighted. */
export function answerSummary(placed: PlacedAnswers): string {
  const best = placed.answers[0];
  if (placed.impossible && (!best || placed.impossible.rank < best.rank)) {
    return `BERT Lens: the model found no answer in the text (the null answer scored ${formatScore(placed.impossible.score)}).`;
  }
  if (!best) return 'BERT Lens: the model returned no answer.';
  const others = placed.answers.length - 1;
  return `BERT Lens: answer "${oneLine(best.text, 60)}" (score ${formatScore(best.score)})${others > 0 ? `; ${others} more in the list` : ''}.`;
}
