import type { LoadedModel } from '../../runtime/loadModel';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { forwardWindows, throwIfCancelled } from '../shared/forward';
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
 * HF would truncate, is cut into windows of maxLength tokens sharing `stride` tokens, and the windows'
 * logits are averaged before the function is applied, so every part of the text counts equally. With a
 * text pair, `text` is repeated whole in every window and `textPair` is what is cut.
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
  const rowsOf = await classificationLogits(model, texts, options);
  return rowsOf.map((rows) => {
    const results = postprocessTextClassification(rows, {
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
 * a text within the model's limit). classifyMany postprocesses them into label scores; the
 * uncertainty scores of src/core/active read them directly.
 */
export async function classificationLogits(
  model: LoadedModel, texts: readonly string[], options: Pick<ClassifyOptions, 'textPair' | 'maxLength' | 'stride' | 'batchSize' | 'signal' | 'onProgress'>,
): Promise<Float32Array[][]> {
  requireHead(model, 'text classification', ['sequence-classification'], () => ['logits']);
  const maxLength = cappedLength(model, options.maxLength, modelInputLimit(model), 'max_length');
  const stride = options.stride ?? Math.floor(maxLength / 4);
  const windowsOf = texts.map((text) => textWindows(model, text, options.textPair, maxLength, stride));
  throwIfCancelled(options.signal);
  const outputs = await forwardWindows(model.session, windowsOf.flat(), {
    tokenOutputs: [],
    rowOutputs: ['logits'],
    batchSize: options.batchSize,
    padTokenId: model.tokenizer.padTokenId,
    signal: options.signal,
    onProgress: (done, total) => options.onProgress?.(done / total),
  });
  let next = 0;
  return windowsOf.map((windows) => {
    const rows = outputs.slice(next, next + windows.length).map((o) => o.logits!);
    next += windows.length;
    return rows;
  });
}

function textWindows(model: LoadedModel, text: string, textPair: string | undefined, maxLength: number, stride: number): Encoding[] {
  const { tokenizer } = model;
  const special = tokenizer.numSpecialTokensToAdd(textPair !== undefined);
  if (maxLength - special < 1) throw new TaskInputError(`max_length ${maxLength} leaves no room for text`);
  if (textPair === undefined) return tokenizer.windows(text, { maxLength, stride: Math.min(stride, maxLength - special - 1) });
  const firstTokens = tokenizer.encode(text, { addSpecialTokens: false }).ids.length;
  const room = maxLength - special - firstTokens;
  if (room < 1) {
    throw new TaskInputError(`the first text (${firstTokens} tokens) leaves no room for the text pair in windows of ${maxLength} tokens`);
  }
  return tokenizer.pairWindows(text, textPair, { maxLength, stride: Math.min(stride, room - 1) });
}
