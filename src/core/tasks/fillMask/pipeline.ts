import type { LoadedModel } from '../../runtime/loadModel';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { strideRanges } from '../../runtime/tokenizer/windowing';
import { forwardWindows, positionIdsOf, throwIfCancelled } from '../shared/forward';
import { integerOption } from '../shared/numeric';
import { modelInputLimit, requireHead, TaskInputError } from '../shared/taskModel';
import { postprocessFillMask, resolveFillMaskTargets, type FillMaskPrediction } from './postprocess';

export interface FillMaskOptions {
  /** HF default 5: candidates per mask (at most the number of targets). */
  topK?: number;
  /** HF `targets`: score only these tokens; a word outside the vocabulary stands for its first token. */
  targets?: string | readonly string[];
  /** Called with HF's warnings about targets that are not vocabulary entries. */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

/** The MLM logits output of each head that has one. */
function logitsOutput(head: string): string {
  return head === 'pretraining' ? 'prediction_logits' : 'logits';
}

/**
 * HF FillMaskPipeline: the text must contain the model's mask token (e.g. "[MASK]"); for every mask, the
 * topK tokens by probability, each with the whole input decoded with that token in place (`sequence`).
 * Always one list per mask, in text order (HF returns the bare list when there is a single mask).
 *
 * A text longer than the model's limit (HF would fail) is read in windows: each mask gets its logits
 * from the window in which it has the most context on both sides; `sequence` still decodes the whole text.
 */
export async function fillMask(model: LoadedModel, text: string, options: FillMaskOptions = {}): Promise<FillMaskPrediction[][]> {
  const head = requireHead(model, 'fill-mask', ['masked-lm', 'pretraining'], (h) => [logitsOutput(h)]);
  const { tokenizer } = model;
  const maskTokenId = tokenizer.maskTokenId;
  const maskToken = tokenizer.maskToken;
  if (maskTokenId === undefined || maskToken === undefined) throw new TaskInputError(`the tokenizer of ${model.reference} has no mask token`);
  const topK = integerOption(options.topK, 5, 1, 'top_k', (m) => new TaskInputError(m));
  const encoding = tokenizer.encode(text);
  const maskPositions = encoding.ids.flatMap((id, i) => (id === maskTokenId ? [i] : []));
  if (maskPositions.length === 0) {
    throw new TaskInputError(`no ${maskToken} in the text: put the model's mask token ${maskToken} where a word should be predicted`);
  }
  let targetIds: number[] | undefined;
  if (options.targets !== undefined) {
    const resolved = resolveFillMaskTargets(options.targets, {
      tokenToId: (token) => tokenizer.tokenToId(token),
      firstTokenId: (target) => tokenizer.encode(target, { addSpecialTokens: false }).ids[0],
    });
    targetIds = resolved.ids;
    for (const warning of resolved.warnings) options.onWarning?.(warning);
  }
  throwIfCancelled(options.signal);
  const vocabSize = model.config.vocab_size;
  const output = logitsOutput(head);
  const limit = modelInputLimit(model);
  const logits = encoding.ids.length <= limit
    ? (await forwardWindows(model.session, [encoding], { tokenOutputs: [output], padTokenId: tokenizer.padTokenId, positionIds: positionIdsOf(model), signal: options.signal }))[0]![output]!
    : await maskRowsFromWindows(model, encoding, maskPositions, limit, output, vocabSize, options.signal);
  return postprocessFillMask(
    { inputIds: encoding.ids, logits, vocabSize },
    { maskTokenId, padTokenId: tokenizer.padTokenId, topK, targetIds, decoder: { decode: (ids, skip) => tokenizer.decode(ids, { skipSpecialTokens: skip }) } },
  );
}

/**
 * [masks, vocab] logits for a text longer than one window: windows of `limit` tokens sharing half of
 * them; each mask is read from the window where it sits most centrally. Only those windows are run.
 */
async function maskRowsFromWindows(
  model: LoadedModel, encoding: Encoding, maskPositions: readonly number[], limit: number, output: string, vocabSize: number,
  signal: AbortSignal | undefined,
): Promise<Float32Array> {
  // The single-text template is [CLS] content [SEP]: content token c sits at position c + 1.
  if (!encoding.specialTokensMask[0] || !encoding.specialTokensMask[encoding.ids.length - 1] || encoding.specialTokensMask.filter(Boolean).length !== 2) {
    throw new TaskInputError(`the text is ${encoding.ids.length} tokens, more than the model's ${limit}, and its tokenizer template is not [CLS] text [SEP]`);
  }
  const content = encoding.ids.length - 2;
  const budget = limit - 2;
  const ranges = strideRanges(content, budget, Math.floor(budget / 2));
  const chosen = maskPositions.map((position) => {
    const c = position - 1;
    let best = -1;
    let bestMargin = -1;
    ranges.forEach(([start, stop], w) => {
      if (c < start || c >= stop) return;
      const margin = Math.min(c - start, stop - 1 - c);
      if (margin > bestMargin) {
        best = w;
        bestMargin = margin;
      }
    });
    return best;
  });
  const needed = [...new Set(chosen)];
  const windows = needed.map((w) => windowEncoding(encoding, ranges[w]![0], ranges[w]![1]));
  const outputs = await forwardWindows(model.session, windows, {
    tokenOutputs: [output], batchSize: 1, padTokenId: model.tokenizer.padTokenId, positionIds: positionIdsOf(model), signal,
  });
  const rows = new Float32Array(maskPositions.length * vocabSize);
  maskPositions.forEach((position, m) => {
    const w = chosen[m]!;
    const row = position - 1 - ranges[w]![0] + 1;
    rows.set(outputs[needed.indexOf(w)]![output]!.subarray(row * vocabSize, (row + 1) * vocabSize), m * vocabSize);
  });
  return rows;
}

/** [CLS] content[start, stop) [SEP] cut from a whole single-text encoding. */
function windowEncoding(encoding: Encoding, start: number, stop: number): Encoding {
  const last = encoding.ids.length - 1;
  const pick = <T>(values: readonly T[]): T[] => [values[0]!, ...values.slice(start + 1, stop + 1), values[last]!];
  return {
    ids: pick(encoding.ids),
    typeIds: pick(encoding.typeIds),
    offsets: pick(encoding.offsets),
    wordIds: pick(encoding.wordIds),
    sequenceIds: pick(encoding.sequenceIds),
    tokens: pick(encoding.tokens),
    specialTokensMask: pick(encoding.specialTokensMask),
  };
}
