import { architectureOf, classInfo, embeddingProjection, embeddingSize, positionEmbeddings, tokenTypeEmbeddings } from '../bert/architecture';
import { type BertConfig, numLabels } from '../bert/config';
import { canonicalizeKeys, foreignArchitecture } from './stateDictKeys';

/**
 * Compares the sizes a config declares with the tensors a checkpoint holds, before anything is built
 * from the config: a hostile or mistaken config (a layer count of 10⁹, a hidden size that is not the
 * weights') is refused in the time it takes to read the header, instead of surfacing as minutes of
 * graph building and an out-of-memory crash. The names compared are those of the config's
 * architecture (architecture.ts); a checkpoint of another architecture (`bert.*` weights under
 * model_type "roberta") and a classifier with another number of rows than the config's labels are
 * named as such.
 *
 * Only what the file has is compared: a checkpoint without some tensor (a bare encoder has no
 * classifier) is judged later, when a task needs that tensor.
 *
 * Returns the first mismatch as a sentence, or undefined.
 */
export function configWeightsMismatch(config: BertConfig, shapes: ReadonlyMap<string, readonly number[]>, weightsName: string): string | undefined {
  const foreign = foreignArchitecture([...shapes.keys()], config.model_type, weightsName);
  if (foreign) {
    const types = foreign.modelTypes.map((t) => `"${t}"`).join(' / ');
    return `model_type is "${config.model_type}", but ${weightsName} holds the weights of another architecture (model_type ${types}: "${foreign.tensor}"); ` +
      `use the config.json that came with these weights`;
  }
  const architecture = architectureOf(config);
  const canonical = new Map<string, readonly number[]>();
  for (const [name, key] of canonicalizeKeys(shapes.keys(), weightsName, config.model_type).toOriginal) canonical.set(name, shapes.get(key)!);

  const layerPrefix = architecture.layer(0).module.slice(0, -'0.'.length);
  const layers = new Set<number>();
  for (const name of canonical.keys()) {
    if (!name.startsWith(layerPrefix)) continue;
    const match = /^(\d+)\./.exec(name.slice(layerPrefix.length));
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
  const names = architecture.embeddings;
  // ELECTRA's tables are embedding_size wide (embeddings_project maps them to hidden_size when they differ).
  const e = embeddingSize(config);
  const width = names.projection ? 'embedding_size' : 'hidden_size';
  const projection = embeddingProjection(config);
  const positionTable = positionEmbeddings(config);
  const typeTable = tokenTypeEmbeddings(config);
  const expected: Array<[string, number[], string]> = [
    [`${names.words}.weight`, [config.vocab_size, e], `vocab_size × ${width}`],
    ...(positionTable ? [[`${positionTable}.weight`, [config.max_position_embeddings, e], `max_position_embeddings × ${width}`] as [string, number[], string]] : []),
    ...(typeTable ? [[`${typeTable}.weight`, [config.type_vocab_size, e], `type_vocab_size × ${width}`] as [string, number[], string]] : []),
    [`${names.norm}.weight`, [e], width],
    ...(projection ? [[`${projection}.weight`, [h, e], 'hidden_size × embedding_size'] as [string, number[], string]] : []),
  ];
  for (const index of layers) {
    const layer = architecture.layer(index);
    // ModernBERT: the fused Wqkv is 3 · hidden_size rows, the GeGLU Wi 2 · intermediate_size.
    const fused = architecture.rotary ? 3 : 1;
    const gated = architecture.rotary ? 2 : 1;
    expected.push(
      [`${layer.query}.weight`, [fused * h, h], fused === 1 ? 'hidden_size × hidden_size' : '3·hidden_size × hidden_size'],
      [`${layer.intermediate}.weight`, [gated * config.intermediate_size, h], gated === 1 ? 'intermediate_size × hidden_size' : '2·intermediate_size × hidden_size'],
      [`${layer.output}.weight`, [h, config.intermediate_size], 'hidden_size × intermediate_size'],
    );
  }
  for (const [name, shape, meaning] of expected) {
    const actual = canonical.get(name);
    if (actual && (actual.length !== shape.length || actual.some((d, i) => d !== shape[i]))) {
      return `${name} in ${weightsName} has shape [${actual.join(', ')}], but the config's ${meaning} is [${shape.join(', ')}]`;
    }
  }
  return labelsMismatch(config, canonical, weightsName);
}

/** The classifier of a token- or sequence-classification checkpoint has one row per label of id2label / num_labels. */
function labelsMismatch(config: BertConfig, canonical: ReadonlyMap<string, readonly number[]>, weightsName: string): string | undefined {
  const declared = config.architectures?.[0];
  const head = declared === undefined ? undefined : classInfo(declared)?.head;
  if (head !== 'token-classification' && head !== 'sequence-classification') return undefined;
  const name = head === 'sequence-classification' && architectureOf(config).sequenceClassifier.kind === 'classification-head'
    ? 'classifier.out_proj.weight'
    : 'classifier.weight';
  const rows = canonical.get(name)?.[0];
  const labels = numLabels(config);
  if (rows === undefined || rows === labels) return undefined;
  return `the config has ${labels} label${labels === 1 ? '' : 's'} (id2label, or num_labels without it), but ${name} in ${weightsName} has ${rows} rows (one per label): ` +
    `id2label must list the labels the ${declared} was trained with`;
}
