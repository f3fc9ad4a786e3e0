import type { LoadedModel } from '../../runtime/loadModel';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { forwardWindows, positionIdsOf, throwIfCancelled } from '../shared/forward';
import { packSegments } from '../shared/packing';
import { DEFAULT_SEGMENTATION, SEGMENTATION_MODES, segments, type SegmentationMode } from '../shared/segmentation';
import { cappedLength, modelInputLimit, requireHead, TaskInputError } from '../shared/taskModel';
import { paragraphRanges } from './paragraphs';
import { postprocessTextClassification, type FunctionToApply, type LabelScore } from './postprocess';

export interface ClassifyOptions {
  /** Second text of a sentence pair (HF `text_pair`): encoded as `[CLS] text [SEP] textPair [SEP]`. */
  textPair?: string;
  /**
   * HF `top_k`: undefined = the best label only (HF's default), null = every label sorted by score,
   * k = the k best (more than the label count returns all).
   */
  topK?: number | null;
  /** HF `function_to_apply`; default from config.problem_type and the label count, as HF. */
  functionToApply?: FunctionToApply;
  /** Keep only labels whose score (after the function) is ≥ threshold: the multi-label decision rule. */
  threshold?: number;
  /** Tokens per window, special tokens included; default and cap: the model's limit. */
  maxLength?: number;
  /** Tokens shared by consecutive windows of a long text; default maxLength / 4. */
  stride?: number;
  batchSize?: number;
  /**
   * How a text longer than one window is cut (see segmentation.ts; default DEFAULT_SEGMENTATION, as
   * NER): windows of whole sentences / lines that see each other, without overlap; `none`: strided
   * windows over the whole text. A text that fits one window is one HF input either way.
   */
  segmentation?: SegmentationMode;
  signal?: AbortSignal;
  /** Fraction of the windows done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

export interface ParagraphClassification {
  /** UTF-16 offsets of the paragraph in the text, surrounding whitespace excluded. */
  start: number;
  end: number;
  results: LabelScore[];
}

/**
 * HF TextClassificationPipeline (`problem_type` single-label → softmax, multi-label → sigmoid,
 * regression → raw value; `function_to_apply`, `top_k`). A text longer than the model's limit, which
 * HF would truncate, is cut into windows of whole sentences (segmentation), each of at most maxLength
 * tokens, and the windows' logits are averaged, weighted by each window's text tokens, before the
 * function is applied, so every part of the text counts equally. A sentence longer than a window, and
 * every text under segmentation `none`, is cut into windows sharing `stride` tokens, which share its
 * weight equally (see windowWeights). With a text pair, `text` is repeated whole in every window and `textPair` is what is cut
 * (strided, equal weights).
 */
export async function classifyText(model: LoadedModel, text: string, options: ClassifyOptions = {}): Promise<LabelScore[]> {
  const [results] = await classifyMany(model, [text], options);
  return results!;
}

/**
 * classifyText on every paragraph (text separated by blank lines) in one batched run. Paragraph
 * offsets are UTF-16 offsets into `text`; a text without paragraphs gives [].
 */
export async function classifyParagraphs(model: LoadedModel, text: string, options: Omit<ClassifyOptions, 'textPair'> = {}): Promise<ParagraphClassification[]> {
  const ranges = paragraphRanges(text);
  if (ranges.length === 0) return [];
  const results = await classifyMany(model, ranges.map(([start, end]) => text.slice(start, end)), options);
  return ranges.map(([start, end], i) => ({ start, end, results: results[i]! }));
}

async function classifyMany(model: LoadedModel, texts: readonly string[], options: ClassifyOptions): Promise<LabelScore[][]> {
  requireHead(model, 'text classification', ['sequence-classification'], () => ['logits']);
  const { threshold } = options;
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new TaskInputError(`threshold must be within [0, 1], got ${String(threshold)}`);
  if (options.topK !== undefined && options.topK !== null && (!Number.isInteger(options.topK) || options.topK < 0)) {
    throw new TaskInputError(`top_k must be an integer >= 0, got ${String(options.topK)}`);
  }
  const logitsOf = await classificationLogits(model, texts, options);
  return logitsOf.map(({ rows, weights }) => {
    const results = postprocessTextClassification(rows, {
      windowWeights: weights,
      id2label: model.config.id2label,
      problemType: model.config.problem_type,
      functionToApply: options.functionToApply,
      topK: options.topK,
    });
    return threshold === undefined ? results : results.filter((r) => r.score >= threshold);
  });
}

