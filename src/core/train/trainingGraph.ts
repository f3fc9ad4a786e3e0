import { buildReferenceGraph, type ReferenceGraph } from '../bert/buildGraph';
import type { BertConfig, ProblemType } from '../bert/config';
import { effectiveProblemType, numLabels } from '../bert/config';
import type { WeightLookup } from '../bert/fusedBlocks';
import type { HeadKind } from '../bert/heads';
import type { DropoutMaskInput } from '../bert/referenceBlocks';
import { gradients } from '../graph/autodiff';
import type { DType } from '../graph/dtype';
import type { Graph, Shape, Value } from '../graph/graph';
import * as op from '../graph/ops/index';
import { binaryCrossEntropyWithLogits, meanSquaredError, weightedCrossEntropy } from './losses';

/** A graph input the batch builder must provide besides input_ids/attention_mask/token_type_ids. */
export interface LossInput {
  name: string;
  dtype: DType;
  shape: Shape;
}

export interface TrainingGraphOptions {
  config: BertConfig;
  head: HeadKind;
  /** Parameters that get gradients (graph inputs); all others are frozen initializers. */
  trainable: ReadonlySet<string>;
  /** Values of every parameter (frozen ones are baked into the graph). */
  weights: WeightLookup;
  dtype?: DType;
  /** Dropout masks become inputs (training with dropout > 0). */
  dropout?: boolean;
  /**
   * Padding-free batches: several examples per row, each attending only to itself (see
   * HeadOptions.packed); token and sequence classification only. Same loss and gradients as padded rows.
   */
  packed?: boolean;
}

export interface TrainingGraph {
  graph: Graph;
  head: HeadKind;
  problemType: ProblemType | null;
  /** Trainable parameter names in graph-input order; gradient outputs are named `grad:<name>`. */
  parameterNames: string[];
  lossInputs: LossInput[];
  dropoutMasks: DropoutMaskInput[];
  /** Output names besides `loss` and the gradients (logits for metrics). */
  predictionOutputs: string[];
  maskedPositionsOnly: boolean;
  /** Batches must come from collatePacked (a position_ids input). */
  packed: boolean;
}

export const GRAD_PREFIX = 'grad:';

/**
 * The forward graph of a head, its HF loss, and reverse-mode gradients of the loss with respect to
 * the trainable parameters, in one ONNX graph: one ORT run per micro-batch gives loss, predictions and
 * every gradient. The MLM decoder runs only at masked positions (inputs `masked_positions`).
 */
export function buildTrainingGraph(options: TrainingGraphOptions): TrainingGraph {
  const { config, head } = options;
  const dtype = options.dtype ?? 'float32';
  const maskedPositionsOnly = head === 'masked-lm' || head === 'pretraining';
  const built = buildReferenceGraph(config, head, options.weights, {
    dtype,
    trainable: options.trainable,
    dropout: options.dropout ?? false,
    maskedPositionsOnly,
    freezePaddingRow: true,
    packed: options.packed ?? false,
  });
  return { ...withObjective(built, config, head, dtype, maskedPositionsOnly), packed: options.packed ?? false };
}

/**
 * Adds the head's HF loss to a forward graph, outputs the loss and the predictions, and the
 * reverse-mode gradient of the loss for every trainable parameter (`grad:<name>`).
 */
export function withObjective(forward: ReferenceGraph, config: BertConfig, head: HeadKind, dtype: DType, maskedPositionsOnly: boolean): Omit<TrainingGraph, 'packed'> {
  const { graph, outputs } = forward;
  const lossInputs: LossInput[] = [];
  const input = (name: string, inputType: DType, shape: Shape): Value => {
    lossInputs.push({ name, dtype: inputType, shape });
    return graph.input(name, inputType, shape);
  };
  const crossEntropy = (logits: Value, prefix: string): Value =>
    weightedCrossEntropy(logits, input(`${prefix}_index`, 'int64', [`${prefix}_rows`, 1]), input(`${prefix}_weight`, dtype, [`${prefix}_rows`]));

  let loss: Value;
  let problemType: ProblemType | null = null;
  switch (head) {
    case 'token-classification':
    case 'multiple-choice':
    case 'next-sentence':
    case 'causal-lm':
      loss = crossEntropy(outputs.logits!, 'labels');
      break;
    case 'sequence-classification': {
      problemType = effectiveProblemType(config);
      if (problemType === 'single_label_classification') loss = crossEntropy(outputs.logits!, 'labels');
      else {
        // One row of targets per example: per logits row ('examples' when rows are packed).
        const targets = input('labels_float', dtype, [outputs.logits!.shape[0]!, numLabels(config)]);
        loss = problemType === 'regression' ? meanSquaredError(outputs.logits!, targets) : binaryCrossEntropyWithLogits(outputs.logits!, targets);
      }
      break;
    }
    case 'question-answering': {
      const start = crossEntropy(outputs.start_logits!, 'start');
      const end = crossEntropy(outputs.end_logits!, 'end');
      loss = op.scale(op.add(start, end), 0.5);
      break;
    }
    case 'masked-lm':
      loss = crossEntropy(outputs.logits!, 'mlm');
      break;
    case 'pretraining':
      loss = op.add(crossEntropy(outputs.prediction_logits!, 'mlm'), crossEntropy(outputs.seq_relationship_logits!, 'nsp'));
      break;
    default:
      throw new Error(`the ${head} head has no training objective`);
  }
  graph.output(loss, 'loss');
  const predictionOutputs = Object.keys(outputs);
  for (const [name, value] of Object.entries(outputs)) graph.output(value, name);
  const parameterNames = [...forward.parameters.keys()];
  const grads = gradients(loss, [...forward.parameters.values()]);
  grads.forEach((grad, i) => {
    const name = parameterNames[i]!;
    // A trainable parameter the loss does not reach (e.g. the pooler of a token classifier) gets zeros.
    graph.output(grad ?? op.zerosLike(forward.parameters.get(name)!), `${GRAD_PREFIX}${name}`);
  });
  return { graph, head, problemType, parameterNames, lossInputs, dropoutMasks: forward.dropoutMasks, predictionOutputs, maskedPositionsOnly };
}
