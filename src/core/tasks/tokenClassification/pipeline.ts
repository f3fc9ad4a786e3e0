import type { LoadedModel } from '../../runtime/loadModel';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { forwardPackedRows, forwardWindows, positionIdsOf, throwIfCancelled } from '../shared/forward';
import { modelInputLimit } from '../shared/taskModel';
import { labelList } from '../shared/labels';
import { packSegments, type PackedWindow } from '../shared/packing';
import { DEFAULT_SEGMENTATION, segmentPackingOf, segments, type SegmentationMode, type SegmentPacking } from '../shared/segmentation';
import { textBlocks } from '../shared/textBlocks';
import { windowCuts, withoutCutWords } from './cutWords';
import { aggregateOverlappingEntities } from './overlap';
import { postprocessTokenClassification } from './postprocess';
import { entitiesOfPackedWindow } from './segmentEntities';
import { withoutSurroundingWhitespace } from './trimSpans';
import type { AggregationStrategy, TokenClassificationResult } from './types';

export interface RecognizeOptions {
  aggregationStrategy?: AggregationStrategy;
  ignoreLabels?: readonly string[];
  /** Tokens per window including [CLS]/[SEP]; capped by the model. Default 256. */
  maxLength?: number;
  /** Tokens shared by consecutive windows. Default maxLength/4. */
  stride?: number;
  batchSize?: number;
  /**
   * How the document is cut before windowing (see segmentation.ts); default DEFAULT_SEGMENTATION.
   * "none" is HF's strided windows over the whole text; "sentence" and "line" pack whole segments
   * into windows and never report an entity across a segment boundary.
   */
  segmentation?: SegmentationMode;
  /**
   * With segmentation: "isolated" runs each segment as its own window ([CLS] segment [SEP], positions
   * from 0), so it attends only to itself. A model converted here with packed rows
   * (LoadedModel.packedRows) runs several such windows in one row, with restarting position ids and a
   * block-diagonal mask (forwardPackedRows); a ready ONNX file runs one window per row. "context" packs
   * whole segments into one [CLS] seg1 seg2 … [SEP] window, where they see each other. Default: the
   * model folder's `bert_lens_packing` (segmentPackingOf), else DEFAULT_SEGMENT_PACKING.
   */
  packing?: SegmentPacking;
  signal?: AbortSignal;
  /** Fraction of the document done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** Characters per block: keeps the tokens of a multi-megabyte document out of memory all at once. */
const BLOCK_CHARS = 32_768;

export function effectiveMaxLength(model: LoadedModel, requested: number | undefined): number {
  return Math.min(requested ?? 256, modelInputLimit(model));
}

/**
 * HF TokenClassificationPipeline over a document of any length. With segmentation "none": windows
 * with stride (HF `return_overflowing_tokens`), batched forward passes, per-window postprocessing,
 * and HF's overlap resolution so an entity at a window border is reported once, whole. Otherwise
 * windows of whole segments (recognizeBySegments). Offsets are UTF-16 offsets into `text`, never
 * starting or ending on whitespace (trimSpans.ts).
 */
export async function recognizeEntities(model: LoadedModel, text: string, options: RecognizeOptions = {}): Promise<TokenClassificationResult[]> {
  if (model.head !== 'token-classification') throw new Error(`recognizeEntities needs a token-classification model, ${model.reference} is ${model.head}`);
  const maxLength = effectiveMaxLength(model, options.maxLength);
  const stride = options.stride ?? Math.floor(maxLength / 4);
  const tokenizer = model.tokenizer;
  const decoder = {
    convertTokensToString: (tokens: readonly string[]) => tokenizer.convertTokensToString(tokens),
    unkTokenId: tokenizer.unkTokenId,
    continuingSubwordPrefix: tokenizer.continuingSubwordPrefix,
  };
  const segmentation = options.segmentation ?? DEFAULT_SEGMENTATION;
  if (segmentation !== 'none') {
    return withoutSurroundingWhitespace(text, await recognizeBySegments(model, text, { ...options, segmentation }, maxLength, stride, decoder));
  }
  const all: TokenClassificationResult[] = [];
  let windowCount = 0;
  const blocks = textBlocks(text, BLOCK_CHARS);
  for (const [blockStart, blockEnd] of blocks) {
    throwIfCancelled(options.signal);
    const blockText = text.slice(blockStart, blockEnd);
    if (blockText.trim() === '') continue;
    const windows = tokenizer.windows(blockText, { maxLength, stride });
    const outputs = await forwardWindows(model.session, windows, {
      tokenOutputs: ['logits'],
      batchSize: options.batchSize,
      padTokenId: tokenizer.padTokenId,
      positionIds: positionIdsOf(model),
      signal: options.signal,
    });
    const strategy = options.aggregationStrategy ?? 'simple';
    // Word-level strategies promise whole words; token-level ones ('none', 'simple') keep HF's output.
    const wordLevel = strategy === 'first' || strategy === 'average' || strategy === 'max';
    const cuts = wordLevel ? windowCuts(windows, stride) : undefined;
    windows.forEach((encoding: Encoding, i) => {
      const found = postprocessTokenClassification([{ encoding, logits: outputs[i]!.logits! }], {
        text: blockText,
        id2label: model.config.id2label,
        tokenizer: decoder,
        aggregationStrategy: strategy,
        ignoreLabels: options.ignoreLabels,
      });
      const entities = cuts ? withoutCutWords(found, cuts[i]!) : found;
      for (const entity of entities) {
        entity.start += blockStart;
        entity.end += blockStart;
        all.push(entity);
      }
    });
    windowCount += windows.length;
    options.onProgress?.(blockEnd / text.length);
  }
  return withoutSurroundingWhitespace(text, windowCount > 1 ? aggregateOverlappingEntities(all) : all);
}

/** Packed windows forwarded together: bounds the tokens held in memory for a large document. */
const WINDOWS_PER_ROUND = 64;

type Decoder = Parameters<typeof postprocessTokenClassification>[1]['tokenizer'];

/**
 * The segment-aware path: segments packed into windows (packing.ts), forwarded in rounds, and each
 * window postprocessed with groups split at segment boundaries. Strided windows of a segment longer
 * than one window are handled as in the whole-text path (cut words dropped, overlaps resolved).
 */
async function recognizeBySegments(
  model: LoadedModel, text: string, options: RecognizeOptions, maxLength: number, stride: number, decoder: Decoder,
): Promise<TokenClassificationResult[]> {
  const strategy = options.aggregationStrategy ?? 'simple';
  const wordLevel = strategy === 'first' || strategy === 'average' || strategy === 'max';
  const numLabels = labelList(model.config.id2label).length;
  const postprocessOptions = {
    text,
    id2label: model.config.id2label,
    tokenizer: decoder,
    aggregationStrategy: strategy,
    ignoreLabels: options.ignoreLabels,
  };
  const all: TokenClassificationResult[] = [];
  let strided = false;
  for await (const { windows, logits } of forwardPackedRounds(model, text, options, maxLength, stride)) {
    if (windows.some((w) => w.stridedGroup !== undefined)) strided = true;
    // Cut words are looked for among the strided windows of one long segment only.
    const cuts = wordLevel ? stridedCuts(windows, stride) : undefined;
    windows.forEach((window, i) => {
      const found = entitiesOfPackedWindow(window, logits[i]!, numLabels, postprocessOptions);
      const cut = cuts?.get(i);
      for (const entity of cut ? withoutCutWords(found, cut) : found) all.push(entity);
    });
  }
  // Segments are disjoint, so only the strided windows of a long segment can overlap.
  return strided ? aggregateOverlappingEntities(all) : all;
}

/** One round of packed windows and, per window, its logits rows ([tokens × labels]). */
export interface PackedRound {
  windows: PackedWindow[];
  logits: Float32Array[];
}

/**
 * The forward half of the segment-aware path: segments of `text` packed into windows (packing.ts)
 * and forwarded in rounds of about WINDOWS_PER_ROUND, a long segment's strided windows kept in one
 * round. recognizeBySegments postprocesses the rounds into entities; other readers of the logits
 * (the uncertainty scores of src/core/active) use the same windows. Reports progress by offset.
 */
export async function* forwardPackedRounds(
  model: LoadedModel, text: string, options: Pick<RecognizeOptions, 'segmentation' | 'packing' | 'batchSize' | 'signal' | 'onProgress'>,
  maxLength: number, stride: number,
): AsyncGenerator<PackedRound> {
  const segmentation = options.segmentation ?? DEFAULT_SEGMENTATION;
  let round: PackedWindow[] = [];
  const run = async (): Promise<PackedRound | undefined> => {
    if (round.length === 0) return undefined;
    const windows = round;
    round = [];
    const forwardOptions = { tokenOutputs: ['logits'], batchSize: options.batchSize, padTokenId: model.tokenizer.padTokenId, positionIds: positionIdsOf(model), signal: options.signal };
    const encodings = windows.map((w) => w.encoding);
    // Each window attends only to itself either way; packed rows just pad less.
    const outputs = model.packedRows
      ? await forwardPackedRows(model.session, encodings, { ...forwardOptions, rowTokens: maxLength })
      : await forwardWindows(model.session, encodings, forwardOptions);
    const lastEnd = windows[windows.length - 1]!.encoding.offsets.reduce((m, [, e]) => Math.max(m, e), 0);
    options.onProgress?.(Math.min(1, lastEnd / Math.max(1, text.length)));
    return { windows, logits: outputs.map((o) => o.logits!) };
  };
  let pendingGroup: number | undefined;
  for (const window of packSegments(model.tokenizer, text, segments(text, segmentation), { maxLength, stride, packing: options.packing ?? segmentPackingOf(model.config) })) {
    throwIfCancelled(options.signal);
    // Keep a long segment's strided windows in one round so their cut words are found.
    if (round.length >= WINDOWS_PER_ROUND && (window.stridedGroup === undefined || window.stridedGroup !== pendingGroup)) {
      const done = await run();
      if (done) yield done;
    }
    pendingGroup = window.stridedGroup;
    round.push(window);
  }
  const last = await run();
  if (last) yield last;
  options.onProgress?.(1);
}

function stridedCuts(windows: readonly PackedWindow[], stride: number): Map<number, ReturnType<typeof windowCuts>[number]> {
  const cuts = new Map<number, ReturnType<typeof windowCuts>[number]>();
  let i = 0;
  while (i < windows.length) {
    const group = windows[i]!.stridedGroup;
    if (group === undefined) {
      i++;
      continue;
    }
    let j = i;
    while (j < windows.length && windows[j]!.stridedGroup === group) j++;
    windowCuts(windows.slice(i, j).map((w) => w.encoding), stride).forEach((cut, k) => cuts.set(i + k, cut));
    i = j;
  }
  return cuts;
}