/**
 * The forward half of classification: per text, the logits row of each of its windows (one row for
 * a text within the model's limit) and the windows' weights in its average (undefined: equal). classifyMany postprocesses them into label scores; the
 * uncertainty scores of src/core/active read them directly.
 */
export async function classificationLogits(
  model: LoadedModel, texts: readonly string[],
  options: Pick<ClassifyOptions, 'textPair' | 'maxLength' | 'stride' | 'batchSize' | 'segmentation' | 'signal' | 'onProgress'>,
): Promise<Array<{ rows: Float32Array[]; weights?: number[] }>> {
  requireHead(model, 'text classification', ['sequence-classification'], () => ['logits']);
  const maxLength = cappedLength(model, options.maxLength, modelInputLimit(model), 'max_length');
  const stride = options.stride ?? Math.floor(maxLength / 4);
  const segmentation = options.segmentation ?? DEFAULT_SEGMENTATION;
  if (!SEGMENTATION_MODES.includes(segmentation)) {
    throw new TaskInputError(`segmentation must be one of ${SEGMENTATION_MODES.join(', ')}, got ${JSON.stringify(segmentation)}`);
  }
  const windowsOf = texts.map((text) => textWindows(model, text, options.textPair, maxLength, stride, segmentation));
  throwIfCancelled(options.signal);
  const outputs = await forwardWindows(model.session, windowsOf.flatMap((w) => w.encodings), {
    tokenOutputs: [],
    rowOutputs: ['logits'],
    batchSize: options.batchSize,
    padTokenId: model.tokenizer.padTokenId,
    positionIds: positionIdsOf(model),
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.(done / total),
  });
  let next = 0;
  return windowsOf.map(({ encodings, weights }) => {
    const rows = outputs.slice(next, next + encodings.length).map((o) => o.logits!);
    next += encodings.length;
    return { rows, weights };
  });
}

/**
 * Each packed window weighs its text tokens; the strided windows of one segment longer than a window
 * share that segment's tokens equally (overlaps counted once), so a text that is one long segment is
 * averaged exactly as under segmentation `none`.
 */
function windowWeights(windows: ReadonlyArray<{ encoding: Encoding; stridedGroup?: number }>, stride: number): number[] {
  const tokens = windows.map((w) => w.encoding.specialTokensMask.filter((isSpecial) => !isSpecial).length);
  const weights = [...tokens];
  let i = 0;
  while (i < windows.length) {
    const group = windows[i]!.stridedGroup;
    let j = i + 1;
    if (group !== undefined) while (j < windows.length && windows[j]!.stridedGroup === group) j++;
    const count = j - i;
    if (count > 1) {
      const total = tokens.slice(i, j).reduce((a, b) => a + b, 0) - (count - 1) * stride;
      for (let k = i; k < j; k++) weights[k] = Math.max(1, total) / count;
    }
    i = j;
  }
  return weights;
}

interface TextWindows {
  encodings: Encoding[];
  /** Per window, the weight of its logits in the average (its text tokens); undefined: equal. */
  weights?: number[];
}

function textWindows(
  model: LoadedModel, text: string, textPair: string | undefined, maxLength: number, stride: number, segmentation: SegmentationMode,
): TextWindows {
  const { tokenizer } = model;
  const special = tokenizer.numSpecialTokensToAdd(textPair !== undefined);
  if (maxLength - special < 1) throw new TaskInputError(`max_length ${maxLength} leaves no room for text`);
  if (textPair === undefined) {
    const windowStride = Math.min(stride, maxLength - special - 1);
    const strided = tokenizer.windows(text, { maxLength, stride: windowStride });
    if (strided.length <= 1) return { encodings: strided };
    const windows = segmentation === 'none'
      ? strided.map((encoding) => ({ encoding }))
      : [...packSegments(tokenizer, text, segments(text, segmentation), { maxLength, stride: windowStride, packing: 'context' })];
    return { encodings: windows.map((w) => w.encoding), weights: windowWeights(windows, windowStride) };
  }
  const firstTokens = tokenizer.encode(text, { addSpecialTokens: false }).ids.length;
  const room = maxLength - special - firstTokens;
  if (room < 1) {
    throw new TaskInputError(`the first text (${firstTokens} tokens) leaves no room for the text pair in windows of ${maxLength} tokens`);
  }
  return { encodings: tokenizer.pairWindows(text, textPair, { maxLength, stride: Math.min(stride, room - 1) }) };
}
