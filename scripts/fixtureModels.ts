/**
 * Tiny seeded BERTs, one per head, in the HF folder layout. They are what the tests and the offline
 * demo use until trained models exist; scripts/reference/make_inference_refs.py computes their
 * PyTorch outputs. Regenerate with `npm run fixtures`.
 */
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../src/core/bert/config';
import type { HeadKind } from '../src/core/bert/heads';
import { initWeights } from '../src/core/bert/init';
import { saveModelFolder } from '../src/core/bert/saveFolder';
import { weightSpecs } from '../src/core/bert/weightNames';
import { specFromVocab } from '../src/core/runtime/tokenizer/bertTokenizer';
import { serializeTokenizer } from '../src/core/runtime/tokenizer/tokenizerWriter';
import { writeFileAtomic } from '../src/core/util/atomicWrite';
import { Random } from '../src/core/util/random';

const WORDS = `the of and to in a is was for on as with by he at from his it an were are which be this has
also or had its their first after two one new who they been her she more when other time during there
into school most years all only over city some world would where later up such used many can state
about national out known university united then made states including under american year may team
between him film part both three since well called people however war game series while being high
New York London Paris Berlin John Mary Smith Obama Google Microsoft Apple United Nations Germany France
England India China Japan Texas California river river's company president minister said born died
good bad great terrible movie film love hate best worst fun boring really very not no yes
question answer what where when who why how is are was`.split(/\s+/);

export const FIXTURE_VOCAB: string[] = (() => {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const seen = new Set(vocab);
  const push = (t: string) => {
    if (!seen.has(t)) {
      seen.add(t);
      vocab.push(t);
    }
  };
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?\'"()-&/@#$%*+=éèàüöç中文字日本語한';
  for (const c of chars) push(c);
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789éüö') push(`##${c}`);
  for (const w of WORDS) if (w) push(w);
  for (const piece of ['##s', '##ed', '##ing', '##ly', '##er', '##est', '##tion', '##al']) push(piece);
  return vocab;
})();

export const NER_LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];

export interface FixtureSpec {
  name: string;
  head: HeadKind;
  config: Record<string, unknown>;
  seed: number;
}

const BASE = {
  vocab_size: FIXTURE_VOCAB.length,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  // Deliberately not a multiple of the hidden size, so a transposed weight cannot pass a shape check.
  intermediate_size: 37,
  max_position_embeddings: 64,
  type_vocab_size: 2,
  hidden_act: 'gelu',
  layer_norm_eps: 1e-12,
  initializer_range: 0.2,
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
};

const labels = (names: string[]) => Object.fromEntries(names.map((n, i) => [String(i), n]));

export const FIXTURES: FixtureSpec[] = [
  { name: 'base', head: 'base', config: { ...BASE }, seed: 1 },
  { name: 'token-classification', head: 'token-classification', config: { ...BASE, id2label: labels(NER_LABELS) }, seed: 2 },
  { name: 'sequence-classification', head: 'sequence-classification', config: { ...BASE, id2label: labels(['NEGATIVE', 'POSITIVE']) }, seed: 3 },
  {
    name: 'sequence-classification-multilabel',
    head: 'sequence-classification',
    config: { ...BASE, problem_type: 'multi_label_classification', id2label: labels(['sports', 'politics', 'science', 'arts']) },
    seed: 4,
  },
  { name: 'sequence-classification-regression', head: 'sequence-classification', config: { ...BASE, num_labels: 1, problem_type: 'regression' }, seed: 5 },
  { name: 'question-answering', head: 'question-answering', config: { ...BASE }, seed: 6 },
  { name: 'masked-lm', head: 'masked-lm', config: { ...BASE }, seed: 7 },
  { name: 'next-sentence', head: 'next-sentence', config: { ...BASE }, seed: 8 },
  { name: 'pretraining', head: 'pretraining', config: { ...BASE }, seed: 9 },
  { name: 'multiple-choice', head: 'multiple-choice', config: { ...BASE }, seed: 10 },
  { name: 'causal-lm', head: 'causal-lm', config: { ...BASE, is_decoder: true }, seed: 11 },
  { name: 'gelu-new', head: 'token-classification', config: { ...BASE, hidden_act: 'gelu_new', layer_norm_eps: 1e-5, id2label: labels(NER_LABELS) }, seed: 12 },
];

export function fixtureConfig(spec: FixtureSpec): BertConfig {
  return parseBertConfig(spec.config, `fixture ${spec.name}`);
}

/**
 * A batch with padding and both token types: rows of different lengths exercise the attention
 * mask; multiple choice gets [batch, num_choices, seq].
 */
export function fixtureInputs(spec: FixtureSpec, random: Random): { input_ids: unknown; attention_mask: unknown; token_type_ids: unknown } {
  const seq = 9;
  const row = (length: number, split: number) => {
    const ids = [2];
    for (let i = 1; i < length - 1; i++) ids.push(i === split ? 3 : 5 + random.int(FIXTURE_VOCAB.length - 5));
    ids.push(3);
    const mask = ids.map(() => 1);
    const types = ids.map((_, i) => (split > 0 && i > split ? 1 : 0));
    while (ids.length < seq) {
      ids.push(0);
      mask.push(0);
      types.push(0);
    }
    return { ids, mask, types };
  };
  const rows = spec.head === 'multiple-choice'
    ? [[row(9, 4), row(7, 3), row(8, 4)], [row(6, 2), row(9, 5), row(5, 2)]]
    : [row(9, spec.head === 'next-sentence' || spec.head === 'pretraining' || spec.head === 'question-answering' ? 4 : 0), row(6, 0)];
  const pick = (key: 'ids' | 'mask' | 'types') =>
    rows.map((r) => (Array.isArray(r) ? (r as Array<ReturnType<typeof row>>).map((c) => c[key]) : (r as ReturnType<typeof row>)[key]));
  return { input_ids: pick('ids'), attention_mask: pick('mask'), token_type_ids: pick('types') };
}

export async function buildFixture(root: string, spec: FixtureSpec, options: { onnx?: boolean } = {}): Promise<string> {
  const config = fixtureConfig(spec);
  const weights = initWeights(weightSpecs(config, spec.head), config, spec.seed);
  // Non-zero biases and LayerNorm parameters, so a bias or LayerNorm bug cannot hide behind HF's init.
  const random = new Random(spec.seed + 1000);
  for (const [name, data] of weights) {
    if (name.endsWith('.bias') || name.includes('LayerNorm')) for (let i = 0; i < data.length; i++) data[i] = data[i]! + 0.1 * random.normal();
  }
  const vocab = new Map(FIXTURE_VOCAB.map((t, i) => [t, i]));
  const files = serializeTokenizer({ ...specFromVocab(vocab, { lowercase: false }), modelMaxLength: config.max_position_embeddings });
  const dir = path.join(root, spec.name);
  await saveModelFolder(dir, {
    config,
    head: spec.head,
    weights,
    tokenizerFiles: {
      'tokenizer.json': files.tokenizerJson,
      'vocab.txt': files.vocabTxt,
      'tokenizer_config.json': files.tokenizerConfig,
      'special_tokens_map.json': files.specialTokensMap,
    },
    onnx: options.onnx ?? true,
    quantized: spec.head === 'token-classification',
  });
  await writeFileAtomic(path.join(dir, 'inputs.json'), JSON.stringify(fixtureInputs(spec, new Random(spec.seed + 2000))) + '\n');
  return dir;
}
