import type * as Ort from 'onnxruntime-node';
import { writeOnnx } from '../graph/onnxWriter';
import { createSession, tensor } from '../runtime/ort';
import { GRAD_PREFIX, type TrainingGraph } from './trainingGraph';

export interface StepResult {
  loss: number;
  grads: Map<string, Float32Array>;
  /** Head outputs (logits, start_logits, ...) for metrics. */
  predictions: Record<string, Ort.Tensor>;
}

/**
 * An ORT session over a training graph: one run per micro-batch returns the loss, the predictions
 * and the gradient of every trainable parameter.
 */
export class TrainingSession {
  private constructor(
    readonly graph: TrainingGraph,
    private readonly session: Ort.InferenceSession,
    private readonly parameterShapes: Map<string, number[]>,
  ) {}

  static async create(graph: TrainingGraph, options: { threads?: number } = {}): Promise<TrainingSession> {
    const shapes = new Map<string, number[]>();
    for (const input of graph.graph.inputs) {
      if (graph.parameterNames.includes(input.name)) shapes.set(input.name, input.shape as number[]);
    }
    const session = await createSession(writeOnnx(graph.graph), { intraOpNumThreads: options.threads ?? 0 });
    return new TrainingSession(graph, session, shapes);
  }

  async run(feeds: Record<string, Ort.Tensor>, params: ReadonlyMap<string, Float32Array>): Promise<StepResult> {
    const all: Record<string, Ort.Tensor> = { ...feeds };
    for (const name of this.graph.parameterNames) {
      const value = params.get(name);
      if (!value) throw new Error(`parameter ${name} is missing`);
      all[name] = tensor('float32', value, this.parameterShapes.get(name)!);
    }
    const outputs = await this.session.run(all);
    const grads = new Map<string, Float32Array>();
    for (const name of this.graph.parameterNames) grads.set(name, outputs[`${GRAD_PREFIX}${name}`]!.data as Float32Array);
    const predictions: Record<string, Ort.Tensor> = {};
    for (const name of this.graph.predictionOutputs) predictions[name] = outputs[name]!;
    return { loss: Number((outputs.loss!.data as Float32Array)[0]), grads, predictions };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
