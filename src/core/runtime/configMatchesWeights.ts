import type { BertConfig } from '../bert/config';
import { WORD_EMBEDDINGS } from '../bert/weightNames';
import { canonicalizeBertKeys } from './stateDictKeys';

/**
 * Compares the sizes a config declares with the tensors a safetensors header holds, before anything
 * is built from the config: a hostile or mistaken config (a layer count of 10⁹, a hidden size that
 * is not the weights') is refused in the time it takes to read the header, instead of surfacing as
 * minutes of graph building and an out-of-memory crash.
 *
 * Only what the file has is compared: a checkpoint without some tensor (a bare encoder has no
 * classifier) is judged later, when a task needs that tensor.
 *
 * Returns the first mismatch as a sentence, or undefined.
 */
export function configWeightsMismatch(config: BertConfig, shapes: ReadonlyMap<string, readonly number[]>, weightsName: string): string | undefined {
  const canonical = new Map<string, readonly number[]>();
  for (const [name, key] of canonicalizeBertKeys(shapes.keys(), weightsName).toOriginal) canonical.set(name, shapes.get(key)!);

  const layers = new Set<number>();
  for (const name of canonical.keys()) {
    const match = /^bert\.encoder\.layer\.(\d+)\./.exec(name);
    if (match) layers.add(Number(match[1]));
  }
  if (layers.size > 0) {
    const declared = config.num_hidden_layers;
    const highest = Math.max(...layers);
    if (layers.size !== declared || highest !== declared - 1) {
      return `num_hidden_layers is ${declared}, but ${weightsName} holds ${layers.size} encoder layer${layers.size === 1 ? '' : 's'} (numbered up to ${highest})`;
    }
  }

  const h = config.hidden_size;
  const expected: Array<[string, number[], string]> = [
    [WORD_EMBEDDINGS, [config.vocab_size, h], 'vocab_size × hidden_size'],
    ['bert.embeddings.position_embeddings.weight', [config.max_position_embeddings, h], 'max_position_embeddings × hidden_size'],
    ['bert.embeddings.token_type_embeddings.weight', [config.type_vocab_size, h], 'type_vocab_size × hidden_size'],
    ['bert.embeddings.LayerNorm.weight', [h], 'hidden_size'],
  ];
  for (const layer of layers) {
    const p = `bert.encoder.layer.${layer}.`;
    expected.push(
      [`${p}attention.self.query.weight`, [h, h], 'hidden_size × hidden_size'],
      [`${p}intermediate.dense.weight`, [config.intermediate_size, h], 'intermediate_size × hidden_size'],
      [`${p}output.dense.weight`, [h, config.intermediate_size], 'hidden_size × intermediate_size'],
    );
  }
  for (const [name, shape, meaning] of expected) {
    const actual = canonical.get(name);
    if (actual && (actual.length !== shape.length || actual.some((d, i) => d !== shape[i]))) {
      return `${name} in ${weightsName} has shape [${actual.join(', ')}], but the config's ${meaning} is [${shape.join(', ')}]`;
    }
  }
  return undefined;
}
