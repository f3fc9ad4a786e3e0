import type { Value } from '../graph/graph';
import * as op from '../graph/ops/index';

/**
 * Cross-entropy as torch's CrossEntropyLoss(reduction='mean', ignore_index=...): rows are weighted by
 * `weights` [N] — 1/(number of counted rows) for counted rows, 0 for ignored ones — which the batch
 * builder computes from the labels. `targets` [N, 1] holds each row's class (any valid class for
 * ignored rows). Keeping the ignore logic in the batch keeps the graph free of data-dependent shapes.
 */
export function weightedCrossEntropy(logits: Value, targets: Value, weights: Value): Value {
  const classes = logits.shape[logits.shape.length - 1] as number;
  const rows = logits.shape.length === 2 ? logits : op.reshape(logits, [-1, classes]);
  const picked = op.reshape(op.gatherElements(op.logSoftmax(rows, -1), targets, 1), [-1]);
  return op.neg(op.reduceSum(op.mul(picked, weights), [0]));
}

/** torch MSELoss(reduction='mean') over every element. */
export function meanSquaredError(predictions: Value, targets: Value): Value {
  const diff = op.sub(predictions, targets);
  return op.reduceMean(op.mul(diff, diff), predictions.shape.map((_, i) => i));
}

/**
 * torch BCEWithLogitsLoss(reduction='mean') in its stable form:
 * max(x, 0) − x·y + log(1 + exp(−|x|)).
 */
export function binaryCrossEntropyWithLogits(logits: Value, targets: Value): Value {
  const positive = op.relu(logits);
  const softplus = op.log(op.addScalar(op.exp(op.neg(op.abs(logits))), 1));
  const perElement = op.add(op.sub(positive, op.mul(logits, targets)), softplus);
  return op.reduceMean(perElement, logits.shape.map((_, i) => i));
}
