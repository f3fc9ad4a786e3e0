import type { LoadedModel } from '../runtime/loadModel';
import { labelList } from '../tasks/shared/labels';
import { softmaxInto, sigmoid } from '../tasks/shared/numeric';
import { segmentRanges, type SegmentPacking } from '../tasks/shared/segmentation';
import { TaskInputError } from '../tasks/shared/taskModel';
import { paragraphRanges } from '../tasks/textClassification/paragraphs';
import { classificationLogits } from '../tasks/textClassification/pipeline';
import { averagedLogits, resolveFunctionToApply, type FunctionToApply } from '../tasks/textClassification/postprocess';
import { effectiveMaxLength, forwardPackedRounds } from '../tasks/tokenClassification/pipeline';
import { binaryUncertainty, distributionUncertainty, reduceScores, type UncertaintyMeasure, type UncertaintyReduction } from './uncertainty';

/** One scored unit of a text: a sentence (NER) or a paragraph (classification), UTF-16 offsets into the text. */
export interface UncertainUnit {
  start: number;
  end: number;
  /** In [0, 1]; higher = the model is less sure. */
  score: number;
  /** Sentences: how many words were scored (each word once, however many windows saw it). */
  words?: number;
}

export interface UncertaintyOptions {
  measure: UncertaintyMeasure;
  /** Over the words of a sentence / the labels of a multi-label model; default 'max' (see uncertainty.ts). */
  reduction?: UncertaintyReduction;
  maxLength?: number;
  stride?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface SentenceUncertaintyOptions extends UncertaintyOptions {
  /** Default 'isolated': a sentence's score is what the model says of it alone, whatever its neighbours. */
  packing?: SegmentPacking;
}

/**
 * The uncertainty of each sentence (segmentation.ts, mode `sentence`) of `text` under a
 * token-classification model, in document order. The windows and logits are the NER pipeline's own
 * (forwardPackedRounds). A word is scored by the softmax of its first sub-token: that is the token
 * `run_ner`-style training labels and `aggregation_strategy="first"` reads; the other sub-tokens are
 * trained on nothing (label −100). Special tokens are left out. The strided windows of a sentence
 * longer than a window overlap: a word seen twice counts once, in its first window (which holds its
first sub-token: a window that starts inside a word follows one that saw the word's start). A sentence with no
 * tokens at all (only characters the tokenizer drops) gets no unit.
 */
export async function sentenceUncertainties(model: LoadedModel, text: string, options: SentenceUncertaintyOptions): Promise<UncertainUnit[]> {
  if (model.head !== 'token-classification') throw new TaskInputError(`sentence uncertainty needs a token-classification model, ${model.reference} is ${model.head}`);
  const numLabels = labelList(model.config.id2label).length;
  if (numLabels === 0) throw new TaskInputError('id2label is empty: a token classification model needs at least one label');
  const maxLength = effectiveMaxLength(model, options.maxLength);
  const stride = options.stride ?? Math.floor(maxLength / 4);
  const reduction = options.reduction ?? 'max';
  const sentences = segmentRanges(text, 'sentence');
  const perSentence = new Map<number, { seen: Set<string>; values: number[] }>();
  const probs = new Float64Array(numLabels);
  let cursor = 0;
  const sentenceOf = (offset: number): number => {
    // Windows come in document order, so a forward scan from the last hit is linear overall.
    if (cursor < sentences.length && offset < sentences[cursor]![0]) cursor = 0;
    while (cursor < sentences.length && sentences[cursor]![1] <= offset) cursor++;
    return cursor;
  };
  const rounds = forwardPackedRounds(model, text, {
    segmentation: 'sentence',
    packing: options.packing ?? 'isolated',
    batchSize: options.batchSize,
    signal: options.signal,
    onProgress: options.onProgress,
  }, maxLength, stride);
  for await (const { windows, logits } of rounds) {
    windows.forEach((window, w) => {
      const { encoding } = window;
      const rows = logits[w]!;
      for (const [from, to] of window.segmentTokens) {
        const anyWord = encoding.wordIds.slice(from, to).some((word) => word !== null && word !== undefined);
        for (let t = from; t < to; t++) {
          const word = encoding.wordIds[t] ?? null;
          if (anyWord && (word === null || (t > from && encoding.wordIds[t - 1] === word))) continue;
          const tokenStart = encoding.offsets[t]![0];
          const index = sentenceOf(tokenStart);
          if (index >= sentences.length) continue;
          let entry = perSentence.get(index);
          if (!entry) perSentence.set(index, (entry = { seen: new Set(), values: [] }));
          // The strided windows of one group share the block's word ids: a word is the same word in each.
          const key = window.stridedGroup !== undefined && word !== null ? `${window.stridedGroup}:${word}` : `@${tokenStart}`;
          if (entry.seen.has(key)) continue;
          entry.seen.add(key);
          softmaxInto(rows, t * numLabels, numLabels, probs, 0);
          entry.values.push(distributionUncertainty(probs, options.measure));
        }
      }
    });
  }
  const units: UncertainUnit[] = [];
  sentences.forEach(([start, end], i) => {
    const entry = perSentence.get(i);
    if (entry) units.push({ start, end, score: reduceScores(entry.values, reduction), words: entry.values.length });
  });
  return units;
}

export interface ParagraphUncertaintyOptions extends UncertaintyOptions {
  /** HF function_to_apply; default from config.problem_type (softmax, or sigmoid for multi-label). */
  functionToApply?: FunctionToApply;
}

/**
 * The uncertainty of each paragraph (text between blank lines, paragraphs.ts) of `text` under a
 * sequence-classification model, in document order. The class distribution is the one Classify Each
 * Paragraph shows (windows' logits averaged, then the function): softmax → the measure over the
 * labels; sigmoid (multi-label) → the measure of each label's yes/no, combined by `reduction`.
 * A regression model (function `none`) has no distribution: a TaskInputError.
 */
export async function paragraphUncertainties(model: LoadedModel, text: string, options: ParagraphUncertaintyOptions): Promise<UncertainUnit[]> {
  const labels = labelList(model.config.id2label);
  const fn = resolveFunctionToApply(options.functionToApply, model.config.problem_type, labels.length);
  if (fn === 'none') throw new TaskInputError('uncertainty needs probabilities: this model is a regression (function_to_apply none); use softmax or sigmoid');
  const ranges = paragraphRanges(text);
  if (ranges.length === 0) return [];
  const rowsOf = await classificationLogits(model, ranges.map(([start, end]) => text.slice(start, end)), options);
  const reduction = options.reduction ?? 'max';
  return ranges.map(([start, end], i) => {
    const row = averagedLogits(rowsOf[i]!.rows, labels.length, rowsOf[i]!.weights);
    return { start, end, score: classUncertainty(row, fn, options.measure, reduction) };
  });
}

/** One text's class uncertainty from its (averaged) logits row; `fn` as HF's function_to_apply. */
export function classUncertainty(row: ArrayLike<number>, fn: 'softmax' | 'sigmoid', measure: UncertaintyMeasure, reduction: UncertaintyReduction): number {
  if (fn === 'softmax') {
    const probs = new Float64Array(row.length);
    softmaxInto(row, 0, row.length, probs, 0);
    return distributionUncertainty(probs, measure);
  }
  return reduceScores(Array.from(row, (logit) => binaryUncertainty(sigmoid(logit), measure)), reduction);
}
