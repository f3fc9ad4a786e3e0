import type { LoadedModel } from '../../runtime/loadModel';
import { forwardWindows, positionIdsOf, throwIfCancelled } from '../shared/forward';
import { integerOption } from '../shared/numeric';
import { cappedLength, requireHead, TaskInputError } from '../shared/taskModel';
import { postprocessQuestionAnswering } from './postprocess';
import type { QuestionAnswer } from './types';

export interface AnswerQuestionOptions {
  /** HF default 1: answers returned at most. */
  topK?: number;
  /** HF default 15: tokens an answer spans at most. */
  maxAnswerLen?: number;
  /** Tokens per window, question and special tokens included. HF default min(384, model_max_length); capped by the model. */
  maxSeqLen?: number;
  /** Context tokens shared by consecutive windows. HF default min(maxSeqLen / 2, 128). */
  docStride?: number;
  /**
   * Question tokens kept (default 64); a longer question is cut. HF documents this but its fast-tokenizer
   * path ignores it and fails when the question leaves no room; cutting keeps long questions usable.
   */
  maxQuestionLen?: number;
  /** HF default false: the empty answer {answer: "", start: 0, end: 0} competes with the null score. */
  handleImpossibleAnswer?: boolean;
  /** HF default true: widen answers to whole words. */
  alignToWords?: boolean;
  /** Windows per ORT run (default 16). */
  batchSize?: number;
  signal?: AbortSignal;
  /** Fraction of the windows done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

const DEFAULT_MAX_SEQ_LEN = 384;
const DEFAULT_MAX_QUESTION_LEN = 64;

/**
 * HF QuestionAnsweringPipeline over a context of any length: the context is split into windows of
 * maxSeqLen tokens sharing docStride tokens (HF `truncation="only_second"`,
 * `return_overflowing_tokens=True`), each `[CLS] question [SEP] context part [SEP]`; every window is
 * searched and the answers merged as HF does (same text → scores added; null score = the smallest over
 * windows). Answers lie inside the context; `start`/`end` are UTF-16 offsets into `context` and
 * `answer === context.slice(start, end)` (the empty impossible answer excepted). Sorted by score.
 */
export async function answerQuestion(model: LoadedModel, question: string, context: string, options: AnswerQuestionOptions = {}): Promise<QuestionAnswer[]> {
  requireHead(model, 'question answering', ['question-answering'], () => ['start_logits', 'end_logits']);
  if (question.trim() === '') throw new TaskInputError('the question is empty');
  if (context.trim() === '') throw new TaskInputError('the context is empty: select some text to search for the answer');
  const fail = (message: string) => new TaskInputError(message);
  const topK = integerOption(options.topK, 1, 1, 'top_k', fail);
  const maxAnswerLen = integerOption(options.maxAnswerLen, 15, 1, 'max_answer_len', fail);
  const maxQuestionLen = integerOption(options.maxQuestionLen, DEFAULT_MAX_QUESTION_LEN, 1, 'max_question_len', fail);
  const maxSeqLen = cappedLength(model, options.maxSeqLen, DEFAULT_MAX_SEQ_LEN, 'max_seq_len');
  const docStride = integerOption(options.docStride, Math.min(Math.floor(maxSeqLen / 2), 128), 0, 'doc_stride', fail);
  if (docStride > maxSeqLen) throw new TaskInputError(`doc_stride (${docStride}) is larger than max_seq_len (${maxSeqLen})`);

  const { tokenizer } = model;
  const questionText = truncatedQuestion(model, question, maxQuestionLen);
  const questionTokens = tokenizer.encode(questionText, { addSpecialTokens: false }).ids.length;
  const contextRoom = maxSeqLen - tokenizer.numSpecialTokensToAdd(true) - questionTokens;
  if (contextRoom < 1) {
    throw new TaskInputError(`the question (${questionTokens} tokens) leaves no room for the context in windows of ${maxSeqLen} tokens`);
  }
  // Only a context longer than one window is split, so only then must the stride fit (Rust: stride < max_len).
  if (docStride >= contextRoom && tokenizer.encode(context, { addSpecialTokens: false }).ids.length > contextRoom) {
    throw new TaskInputError(
      `doc_stride ${docStride} must be smaller than the ${contextRoom} context tokens per window left by a question of ` +
        `${questionTokens} tokens in windows of ${maxSeqLen}; lower doc_stride or shorten the question`,
    );
  }
  throwIfCancelled(options.signal);
  const windows = tokenizer.pairWindows(questionText, context, { maxLength: maxSeqLen, stride: docStride });
  if (!windows[0]!.sequenceIds.includes(1)) throw new TaskInputError('the context has no tokens (only whitespace or control characters)');
  const outputs = await forwardWindows(model.session, windows, {
    tokenOutputs: ['start_logits', 'end_logits'],
    batchSize: options.batchSize,
    padTokenId: tokenizer.padTokenId,
    positionIds: positionIdsOf(model),
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.(done / total),
  });
  return postprocessQuestionAnswering(
    windows.map((encoding, i) => ({ encoding, startLogits: outputs[i]!.start_logits!, endLogits: outputs[i]!.end_logits! })),
    { context, topK, maxAnswerLen, handleImpossibleAnswer: options.handleImpossibleAnswer, alignToWords: options.alignToWords, clsTokenId: tokenizer.clsTokenId },
  );
}

/** The question cut after its first maxQuestionLen tokens (at the end of the last kept token). */
function truncatedQuestion(model: LoadedModel, question: string, maxQuestionLen: number): string {
  const { ids, offsets } = model.tokenizer.encodeIdsWithOffsets(question, { addSpecialTokens: false });
  return ids.length <= maxQuestionLen ? question : question.slice(0, offsets[2 * maxQuestionLen - 1]!);
}
