import type { Encoding } from '../../runtime/tokenizer/encoding';
import type { PackedWindow } from '../shared/packing';
import { postprocessTokenClassification } from './postprocess';
import type { TokenClassificationOptions, TokenClassificationResult } from './types';

function sliceEncoding(encoding: Encoding, from: number, to: number): Encoding {
  return {
    ids: encoding.ids.slice(from, to),
    typeIds: encoding.typeIds.slice(from, to),
    offsets: encoding.offsets.slice(from, to),
    wordIds: encoding.wordIds.slice(from, to),
    sequenceIds: encoding.sequenceIds.slice(from, to),
    tokens: encoding.tokens.slice(from, to),
    specialTokensMask: encoding.specialTokensMask.slice(from, to),
  };
}

/**
 * HF's postprocessing of one packed window, with groups split at segment boundaries: each segment's
 * tokens (and their logits rows) go through `postprocessTokenClassification` on their own. This is
 * exactly HF's output for the window with every group that crosses a boundary cut there, because
 * softmax is per token, a word never spans two segments (segments are tokenized apart), and
 * `group_entities` only ever joins adjacent units. `index` (strategy "none") stays the token's
 * position in the window.
 */
export function entitiesOfPackedWindow(
  window: PackedWindow, logits: Float32Array, numLabels: number, options: TokenClassificationOptions,
): TokenClassificationResult[] {
  const out: TokenClassificationResult[] = [];
  for (const [from, to] of window.segmentTokens) {
    const part = { encoding: sliceEncoding(window.encoding, from, to), logits: logits.subarray(from * numLabels, to * numLabels) };
    for (const entity of postprocessTokenClassification([part], options)) {
      if ('index' in entity) entity.index += from;
      out.push(entity);
    }
  }
  return out;
}
