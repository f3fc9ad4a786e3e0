import { architectureOf, type Architecture, SUPPORTED_MODEL_TYPES, type ModelType } from '../bert/architecture';

/**
 * Maps the weight names found in a checkpoint to the canonical HF names of the task models of its
 * architecture (`bert.encoder.layer.0.attention.self.query.weight`, `roberta.embeddings.*`,
 * `distilbert.transformer.layer.0.attention.q_lin.weight`, `classifier.weight`, ...), the way
 * `PreTrainedModel.from_pretrained` does when it loads older or differently saved checkpoints:
 *
 * - legacy TensorFlow-ported names `*.LayerNorm.gamma` / `*.LayerNorm.beta` become
 *   `*.LayerNorm.weight` / `*.LayerNorm.bias` (HF renames and logs them);
 * - a checkpoint saved from the bare model (`BertModel`, `RobertaModel`, `DistilBertModel`) has no
 *   base-model prefix (`embeddings.*`, `encoder.*` / `transformer.*`, `pooler.*`); HF adds it when a
 *   task model loads it. Here the prefix is added only to the base model's own sub-modules, so stray
 *   head weights keep their names instead of becoming `bert.classifier.weight`, which no model would use;
 * - an architecture's older module names (architecture.ts `keyAliases`: DeBERTa-v2's MLM head saved as
 *   `cls.predictions.*` by transformers 4.2x–4.46) become the names this architecture builds.
 */

export type KeyRenameReason = 'legacy-layernorm-name' | 'missing-base-model-prefix' | 'legacy-module-name';

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

/** BERT's base-model prefix; `architectureOf(config).basePrefix` for any family member. */
export const BASE_MODEL_PREFIX = 'bert.';

export class StateDictKeyError extends Error {
  override name = 'StateDictKeyError';
}

/** The base model's top-level sub-modules, read from the architecture's names: `embeddings.`, `encoder.`, `pooler.` (ELECTRA's `embeddings_project.`, ModernBERT's `layers.`, `final_norm.`). */
function baseModules(architecture: Architecture): string[] {
  const names = [architecture.embeddings.words, architecture.embeddings.projection ?? '', architecture.layer(0).module, architecture.summary.module,
    architecture.rotary?.finalNorm ?? ''];
  const modules = names.filter((n) => n.startsWith(architecture.basePrefix)).map((n) => `${n.slice(architecture.basePrefix.length).split('.')[0]!}.`);
  return [...new Set(modules)];
}

export function canonicalizeKeys(keys: Iterable<string>, source: string, modelType: ModelType): CanonicalKeys {
  const architecture = architectureOf({ model_type: modelType });
  const prefix = architecture.basePrefix;
  const modules = baseModules(architecture);
  const all = [...keys];
  const hasPrefix = all.some((key) => key.startsWith(prefix));
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
    // Another transformers version's module names for the same tensor (architecture.ts keyAliases).
    const alias = architecture.keyAliases?.find(([from]) => name.startsWith(from));
    if (alias) {
      name = alias[1] + name.slice(alias[0].length);
      reasons.push('legacy-module-name');
    }
    if (!hasPrefix && modules.some((module) => name.startsWith(module))) {
      name = prefix + name;
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

/** BERT's canonical names (canonicalizeKeys for model_type "bert"). */
export function canonicalizeBertKeys(keys: Iterable<string>, source: string): CanonicalKeys {
  return canonicalizeKeys(keys, source, 'bert');
}

/** Names only an encoder of that architecture has: its word embeddings and first query projection. */
function signature(modelType: ModelType): string[] {
  const architecture = architectureOf({ model_type: modelType });
  return [`${architecture.embeddings.words}.weight`, `${architecture.layer(0).query}.weight`];
}

/**
 * The architecture whose names a checkpoint uses, when it is not the config's: none of the config's
 * encoder names are there and another member's are (a BERT's `bert.*`, a DistilBERT's
 * `transformer.layer.*`). RoBERTa, XLM-RoBERTa and CamemBERT share their names and count as one.
 * Returns the other model types with those names and the tensor that shows it, or undefined.
 */
export function foreignArchitecture(keys: readonly string[], modelType: ModelType, source: string): { modelTypes: ModelType[]; tensor: string } | undefined {
  const has = (type: ModelType): string | undefined => {
    const canonical = canonicalizeKeys(keys, source, type).toOriginal;
    const name = signature(type).find((n) => canonical.has(n));
    return name === undefined ? undefined : canonical.get(name);
  };
  if (has(modelType) !== undefined) return undefined;
  const own = signature(modelType).join('\n');
  const others = SUPPORTED_MODEL_TYPES.filter((type) => type !== modelType && signature(type).join('\n') !== own);
  for (const type of others) {
    const tensor = has(type);
    if (tensor === undefined) continue;
    const same = others.filter((t) => signature(t).join('\n') === signature(type).join('\n'));
    return { modelTypes: same, tensor };
  }
  return undefined;
}
