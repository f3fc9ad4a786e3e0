import type * as Ort from 'onnxruntime-node';
import { tensor } from '../../runtime/ort';
import type { Encoding } from '../../runtime/tokenizer/encoding';

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
  /** Windows per ORT run. */
  batchSize?: number;
  /** Outputs shaped [batch, seq, ...]: each row is cut to its window's own length. */
  tokenOutputs: readonly string[];
  /** Outputs shaped [batch, ...] (one vector per window). */
  rowOutputs?: readonly string[];
  padTokenId?: number;
  signal?: AbortSignal;
  /** Called after each batch with the number of windows done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Per window: output name → its rows ([length × width] for token outputs, [width] for row outputs). */
export type WindowOutputs = Record<string, Float32Array>;

/**
 * Runs an encoder session over windows in batches. Windows are bucketed by length (sorted, then cut
 * into batches), so a batch pads only to the longest of similar windows; results come back in the
 * original order. Only inputs the graph declares are fed (some exported models lack token_type_ids).
 */
export async function forwardWindows(session: Ort.InferenceSession, windows: readonly Encoding[], options: ForwardOptions): Promise<WindowOutputs[]> {
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
  const results = new Array<WindowOutputs>(windows.length);
  const inputNames = new Set(session.inputNames);
  let done = 0;
  for (let at = 0; at < order.length; at += batchSize) {
    throwIfCancelled(options.signal);
    const members = order.slice(at, at + batchSize);
    const length = Math.max(...members.map((i) => windows[i]!.ids.length));
    const rows = members.length;
    const ids = new BigInt64Array(rows * length).fill(BigInt(options.padTokenId ?? 0));
    const mask = new BigInt64Array(rows * length);
    const types = new BigInt64Array(rows * length);
    members.forEach((w, r) => {
      const encoding = windows[w]!;
      for (let t = 0; t < encoding.ids.length; t++) {
        ids[r * length + t] = BigInt(encoding.ids[t]!);
        mask[r * length + t] = 1n;
        types[r * length + t] = BigInt(encoding.typeIds[t]!);
      }
    });
    const feeds: Record<string, Ort.Tensor> = {};
    if (inputNames.has('input_ids')) feeds.input_ids = tensor('int64', ids, [rows, length]);
    if (inputNames.has('attention_mask')) feeds.attention_mask = tensor('int64', mask, [rows, length]);
    if (inputNames.has('token_type_ids')) feeds.token_type_ids = tensor('int64', types, [rows, length]);
    const outputs = await session.run(feeds);
    members.forEach((w, r) => {
      const own: WindowOutputs = {};
      const windowLength = windows[w]!.ids.length;
      for (const name of options.tokenOutputs) {
        const output = outputs[name];
        if (!output) throw new Error(`the model has no output "${name}" (it has ${session.outputNames.join(', ')})`);
        const width = output.dims.slice(2).reduce((a, b) => a * b, 1);
        const data = output.data as Float32Array;
        own[name] = data.slice(r * length * width, (r * length + windowLength) * width);
      }
      for (const name of options.rowOutputs ?? []) {
        const output = outputs[name];
        if (!output) throw new Error(`the model has no output "${name}" (it has ${session.outputNames.join(', ')})`);
        const width = output.dims.slice(1).reduce((a, b) => a * b, 1);
        own[name] = (output.data as Float32Array).slice(r * width, (r + 1) * width);
      }
      results[w] = own;
    });
    for (const output of Object.values(outputs)) output.dispose?.();
    done += rows;
    options.onProgress?.(done, windows.length);
  }
  return results;
}
