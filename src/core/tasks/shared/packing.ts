import type { Encoding } from '../../runtime/tokenizer/encoding';
import type { Tokenizer } from '../../runtime/tokenizer/tokenizer';
import { textBlocks } from './textBlocks';

/**
 * One model input built from whole segments. Offsets in `encoding` are absolute UTF-16 offsets into
 * the document; `segmentTokens` gives, per segment in the window, its [first, end) token positions.
 */
export interface PackedWindow {
  encoding: Encoding;
  segmentTokens: Array<[number, number]>;
  /**
   * Set on the strided windows of one segment too long for a window (HF `return_overflowing_tokens`
   * inside that segment only, by blocks of at most 32,768 characters): windows with the same value
   * overlap by `stride` tokens.
   */
  stridedGroup?: number;
}

export interface PackOptions {
  /** Tokens per window, special tokens included. */
  maxLength: number;
  /** Tokens shared by the strided windows of a segment longer than one window. */
  stride: number;
  /**
   * `context`: as many whole segments as fit share one window (they see each other).
   * `isolated`: one segment per window, so each attends only to itself (see pipeline).
   */
  packing: 'context' | 'isolated';
}

/** Above this many characters a segment is windowed by blocks without tokenizing it whole (memory bound). */
const LONG_SEGMENT_CHARS = 32_768;

/**
 * Packs whole segments greedily, in order, into windows of at most `maxLength` tokens: a segment goes
 * into the current window when its tokens fit, else it starts the next one. Packed windows never
 * overlap. A segment longer than one window falls back to strided windows over that segment alone.
 *
 * Each segment is tokenized on its own, with the one space before it when there is one, so that its
 * tokens are those HF gets by tokenizing the whole document: a byte-level BPE (RoBERTa, GPT-2 style,
 * add_prefix_space false) spells a word after a space with the space ("ĠParis") and the first word of
 * a text without it ("Paris"), so a segment tokenized bare would give its first word tokens the model
 * never sees mid-text. WordPiece and SentencePiece tokenize " x" as "x". Offsets stay inside the
 * segment: a token's start at the space moves to the segment's start (with trim_offsets the
 * tokenizer already excludes it). Word ids are renumbered to be distinct across the segments of a window.
 */
export function* packSegments(
  tokenizer: Tokenizer, text: string, segments: Iterable<[number, number]>, options: PackOptions,
): Generator<PackedWindow> {
  const specials = tokenizer.numSpecialTokensToAdd(false);
  const budget = options.maxLength - specials;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new RangeError(`a window of ${options.maxLength} tokens leaves no room besides the ${specials} special tokens`);
  }
  let pending: Array<{ encoding: Encoding; start: number }> = [];
  let pendingTokens = 0;
  let group = 0;
  const flush = (): PackedWindow | undefined => {
    if (pending.length === 0) return undefined;
    const window = joinSegments(pending);
    pending = [];
    pendingTokens = 0;
    return window;
  };
  for (const [start, end] of segments) {
    const from = start > 0 && text.charCodeAt(start - 1) === 0x20 ? start - 1 : start;
    const segmentText = text.slice(from, end);
    const raw = end - from <= LONG_SEGMENT_CHARS ? tokenizer.encode(segmentText) : undefined;
    const encoding = raw && clampStarts(raw, start - from);
    const content = encoding ? contentTokens(encoding) : Infinity;
    // Only whitespace-like characters the normalizer drops: nothing to classify.
    if (content === 0) continue;
    if (encoding && content <= budget) {
      if (options.packing === 'isolated' || pendingTokens + content > budget) {
        const done = flush();
        if (done) yield done;
      }
      pending.push({ encoding, start: from });
      pendingTokens += content;
      continue;
    }
    const done = flush();
    if (done) yield done;
    yield* stridedWindows(tokenizer, segmentText, from, start, options, () => group++);
  }
  const last = flush();
  if (last) yield last;
}

function contentTokens(encoding: Encoding): number {
  let count = 0;
  for (const special of encoding.specialTokensMask) if (!special) count++;
  return count;
}

