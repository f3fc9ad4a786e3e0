import type { LoadedModel } from '../../runtime/loadModel';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { forwardWindows, throwIfCancelled } from '../shared/forward';
import { textBlocks } from '../shared/textBlocks';
import { windowCuts, withoutCutWords } from './cutWords';
import { aggregateOverlappingEntities } from './overlap';
import { postprocessTokenClassification } from './postprocess';
import type { AggregationStrategy, TokenClassificationResult } from './types';

export interface RecognizeOptions {
  aggregationStrategy?: AggregationStrategy;
  ignoreLabels?: readonly string[];
  /** Tokens per window including [CLS]/[SEP]; capped by the model. Default 256. */
  maxLength?: number;
  /** Tokens shared by consecutive windows. Default maxLength/4. */
  stride?: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** Fraction of the document done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}

/** Characters per block: keeps the tokens of a multi-megabyte document out of memory all at once. */
const BLOCK_CHARS = 32_768;

export function effectiveMaxLength(model: LoadedModel, requested: number | undefined): number {
  const limits = [requested ?? 256, model.config.max_position_embeddings];
  if (Number.isFinite(model.tokenizer.modelMaxLength)) limits.push(model.tokenizer.modelMaxLength);
  return Math.min(...limits);
}

/**
 * HF TokenClassificationPipeline over a document of any length: windows with stride (HF
 * `return_overflowing_tokens`), batched forward passes, per-window postprocessing, and HF's
 * overlap resolution so an entity at a window border is reported once, whole. Offsets are UTF-16
 * offsets into `text`.
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
  return windowCount > 1 ? aggregateOverlappingEntities(all) : all;
}
