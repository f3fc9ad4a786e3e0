import type * as Ort from 'onnxruntime-node';
import { buildReferenceGraph } from '../bert/buildGraph';
import type { BertConfig } from '../bert/config';
import { tokenLevelOutputs, type HeadKind } from '../bert/heads';
import { writeOnnx } from '../graph/onnxWriter';
import { createSession, tensor } from '../runtime/ort';
import { batchFeeds } from './batch';
import { collate } from './collate';
import type { Feature } from './features';
import type { TrainingGraph } from './trainingGraph';

/**
 * Forward passes with the weights being trained: the reference graph with the trainable parameters as
 * inputs (frozen ones baked in), no dropout, no gradients.
 */
export class EvaluationSession {
  private constructor(
    private readonly session: Ort.InferenceSession,
    private readonly parameterShapes: Map<string, number[]>,
    readonly outputNames: string[],
    /** input_ids, attention_mask and, where the architecture has them, token_type_ids. */
    private readonly encoderInputs: ReadonlyArray<'input_ids' | 'attention_mask' | 'token_type_ids'>,
  ) {}

  static async create(config: BertConfig, head: HeadKind, weights: ReadonlyMap<string, Float32Array>, trainable: ReadonlySet<string>, threads?: number): Promise<EvaluationSession> {
    const built = buildReferenceGraph(config, head, (n) => weights.get(n)!, { trainable });
    const outputNames = Object.keys(built.outputs);
    for (const [name, value] of Object.entries(built.outputs)) built.graph.output(value, name);
    const shapes = new Map([...built.parameters].map(([name, value]) => [name, value.shape as number[]]));
    const session = await createSession(writeOnnx(built.graph), { intraOpNumThreads: threads ?? 0 });
    const encoderInputs = (['input_ids', 'attention_mask', 'token_type_ids'] as const).filter((name) => built.graph.inputs.some((input) => input.name === name));
    return new EvaluationSession(session, shapes, outputNames, encoderInputs);
  }

  /** Outputs for rows of features, in order; token outputs are cut to each row's own length. */
  async predict(head: HeadKind, features: readonly Feature[], params: ReadonlyMap<string, Float32Array>, batchSize: number, padTokenId: number): Promise<Array<Record<string, Float32Array>>> {
    // Batches of similar lengths pad less; outputs go back to the features' order.
    const byLength = features.map((_, i) => i).sort((a, b) => features[a]!.inputIds.length - features[b]!.inputIds.length);
    const results: Array<Record<string, Float32Array>> = new Array(features.length);
    for (let at = 0; at < features.length; at += batchSize) {
      const indices = byLength.slice(at, at + batchSize);
      const rows = indices.map((i) => features[i]!);
      const batch = collate(head, rows, padTokenId);
      const feeds: Record<string, Ort.Tensor> = {};
      const dims = [rows.length, batch.input_ids[0]!.length];
      for (const key of this.encoderInputs) {
        feeds[key] = tensor('int64', BigInt64Array.from((batch[key] as number[][]).flat(), (v) => BigInt(v)), dims);
      }
      for (const [name, shape] of this.parameterShapes) feeds[name] = tensor('float32', params.get(name)!, shape);
      splitRows(head, await this.session.run(feeds), this.outputNames, rows).forEach((row, r) => { results[indices[r]!] = row; });
    }
    return results;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Per-row outputs of one batch run; token outputs are cut to each row's own length. */
export function splitRows(head: HeadKind, outputs: Ort.InferenceSession.ReturnType, names: readonly string[], rows: readonly Feature[]): Array<Record<string, Float32Array>> {
  const tokenOutputs = tokenLevelOutputs(head);
  return rows.map((row, r) => {
    const own: Record<string, Float32Array> = {};
    for (const name of names) {
      const output = outputs[name]!;
      const data = output.data as Float32Array;
      if (tokenOutputs.includes(name)) {
        const width = output.dims.slice(2).reduce((a, b) => a * b, 1);
        const length = output.dims[1]!;
        own[name] = data.slice(r * length * width, (r * length + row.inputIds.length) * width);
      } else {
        const width = output.dims.slice(1).reduce((a, b) => a * b, 1);
        own[name] = data.slice(r * width, (r + 1) * width);
      }
    }
    return own;
  });
}

/** Mean training-objective loss over features without updating anything (masked-LM evaluation). */
export async function meanLoss(
  run: (feeds: Record<string, Ort.Tensor>) => Promise<number>,
  graph: TrainingGraph,
  config: BertConfig,
  features: readonly Feature[],
  batchSize: number,
  padTokenId: number,
  masking: Parameters<typeof collate>[3],
): Promise<number> {
  let total = 0;
  let batches = 0;
  for (let at = 0; at < features.length; at += batchSize) {
    const batch = collate(graph.head, features.slice(at, at + batchSize), padTokenId, masking);
    total += await run(batchFeeds(graph, config, batch));
    batches++;
  }
  return batches ? total / batches : Number.NaN;
}
