import type * as Ort from 'onnxruntime-node';
import { tensor } from '../../runtime/ort';
import { firstFitDecreasing } from '../../util/firstFitDecreasing';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { architectureOf } from '../../bert/architecture';
import type { LoadedModel } from '../../runtime/loadModel';

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export interface ForwardOptions {
  /** Rows per ORT run at most (windows, or with forwardPackedRows rows of several windows). */
  batchSize?: number;
  /** Outputs shaped [batch, seq, ...]: each row is cut to its window's own length. */
  tokenOutputs: readonly string[];
  /** Outputs shaped [batch, ...] (one vector per window). */
  rowOutputs?: readonly string[];
  padTokenId?: number;
  /** What a `position_ids` input of the graph means (see PositionIds); offsets when not given. */
  positionIds?: PositionIds;
  signal?: AbortSignal;
  /** Called after each batch with the number of windows done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * What a graph's `position_ids` input means. 'offsets': each token's offset in its own window, 0, 1,
 * … — graphs converted here, which turn offsets into their architecture's table index themselves
 * (bert/positions.ts). 'from-padding': HF's own ids for RoBERTa-style positions, as a folder's exported
 * ONNX file (Optimum, transformers.js) takes them: create_position_ids_from_input_ids, padding_idx + the
 * running count of non-padding ids, and padding_idx at padding.
 */
export type PositionIds = { kind: 'offsets' } | { kind: 'from-padding'; paddingIdx: number };

/** The position ids a loaded model's graph takes: HF's for a folder's own ONNX file, offsets for ours. */
export function positionIdsOf(model: Pick<LoadedModel, 'graphSource' | 'config'>): PositionIds {
  if (model.graphSource === 'folder' && architectureOf(model.config).positions === 'from-padding') {
    return { kind: 'from-padding', paddingIdx: model.config.pad_token_id };
  }
  return { kind: 'offsets' };
}

/** Per window: output name → its rows ([length × width] for token outputs, [width] for row outputs). */
export type WindowOutputs = Record<string, Float32Array>;

/**
 * Runs an encoder session over windows in batches. Windows are bucketed by length (sorted, then cut
 * into batches), so a batch pads only to the longest of similar windows; results come back in the
 * original order. Only inputs the graph declares are fed (some exported models lack token_type_ids);
 * a graph built for packed rows (a `position_ids` input) gets each row's positions 0, 1, ….
 */
export async function forwardWindows(session: Ort.InferenceSession, windows: readonly Encoding[], options: ForwardOptions): Promise<WindowOutputs[]> {
  const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
  return forwardRows(session, windows, order.map((i) => [i]), options);
}

/**
 * Packed rows grow to the longest window, or to this many tokens when all are shorter. Attention is
 * quadratic in the row and the fused kernel computes masked scores too, so rows as long as the
 * window limit would trade padding for wider attention; up to 128 tokens attention costs little next
 * to the dense layers (counted on the repository's README.md, line segments, rounds of 64 windows: 34% fewer tokens
 * fed than one window per row, and 6% less attention work).
 */
export const PACKED_ROW_FLOOR = 128;

/**
 * forwardWindows with several windows to a row, each attending only to itself: for a session built
 * with packed rows (exportInferenceOnnx `packed`: a `position_ids` input and a block-diagonal mask).
 * Windows are packed first-fit-decreasing into rows of at most `rowTokens` tokens, and no longer than
 * the longest window or PACKED_ROW_FLOOR (a longer window gets a row of its own), each keeping its
 * own special tokens, its position ids restarting at 0;
 * `batchSize` counts rows. Each window's outputs are what it gets alone in a padded batch (to float
 * rounding), in the original order: token outputs cut to its own tokens, row outputs ([examples, …]
 * in row-major order, as the packed graph emits them) its own vector.
 */
export async function forwardPackedRows(
  session: Ort.InferenceSession, windows: readonly Encoding[], options: ForwardOptions & { rowTokens: number },
): Promise<WindowOutputs[]> {
  if (!session.inputNames.includes('position_ids')) throw new Error('packed rows need a graph built for them (a position_ids input)');
  const lengths = windows.map((w) => w.ids.length);
  const rows = firstFitDecreasing(lengths, Math.min(options.rowTokens, Math.max(PACKED_ROW_FLOOR, ...lengths)));
  // Rows of similar length batched together, as forwardWindows buckets windows.
  const tokens = (row: readonly number[]) => row.reduce((n, i) => n + windows[i]!.ids.length, 0);
  rows.sort((a, b) => tokens(a) - tokens(b));
  return forwardRows(session, windows, rows, options);
}

/**
 * A forward pass's fixed cost, in padded tokens' worth of work. On 2 cores, RoBERTa-base over fixed
 * shapes puts it at 13–23 tokens (1 × 64 and 4 × 64 against 16 × 64 tokens a pass); over a document's
 * windows the pipeline ran fastest with 32–64 and 28 % slower with a fixed 16 rows a pass (BENCHMARKS.md
 * § Batches cut by padding).
 */
export const RUN_COST_TOKENS = 32;

/**
 * Cuts rows sorted by length into consecutive batches of at most `batchSize` rows, choosing the cuts
 * that minimise the work fed: every row pads to its batch's longest, and every pass costs
 * RUN_COST_TOKENS. A fixed count of rows per batch pads the short rows of a batch that also holds
 * the long tail of the lengths (38 % more tokens than the windows' own on a document of paragraphs
 * at batch size 16); fewer rows there and more among equal lengths wastes little. Exact dynamic
 * programming, O(rows × batchSize). Returns [start, end) index pairs.
 */
export function cutBatches(sortedLengths: readonly number[], batchSize: number): Array<[start: number, end: number]> {
  const n = sortedLengths.length;
  const cost = new Float64Array(n + 1).fill(Infinity);
  const cutAt = new Int32Array(n + 1);
  cost[0] = 0;
  for (let end = 1; end <= n; end++) {
    const longest = sortedLengths[end - 1]!;
    for (let start = end - 1; start >= Math.max(0, end - batchSize); start--) {
      const total = cost[start]! + RUN_COST_TOKENS + (end - start) * longest;
      if (total < cost[end]!) {
        cost[end] = total;
        cutAt[end] = start;
      }
    }
  }
  const batches: Array<[number, number]> = [];
  for (let end = n; end > 0; end = cutAt[end]!) batches.push([cutAt[end]!, end]);
  return batches.reverse();
}

/** Runs `rows` (each a list of window indices laid end to end) in batches (cutBatches). */
async function forwardRows(session: Ort.InferenceSession, windows: readonly Encoding[], rows: readonly number[][], options: ForwardOptions): Promise<WindowOutputs[]> {
  const rowLengths = rows.map((row) => row.reduce((n, w) => n + windows[w]!.ids.length, 0));
  const batches = cutBatches(rowLengths, Math.max(1, options.batchSize ?? 16));
  const results = new Array<WindowOutputs>(windows.length);
  const inputNames = new Set(session.inputNames);
  let done = 0;
  for (const [at, end] of batches) {
    throwIfCancelled(options.signal);
    const batch = rows.slice(at, end);
    const length = Math.max(...rowLengths.slice(at, end));
    const ids = new BigInt64Array(batch.length * length).fill(BigInt(options.padTokenId ?? 0));
    const mask = new BigInt64Array(batch.length * length);
    const types = new BigInt64Array(batch.length * length);
    // Padding's position is 0, as the packed training batches have it (collatePacked), or padding_idx
    // as HF gives padding ids: masked anyway.
    const fromPadding = options.positionIds?.kind === 'from-padding' ? options.positionIds.paddingIdx : null;
    const positions = new BigInt64Array(batch.length * length).fill(BigInt(fromPadding ?? 0));
    /** Per window of the batch: its row and first token there. */
    const placed: Array<{ window: number; row: number; start: number }> = [];
    batch.forEach((row, r) => {
      let start = r * length;
      for (const w of row) {
        const encoding = windows[w]!;
        let counted = 0;
        for (let t = 0; t < encoding.ids.length; t++) {
          const id = encoding.ids[t]!;
          ids[start + t] = BigInt(id);
          mask[start + t] = 1n;
          types[start + t] = BigInt(encoding.typeIds[t]!);
          // HF compares ids with padding_idx (config pad_token_id), whatever the tokenizer pads with.
          if (fromPadding === null) positions[start + t] = BigInt(t);
          else if (id !== fromPadding) positions[start + t] = BigInt(fromPadding + ++counted);
        }
        placed.push({ window: w, row: r, start });
        start += encoding.ids.length;
      }
    });
    const feeds: Record<string, Ort.Tensor> = {};
    const dims = [batch.length, length];
    if (inputNames.has('input_ids')) feeds.input_ids = tensor('int64', ids, dims);
    if (inputNames.has('attention_mask')) feeds.attention_mask = tensor('int64', mask, dims);
    if (inputNames.has('token_type_ids')) feeds.token_type_ids = tensor('int64', types, dims);
    if (inputNames.has('position_ids')) feeds.position_ids = tensor('int64', positions, dims);
    const outputs = await session.run(feeds);
    const outputOf = (name: string): Ort.Tensor => {
      const output = outputs[name];
      if (!output) throw new Error(`the model has no output "${name}" (it has ${session.outputNames.join(', ')})`);
      return output;
    };
    // `placed` is in row-major order: the k-th window is the k-th example of a row output.
    placed.forEach(({ window, start }, example) => {
      const own: WindowOutputs = {};
      const windowLength = windows[window]!.ids.length;
      for (const name of options.tokenOutputs) {
        const output = outputOf(name);
        const width = output.dims.slice(2).reduce((a, b) => a * b, 1);
        own[name] = (output.data as Float32Array).slice(start * width, (start + windowLength) * width);
      }
      for (const name of options.rowOutputs ?? []) {
        const output = outputOf(name);
        const width = output.dims.slice(1).reduce((a, b) => a * b, 1);
        own[name] = (output.data as Float32Array).slice(example * width, (example + 1) * width);
      }
      results[window] = own;
    });
    for (const output of Object.values(outputs)) output.dispose?.();
    done += placed.length;
    options.onProgress?.(done, windows.length);
  }
  return results;
}
