import type { Encoding } from '../../runtime/tokenizer/encoding';
import { PostprocessError } from '../shared/errors';
import { integerOption } from '../shared/numeric';
import { bestSpans, windowProbabilities } from './spans';
import type { QuestionAnswer, QuestionAnsweringOptions, QuestionAnsweringWindow } from './types';

/** HF starts `min_null_score` at this "large and positive" value. */
const NO_NULL_SCORE = 1000000;

const fail = (message: string): Error => new PostprocessError(message);

/**
 * HF `QuestionAnsweringPipeline.postprocess` over the windows of one (question, context) pair:
 * per window `select_starts_ends` (masked softmax, null score, top_k spans within max_answer_len),
 * `get_indices` (word alignment), and `get_answer`: an answer whose text equals, ignoring case, one
 * already found (in any window) adds its score to that one instead of being listed again. With
 * `handle_impossible_answer` the empty answer {start: 0, end: 0, answer: ""} is added with the smallest
 * null score over the windows. Sorted by score (stable), cut to top_k.
 *
 * Always returns an array (HF unwraps a single answer into a bare dict). No windows → [].
 */
export function postprocessQuestionAnswering(windows: readonly QuestionAnsweringWindow[], options: QuestionAnsweringOptions): QuestionAnswer[] {
  const topK = integerOption(options.topK, 1, 1, 'top_k', fail);
  const maxAnswerLen = integerOption(options.maxAnswerLen, 15, 1, 'max_answer_len', fail);
  const handleImpossible = options.handleImpossibleAnswer ?? false;
  const alignToWords = options.alignToWords ?? true;
  const { context } = options;

  let minNullScore = NO_NULL_SCORE;
  const answers: QuestionAnswer[] = [];
  const byLowerText = new Map<string, QuestionAnswer>();
  windows.forEach((window, windowIndex) => {
    const probabilities = windowProbabilities(window, windowIndex, options.clsTokenId);
    // Python's min(current, new) keeps the current value unless new < current (so NaN never wins).
    if (handleImpossible && probabilities.nullScore < minNullScore) minNullScore = probabilities.nullScore;
    for (const span of bestSpans(probabilities, topK, maxAnswerLen)) {
      const [start, end] = answerIndices(window.encoding, span.start, span.end, alignToWords);
      const text = context.slice(start, end);
      const key = text.toLowerCase();
      const existing = byLowerText.get(key);
      if (existing) {
        existing.score += span.score;
      } else {
        const answer = { score: span.score, start, end, answer: text };
        answers.push(answer);
        byLowerText.set(key, answer);
      }
    }
  });
  if (handleImpossible && windows.length > 0) answers.push({ score: minNullScore, start: 0, end: 0, answer: '' });
  return answers.sort((a, b) => b.score - a.score).slice(0, topK);
}

/**
 * HF `get_indices`: with align_to_words, from the start of the first token's word to the end of the last
 * token's word (`word_to_chars`, limited to the tokens of this window as in the Rust Encoding); else the
 * tokens' own offsets. A token without a word id falls back to offsets, like HF's `except` branch.
 */
export function answerIndices(encoding: Encoding, startToken: number, endToken: number, alignToWords: boolean): [number, number] {
  if (alignToWords) {
    const startWord = encoding.wordIds[startToken];
    const endWord = encoding.wordIds[endToken];
    if (startWord !== null && startWord !== undefined && endWord !== null && endWord !== undefined) {
      return [encoding.offsets[firstTokenOfWord(encoding, startToken)]![0], encoding.offsets[lastTokenOfWord(encoding, endToken)]![1]];
    }
  }
  return [encoding.offsets[startToken]![0], encoding.offsets[endToken]![1]];
}

function firstTokenOfWord(encoding: Encoding, token: number): number {
  const word = encoding.wordIds[token];
  const sequence = encoding.sequenceIds[token];
  let first = token;
  while (first > 0 && encoding.wordIds[first - 1] === word && encoding.sequenceIds[first - 1] === sequence) first--;
  return first;
}

function lastTokenOfWord(encoding: Encoding, token: number): number {
  const word = encoding.wordIds[token];
  const sequence = encoding.sequenceIds[token];
  let last = token;
  const n = encoding.wordIds.length;
  while (last + 1 < n && encoding.wordIds[last + 1] === word && encoding.sequenceIds[last + 1] === sequence) last++;
  return last;
}
