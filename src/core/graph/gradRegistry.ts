import type { Node, Value } from './graph';

/**
 * A gradient rule receives the forward node and the gradients of its outputs (null where nothing
 * flows back) and emits nodes for the gradients of the inputs listed in `needed`.
 */
export type GradRule = (node: Node, gradOutputs: ReadonlyArray<Value | null>, needed: readonly boolean[]) => Array<Value | null>;

const rules = new Map<string, GradRule>();

function key(domain: string, opType: string): string {
  return `${domain}::${opType}`;
}

export function defineGrad(opType: string, rule: GradRule, domain = ''): void {
  rules.set(key(domain, opType), rule);
}

export function gradRuleFor(node: Node): GradRule | undefined {
  return rules.get(key(node.domain, node.opType));
}
