import type { Node, Value } from './graph';
import { gradRuleFor } from './gradRegistry';
import { add } from './ops/index';
import { sumToShape } from './ops/reduce';
import { sameShape } from './shapes';

/**
 * Reverse-mode differentiation of a scalar `loss` with respect to `wrt`, emitting the backward
 * nodes into the same graph. Returns one gradient per `wrt` value (a zero-free graph: a value the
 * loss does not depend on gets null).
 */
export function gradients(loss: Value, wrt: readonly Value[], seed?: Value): Array<Value | null> {
  const graph = loss.graph;
  const targets = new Set(wrt);

  // Forward sweep: which values depend on a differentiable target.
  const dependsOnTarget = new Set<Value>(wrt);
  const relevant: Node[] = [];
  for (const node of graph.nodes) {
    if (graph.stopGradientNodes.has(node)) continue;
    if (node.inputs.some((v) => v !== null && dependsOnTarget.has(v))) {
      for (const out of node.outputs) dependsOnTarget.add(out);
      relevant.push(node);
    }
  }
  if (!dependsOnTarget.has(loss)) return wrt.map(() => null);

  // Backward sweep from the loss: only nodes that feed the loss matter.
  const feedsLoss = new Set<Value>([loss]);
  const backward: Node[] = [];
  for (let i = relevant.length - 1; i >= 0; i--) {
    const node = relevant[i]!;
    if (node.outputs.some((o) => feedsLoss.has(o))) {
      backward.push(node);
      for (const input of node.inputs) if (input) feedsLoss.add(input);
    }
  }

  const grads = new Map<Value, Value>();
  grads.set(loss, seed ?? graph.scalar(1, loss.dtype));
  const accumulate = (value: Value, grad: Value): void => {
    const fitted = sameShape(grad.shape, value.shape) ? grad : sumToShape(grad, value);
    const previous = grads.get(value);
    grads.set(value, previous ? add(previous, fitted) : fitted);
  };

  for (const node of backward) {
    const gradOutputs = node.outputs.map((o) => grads.get(o) ?? null);
    if (gradOutputs.every((g) => g === null)) continue;
    const rule = gradRuleFor(node);
    if (!rule) throw new Error(`no gradient rule for ${node.domain ? node.domain + '.' : ''}${node.opType} (node ${node.name})`);
    const needed = node.inputs.map((v) => v !== null && dependsOnTarget.has(v) && feedsLoss.has(v));
    const inputGrads = rule(node, gradOutputs, needed);
    node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (input && needed[i] && g) accumulate(input, g);
    });
    // Free nothing explicitly: ORT plans buffer reuse itself.
  }
  return wrt.map((v) => (targets.has(v) ? grads.get(v) ?? null : null));
}
