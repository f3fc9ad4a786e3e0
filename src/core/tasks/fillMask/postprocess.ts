import { PostprocessError } from '../shared/errors';
import { integerOption, softmaxInto } from '../shared/numeric';

/** What HF's fill-mask postprocess needs from the tokenizer. */
export interface FillMaskDecoder {
  /** HF `tokenizer.decode(ids, skip_special_tokens=...)`. */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string;
}

export interface FillMaskInput {
  /** The model input ids of one sequence ([CLS] … [SEP], possibly [PAD]). */
  inputIds: readonly number[];
  /**
   * Row-major logits of the masked-LM head: either for the whole sequence ([T, vocabSize]) or only the
   * rows at the mask positions, in order ([M, vocabSize]).
   */
  logits: Float32Array;
  vocabSize: number;
}

export interface FillMaskOptions {
  maskTokenId: number;
  /** `tokenizer.pad_token_id`: padding is removed before decoding `sequence`, as HF does. */
  padTokenId?: number;
  /** HF default 5; capped at the number of targets. */
  topK?: number;
  /** Ids from resolveFillMaskTargets: scores are restricted to them (probabilities are not renormalised). */
  targetIds?: readonly number[];
  decoder: FillMaskDecoder;
}

/** HF result item (same key order). */
export interface FillMaskPrediction {
  score: number;
  token: number;
  token_str: string;
  sequence: string;
}

/**
 * HF `FillMaskPipeline.postprocess`: softmax over the vocabulary at each mask, optional restriction to
 * targets, top_k by probability (ties: lower id / earlier target first), and for each candidate the
 * input with that token in place of the mask, padding removed, decoded — skipping special tokens when
 * there is a single mask, keeping them (and the other masks) when there are several, as HF does.
 *
 * Returns one list per mask; HF returns the bare list when there is exactly one mask (`rows[0]`).
 */
export function postprocessFillMask(input: FillMaskInput, options: FillMaskOptions): FillMaskPrediction[][] {
  const { inputIds, logits, vocabSize } = input;
  const maskPositions: number[] = [];
  inputIds.forEach((id, i) => {
    if (id === options.maskTokenId) maskPositions.push(i);
  });
  if (maskPositions.length === 0) throw new PostprocessError(`No mask_token (id ${options.maskTokenId}) found on the input`);
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) throw new PostprocessError(`vocabSize must be a positive integer, got ${String(vocabSize)}`);
  const rowOf = logitRows(logits.length, vocabSize, inputIds.length, maskPositions);
  const targets = options.targetIds;
  if (targets !== undefined) checkTargets(targets, vocabSize);
  let topK = integerOption(options.topK, 5, 1, 'top_k', (m) => new PostprocessError(m));
  if (targets !== undefined && targets.length < topK) topK = targets.length;
  const singleMask = maskPositions.length === 1;
  const probs = new Float64Array(vocabSize);
  return maskPositions.map((position, m) => {
    softmaxInto(logits, rowOf(m) * vocabSize, vocabSize, probs, 0);
    const candidates = targets ?? null;
    return topCandidates(probs, candidates, topK).map(({ token, score }) => {
      const filled = inputIds.map((id, i) => (i === position ? token : id)).filter((id) => id !== options.padTokenId);
      return {
        score,
        token,
        token_str: options.decoder.decode([token], false),
        sequence: options.decoder.decode(filled, singleMask),
      };
    });
  });
}

/** Maps the m-th mask to its logits row, accepting full-sequence or mask-only logits. */
function logitRows(length: number, vocabSize: number, tokenCount: number, maskPositions: readonly number[]): (m: number) => number {
  if (length === tokenCount * vocabSize) return (m) => maskPositions[m]!;
  if (length === maskPositions.length * vocabSize) return (m) => m;
  throw new PostprocessError(`fill-mask: ${length} logits match neither ${tokenCount} tokens nor ${maskPositions.length} masks × vocabulary ${vocabSize}`);
}

function checkTargets(targets: readonly number[], vocabSize: number): void {
  if (targets.length === 0) throw new PostprocessError('At least one target must be provided when passed.');
  for (const id of targets) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new PostprocessError(`fill-mask target id ${String(id)} is outside the vocabulary (0..${vocabSize - 1})`);
  }
}

function topCandidates(probs: Float64Array, targets: readonly number[] | null, topK: number): Array<{ token: number; score: number }> {
  const count = targets ? targets.length : probs.length;
  const best: Array<{ token: number; score: number }> = [];
  for (let c = 0; c < count; c++) {
    const token = targets ? targets[c]! : c;
    const score = probs[token]!;
    if (best.length === topK && !(score > best[topK - 1]!.score)) continue;
    let at = best.length;
    while (at > 0 && score > best[at - 1]!.score) at--;
    best.splice(at, 0, { token, score });
    if (best.length > topK) best.pop();
  }
  return best;
}

/** What resolveFillMaskTargets needs from the tokenizer. */
export interface TargetVocabulary {
  /** `tokenizer.get_vocab().get(target)`. */
  tokenToId(token: string): number | undefined;
  /** First id of `tokenizer(target, add_special_tokens=False)`, or undefined when it yields none. */
  firstTokenId(text: string): number | undefined;
}

/**
 * HF `FillMaskPipeline.get_target_ids`: a target that is not a vocabulary entry is replaced by the first
 * token it tokenizes to (with a warning), or dropped (with a warning) when it tokenizes to nothing;
 * duplicates are removed (first occurrence kept; HF's set() order is arbitrary). Throws when none remain.
 */
export function resolveFillMaskTargets(targets: string | readonly string[], vocabulary: TargetVocabulary): { ids: number[]; warnings: string[] } {
  const list = typeof targets === 'string' ? [targets] : targets;
  const ids: number[] = [];
  const warnings: string[] = [];
  for (const target of list) {
    let id = vocabulary.tokenToId(target);
    if (id === undefined) {
      id = vocabulary.firstTokenId(target);
      if (id === undefined) {
        warnings.push(`The specified target token \`${target}\` does not exist in the model vocabulary. We cannot replace it with anything meaningful, ignoring it`);
        continue;
      }
      warnings.push(`The specified target token \`${target}\` does not exist in the model vocabulary. Replacing with token id ${id}.`);
    }
    if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) throw new PostprocessError('At least one target must be provided when passed.');
  return { ids, warnings };
}
