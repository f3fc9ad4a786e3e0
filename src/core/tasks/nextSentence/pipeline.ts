import type { LoadedModel } from '../../runtime/loadModel';
import { forwardWindows, positionIdsOf } from '../shared/forward';
import { encodeTruncatedPair } from '../shared/pairTruncation';
import { cappedLength, modelInputLimit, requireHead, TaskInputError } from '../shared/taskModel';
import { postprocessNextSentencePrediction, type NextSentenceResult } from './postprocess';

export interface NextSentenceOptions {
  /** Tokens of the pair, special tokens included; default and cap: the model's limit. Longer pairs are cut longest-first. */
  maxLength?: number;
  signal?: AbortSignal;
}

function nspOutput(head: string): string {
  return head === 'pretraining' ? 'seq_relationship_logits' : 'logits';
}

/**
 * P(B follows A) from the NSP head of BertForNextSentencePrediction or BertForPreTraining: the pair
 * `[CLS] A [SEP] B [SEP]` (token types 0 / 1), cut longest-first to the model's limit as HF's
 * `tokenizer(a, b, truncation=True)`; softmax of the two logits, label 0 = "B is a continuation".
 */
export async function nextSentence(model: LoadedModel, a: string, b: string, options: NextSentenceOptions = {}): Promise<NextSentenceResult> {
  const head = requireHead(model, 'next-sentence prediction', ['next-sentence', 'pretraining'], (h) => [nspOutput(h)]);
  if (a.trim() === '') throw new TaskInputError('sentence A is empty');
  if (b.trim() === '') throw new TaskInputError('sentence B is empty');
  const maxLength = cappedLength(model, options.maxLength, modelInputLimit(model), 'max_length');
  const encoding = encodeTruncatedPair(model.tokenizer, a, b, maxLength);
  const output = nspOutput(head);
  const [outputs] = await forwardWindows(model.session, [encoding], {
    tokenOutputs: [],
    rowOutputs: [output],
    padTokenId: model.tokenizer.padTokenId,
    positionIds: positionIdsOf(model),
    signal: options.signal,
  });
  return postprocessNextSentencePrediction(outputs![output]!);
}
