/**
 * Maps the weight names found in a checkpoint to the canonical HF names of the task models
 * (`bert.encoder.layer.0.attention.self.query.weight`, `classifier.weight`, ...), the way
 * `PreTrainedModel.from_pretrained` does when it loads older or differently saved checkpoints:
 *
 * - legacy TensorFlow-ported names `*.LayerNorm.gamma` / `*.LayerNorm.beta` become
 *   `*.LayerNorm.weight` / `*.LayerNorm.bias` (HF renames and logs them);
 * - a checkpoint saved from `BertModel` has no `bert.` prefix (`embeddings.*`, `encoder.*`,
 *   `pooler.*`); HF adds the base-model prefix when a task model loads it. Here the prefix is added
 *   only to those three sub-modules, so stray head weights keep their names instead of becoming
 *   `bert.classifier.weight`, which no model would use.
 */

export type KeyRenameReason = 'legacy-layernorm-name' | 'missing-base-model-prefix';

export interface KeyRename {
  from: string;
  to: string;
  reasons: KeyRenameReason[];
}

export interface CanonicalKeys {
  /** canonical name → name in the checkpoint */
  toOriginal: Map<string, string>;
  /** Only the keys that changed, in checkpoint order. */
  renamed: KeyRename[];
}

export const BASE_MODEL_PREFIX = 'bert.';
const BASE_MODEL_MODULES = ['embeddings.', 'encoder.', 'pooler.'];

export class StateDictKeyError extends Error {
  override name = 'StateDictKeyError';
}

export function canonicalizeBertKeys(keys: Iterable<string>, source: string): CanonicalKeys {
  const all = [...keys];
  const hasPrefix = all.some((key) => key.startsWith(BASE_MODEL_PREFIX));
  const toOriginal = new Map<string, string>();
  const renamed: KeyRename[] = [];
  for (const key of all) {
    let name = key;
    const reasons: KeyRenameReason[] = [];
    if (name.endsWith('LayerNorm.gamma')) {
      name = `${name.slice(0, -'gamma'.length)}weight`;
      reasons.push('legacy-layernorm-name');
    } else if (name.endsWith('LayerNorm.beta')) {
      name = `${name.slice(0, -'beta'.length)}bias`;
      reasons.push('legacy-layernorm-name');
    }
    if (!hasPrefix && BASE_MODEL_MODULES.some((module) => name.startsWith(module))) {
      name = BASE_MODEL_PREFIX + name;
      reasons.push('missing-base-model-prefix');
    }
    const clash = toOriginal.get(name);
    if (clash !== undefined) {
      throw new StateDictKeyError(`${source}: tensors "${clash}" and "${key}" both map to "${name}"; the checkpoint is ambiguous`);
    }
    toOriginal.set(name, key);
    if (reasons.length > 0) renamed.push({ from: key, to: name, reasons });
  }
  return { toOriginal, renamed };
}