/** Today's strided windows (HF `return_overflowing_tokens`) over one long segment, by blocks. */
function* stridedWindows(
  tokenizer: Tokenizer, segmentText: string, textStart: number, segmentStart: number, options: PackOptions, nextGroup: () => number,
): Generator<PackedWindow> {
  for (const [blockStart, blockEnd] of textBlocks(segmentText, LONG_SEGMENT_CHARS)) {
    // Each block is windowed on its own, as the whole-text path does, so a group stays small.
    const group = nextGroup();
    const windows = tokenizer.windows(segmentText.slice(blockStart, blockEnd), { maxLength: options.maxLength, stride: options.stride });
    for (const encoding of windows) {
      const shifted = clampStarts(shiftOffsets(encoding, textStart + blockStart), segmentStart);
      const range = contentRange(shifted);
      if (!range) continue;
      yield { encoding: shifted, segmentTokens: [range], stridedGroup: group };
    }
  }
}

function shiftOffsets(encoding: Encoding, by: number): Encoding {
  return {
    ...encoding,
    offsets: encoding.offsets.map(([s, e], t) => (encoding.specialTokensMask[t] ? [s, e] : [s + by, e + by])),
  };
}

/** Content tokens starting before `start` (at the space tokenized with the segment) start at `start`. */
function clampStarts(encoding: Encoding, start: number): Encoding {
  if (!encoding.offsets.some(([s], t) => s < start && !encoding.specialTokensMask[t])) return encoding;
  return {
    ...encoding,
    offsets: encoding.offsets.map(([s, e], t) => (encoding.specialTokensMask[t] || s >= start ? [s, e] : [start, Math.max(start, e)])),
  };
}

function contentRange(encoding: Encoding): [number, number] | undefined {
  const first = encoding.specialTokensMask.indexOf(false);
  if (first < 0) return undefined;
  const last = encoding.specialTokensMask.lastIndexOf(false);
  return [first, last + 1];
}

/** [prefix specials] seg1 seg2 … [suffix specials], the template's specials taken from the first and last segment. */
function joinSegments(parts: ReadonlyArray<{ encoding: Encoding; start: number }>): PackedWindow {
  const out: Encoding = { ids: [], typeIds: [], offsets: [], wordIds: [], sequenceIds: [], tokens: [], specialTokensMask: [] };
  const push = (encoding: Encoding, t: number, shift: number, wordBase: number): void => {
    out.ids.push(encoding.ids[t]!);
    out.typeIds.push(encoding.typeIds[t]!);
    const [s, e] = encoding.offsets[t]!;
    const special = encoding.specialTokensMask[t]!;
    out.offsets.push(special ? [s, e] : [s + shift, e + shift]);
    const word = encoding.wordIds[t] ?? null;
    out.wordIds.push(word === null ? null : word + wordBase);
    out.sequenceIds.push(encoding.sequenceIds[t] ?? null);
    out.tokens.push(encoding.tokens[t]!);
    out.specialTokensMask.push(special);
  };
  const first = parts[0]!.encoding;
  const firstContent = first.specialTokensMask.indexOf(false);
  for (let t = 0; t < firstContent; t++) push(first, t, 0, 0);
  const segmentTokens: Array<[number, number]> = [];
  let wordBase = 0;
  for (const { encoding, start } of parts) {
    const range = contentRange(encoding)!;
    const from = out.ids.length;
    let maxWord = -1;
    for (let t = range[0]; t < range[1]; t++) {
      push(encoding, t, start, wordBase);
      const word = encoding.wordIds[t];
      if (word !== null && word !== undefined && word > maxWord) maxWord = word;
    }
    segmentTokens.push([from, out.ids.length]);
    wordBase += maxWord + 1;
  }
  const last = parts[parts.length - 1]!.encoding;
  const lastContentEnd = last.specialTokensMask.lastIndexOf(false) + 1;
  for (let t = lastContentEnd; t < last.ids.length; t++) push(last, t, 0, 0);
  return { encoding: out, segmentTokens };
}
