import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReferenceGraph, checkWeights, exportInferenceOnnx } from '../../../src/core/bert/buildGraph';
import { architectureOf, classifierDropout, usesSummary } from '../../../src/core/bert/architecture';
import { parseBertConfig } from '../../../src/core/bert/config';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { headFromArchitecture } from '../../../src/core/bert/heads';
import { writeOnnx } from '../../../src/core/graph/onnxWriter';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { createSession, tensor } from '../../../src/core/runtime/ort';

// DistilBERT, RoBERTa / XLM-RoBERTa and ELECTRA heads against independent PyTorch ports of HF transformers 4.x
// modeling_distilbert.py, modeling_roberta.py and modeling_electra.py (scripts/reference/distilbert_torch.py,
// roberta_torch.py and electra_torch.py, which also wrote these seeded fixtures and their float64 outputs). Tolerance 1e-4 absolute for float32 graphs; float64 reference graphs agree to 1e-6
// (reference values carry 8 significant digits).
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'family');
const NAMES = [
  'distilbert-base', 'distilbert-token-classification', 'distilbert-sequence-classification',
  'distilbert-sequence-classification-sinusoidal', 'distilbert-question-answering', 'distilbert-masked-lm',
  // Multiple choice: [2 questions, 2 choices, 9 tokens] flattened to rows for the encoder.
  'distilbert-multiple-choice', 'roberta-multiple-choice', 'xlm-roberta-multiple-choice', 'electra-multiple-choice',
  'roberta-base', 'roberta-token-classification', 'roberta-sequence-classification', 'roberta-question-answering',
  'roberta-masked-lm', 'xlm-roberta-token-classification',
  // embedding_size 24 → hidden_size 32 through embeddings_project, except the *-same-size folders (no projection).
  'electra-base', 'electra-token-classification', 'electra-sequence-classification', 'electra-sequence-classification-same-size',
  'electra-token-classification-same-size', 'electra-question-answering', 'electra-masked-lm',
  // DeBERTa-v2 (deberta_v2_torch.py): the v3 shape (log buckets, share_att_key, no absolute positions or token types),
  // the v2 shape (no buckets, pos_key_proj / pos_query_proj, positions and token types), and no relative attention.
  'deberta-v3-base', 'deberta-v3-token-classification', 'deberta-v3-sequence-classification', 'deberta-v3-question-answering',
  'deberta-v2-token-classification', 'deberta-v2-sequence-classification', 'deberta-v2-plain-token-classification',
  'deberta-v3-masked-lm', 'deberta-v3-multiple-choice',
  // ModernBERT (modernbert_torch.py, HF modeling_modernbert.py): 3 layers with a global layer every 2 (layer 1
  // local), a window of ±2 inside rows of 9, the second row padded; QA is ModernBertForQuestionAnswering (later than 4.48.0).
  'modernbert-base', 'modernbert-token-classification', 'modernbert-sequence-classification',
  'modernbert-sequence-classification-mean', 'modernbert-biased-token-classification', 'modernbert-masked-lm',
  'modernbert-question-answering',
];

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

function dims(value: unknown): number[] {
  return Array.isArray(value) ? [value.length, ...dims(value[0])] : [];
}

async function load(name: string) {
  const dir = path.join(FIXTURES, name);
  const config = parseBertConfig(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const head = headFromArchitecture(config.architectures![0]!)!;
  const weights = await readSafetensors(path.join(dir, 'model.safetensors'));
  // A base model's save_pretrained stores its names without the `distilbert.` / `roberta.` prefix.
  const prefix = architectureOf(config).basePrefix;
  const stored = (n: string) => (weights.has(n) || !n.startsWith(prefix) ? n : n.slice(prefix.length));
  const inputs = JSON.parse(readFileSync(path.join(dir, 'inputs.json'), 'utf8')) as Record<string, unknown>;
  const reference = JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8')) as { outputs: Record<string, unknown> };
  const feeds = Object.fromEntries(
    ['input_ids', 'attention_mask', 'token_type_ids'].filter((k) => k in inputs).map((k) => [k, tensor('int64', BigInt64Array.from(flat(inputs[k]).map(BigInt)), dims(inputs[k]))]),
  );
  return {
    config, head, feeds, reference,
    lookup: (n: string) => weights.float32(stored(n)),
    has: (n: string) => weights.has(stored(n)),
    shapeOf: (n: string) => weights.info(stored(n)).shape,
  };
}

function maxAbsDiff(actual: ArrayLike<number>, expected: number[]): number {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(Number(actual[i]) - expected[i]!));
  return max;
}

describe('DistilBERT config', () => {
  it('reads DistilBertConfig names into the encoder sizes, with no token types', () => {
    const config = parseBertConfig({ model_type: 'distilbert', dim: 64, n_layers: 3, n_heads: 8, hidden_dim: 100, activation: 'relu' });
    expect([config.hidden_size, config.num_hidden_layers, config.num_attention_heads, config.intermediate_size, config.hidden_act]).toEqual([64, 3, 8, 100, 'relu']);
    expect(config.layer_norm_eps).toBe(1e-12);
    expect(config.dim).toBe(64);
  });

  it('names the supported model types when refusing one', () => {
    expect(() => parseBertConfig({ model_type: 'gpt2' }, 'x/config.json')).toThrow(/x\/config\.json: model_type is "gpt2"; supported: "bert", "distilbert", "roberta", "xlm-roberta", "camembert"/);
  });

  it('gives RoBERTa configs RobertaConfig\'s pad_token_id 1 when absent', () => {
    expect(parseBertConfig({ model_type: 'roberta' }).pad_token_id).toBe(1);
    expect(parseBertConfig({ model_type: 'xlm-roberta', pad_token_id: 7 }).pad_token_id).toBe(7);
    expect(parseBertConfig({}).pad_token_id).toBe(0);
  });
});

describe('ELECTRA config', () => {
  it('has ElectraConfig\'s defaults (embedding_size 128, the electra-small shape) and keeps a given embedding_size', () => {
    const config = parseBertConfig({ model_type: 'electra' });
    expect([config.embedding_size, config.hidden_size, config.num_attention_heads, config.intermediate_size, config.pad_token_id]).toEqual([128, 256, 4, 1024, 0]);
    expect(parseBertConfig({ model_type: 'electra', embedding_size: 64, hidden_size: 64 }).embedding_size).toBe(64);
  });

  it('refuses an embedding_size that is not a positive integer, naming the file', () => {
    expect(() => parseBertConfig({ model_type: 'electra', embedding_size: 0 }, 'e/config.json')).toThrow(/e\/config\.json: embedding_size must be a positive integer, got 0/);
    expect(() => parseBertConfig({ model_type: 'electra', embedding_size: 'wide' }, 'e/config.json')).toThrow(/embedding_size must be a positive integer/);
    expect(() => parseBertConfig({ model_type: 'electra', embedding_size: 2 ** 20 }, 'e/config.json')).toThrow(/e\/config\.json: embedding_size 1048576 is beyond the supported maximum 32768/);
    // The embedding tables are embedding_size wide: a huge vocabulary with them counts toward the parameter limit.
    expect(() => parseBertConfig({ model_type: 'electra', vocab_size: 2 ** 21, embedding_size: 2 ** 14, hidden_size: 256 }, 'e/config.json')).toThrow(/e\/config\.json: the sizes imply 3\.4\de\+10 parameters/);
  });

  it('names the projection only when embedding_size differs from hidden_size', async () => {
    const projected = (await load('electra-token-classification')).has('electra.embeddings_project.weight');
    const same = (await load('electra-token-classification-same-size')).has('electra.embeddings_project.weight');
    expect([projected, same]).toEqual([true, false]);
  });
});

describe('DeBERTa-v2 config', () => {
  it('has DebertaV2Config\'s defaults, and no token-type or absolute-position table where v3 has none', () => {
    const config = parseBertConfig({ model_type: 'deberta-v2' });
    expect([config.hidden_size, config.type_vocab_size, config.layer_norm_eps, config.relative_attention, config.position_buckets, config.pooler_hidden_act]).toEqual([1536, 0, 1e-7, false, -1, 'gelu']);
    const v3 = parseBertConfig({ model_type: 'deberta-v2', hidden_size: 32, num_attention_heads: 4, num_hidden_layers: 2, relative_attention: true, position_buckets: 8, pos_att_type: 'p2c|c2p', position_biased_input: false });
    const names = weightSpecs(v3, 'token-classification').map((s) => s.name);
    expect(names.filter((n) => n.startsWith('deberta.embeddings.'))).toEqual(['deberta.embeddings.word_embeddings.weight', 'deberta.embeddings.LayerNorm.weight', 'deberta.embeddings.LayerNorm.bias']);
    // Without share_att_key each layer has pos_key_proj (c2p) and pos_query_proj (p2c); the table has 2 · position_buckets rows.
    expect(names.filter((n) => n.includes('.pos_'))).toHaveLength(2 * 2 * 2);
    expect(weightSpecs(v3, 'token-classification').find((s) => s.name === 'deberta.encoder.rel_embeddings.weight')!.shape).toEqual([16, 32]);
  });

  it('refuses what BERT Lens does not build, naming the file and the field', () => {
    const refuse = (extra: Record<string, unknown>) => () => parseBertConfig({ model_type: 'deberta-v2', hidden_size: 32, num_attention_heads: 4, ...extra }, 'd/config.json');
    expect(refuse({ conv_kernel_size: 3 })).toThrow(/d\/config\.json: conv_kernel_size 3 asks for DeBERTa-v2's ConvLayer/);
    expect(refuse({ embedding_size: 16 })).toThrow(/d\/config\.json: embedding_size 16 differs from hidden_size 32; DeBERTa's embed_proj is not supported/);
    expect(refuse({ pos_att_type: 'p2c|p2p' })).toThrow(/pos_att_type "p2p" is not supported/);
    expect(refuse({ pooler_hidden_act: 'mish' })).toThrow(/pooler_hidden_act "mish" is not supported/);
    expect(refuse({ position_buckets: 'many' })).toThrow(/position_buckets must be an integer/);
    expect(refuse({ type_vocab_size: -1 })).toThrow(/type_vocab_size must be a positive integer/);
    expect(refuse({ pos_att_type: ['c2p', 'p2c'] })).not.toThrow();
  });
});

describe.each(NAMES)('%s matches the PyTorch port', (name) => {
  it('has every weight the architecture names, with the shapes the config implies', async () => {
    const { config, head, has, shapeOf } = await load(name);
    expect(() => checkWeights(config, head, has, shapeOf)).not.toThrow();
  });

  it('fused fp32 inference graph (ORT contrib ops) within 1e-4', async () => {
    const { config, head, lookup, feeds, reference } = await load(name);
    const session = await createSession(exportInferenceOnnx(config, head, lookup));
    expect([...session.inputNames].sort()).toEqual(Object.keys(feeds).sort());
    const outputs = await session.run(feeds);
    for (const output of session.outputNames) {
      const expected = reference.outputs[output];
      expect(expected, `reference has ${output}`).toBeDefined();
      expect(outputs[output]!.dims).toEqual(dims(expected));
      expect(maxAbsDiff(outputs[output]!.data as Float32Array, flat(expected))).toBeLessThan(1e-4);
    }
  });

  it('reference graph in float32 within 1e-4 and in float64 within 1e-6', async () => {
    const { config, head, lookup, feeds, reference } = await load(name);
    for (const dtype of ['float32', 'float64'] as const) {
      // Erf has no float64 kernel in ORT CPU: graphs with an erf GELU (hidden_act, or RobertaLMHead's) are compared in float32 only.
      const architecture = architectureOf(config);
      const classifier = architecture.sequenceClassifier;
      const erf = config.hidden_act === 'gelu' || (usesSummary(config, head) && architecture.summary.activation === 'config' && (config.pooler_hidden_act ?? 'gelu') === 'gelu') || (head === 'masked-lm' && architecture.lmHead?.activation === 'gelu') ||
        (head === 'sequence-classification' && classifier.kind === 'classification-head' && classifier.activation === 'gelu') ||
        (head === 'multiple-choice' && architecture.summary.activation === 'gelu') ||
        // ModernBertPredictionHead applies classifier_activation.
        (architecture.rotary !== undefined && config.classifier_activation === 'gelu');
      if (dtype === 'float64' && erf) continue;
      const built = buildReferenceGraph(config, head, lookup, { dtype });
      for (const [outputName, value] of Object.entries(built.outputs)) built.graph.output(value, outputName);
      const session = await createSession(writeOnnx(built.graph));
      const outputs = await session.run(feeds);
      for (const output of session.outputNames) {
        expect(maxAbsDiff(outputs[output]!.data as Float32Array, flat(reference.outputs[output]))).toBeLessThan(dtype === 'float64' ? 1e-6 : 1e-4);
      }
    }
  });
});

describe('int8 inference graph', () => {
  it.each(['distilbert-token-classification', 'distilbert-sequence-classification', 'distilbert-question-answering',
    'roberta-token-classification', 'roberta-sequence-classification', 'roberta-question-answering', 'roberta-masked-lm',
    'electra-token-classification', 'electra-sequence-classification', 'electra-question-answering', 'electra-masked-lm',
    'deberta-v3-token-classification', 'deberta-v3-sequence-classification', 'deberta-v3-question-answering', 'deberta-v2-token-classification', 'deberta-v3-masked-lm',
    'distilbert-multiple-choice', 'roberta-multiple-choice', 'electra-multiple-choice',
    'modernbert-token-classification', 'modernbert-sequence-classification-mean', 'modernbert-masked-lm', 'modernbert-question-answering'])('%s stays within 8% of the output range of PyTorch', async (name) => {
    const { config, head, lookup, feeds, reference } = await load(name);
    const session = await createSession(exportInferenceOnnx(config, head, lookup, { quantize: 'int8' }));
    const outputs = await session.run(feeds);
    for (const output of session.outputNames) {
      const expected = flat(reference.outputs[output]);
      const range = Math.max(...expected) - Math.min(...expected);
      expect(maxAbsDiff(outputs[output]!.data as Float32Array, expected)).toBeLessThan(0.08 * range);
    }
  });
});

describe('multiple-choice heads of the family', () => {
  it('take each architecture\'s own dropout field for the dropout before the classifier', () => {
    const roberta = parseBertConfig({ model_type: 'roberta', hidden_dropout_prob: 0.2, classifier_dropout: 0.4 });
    const electra = parseBertConfig({ model_type: 'electra', hidden_dropout_prob: 0.2, classifier_dropout: 0.4, summary_last_dropout: 0.3 });
    const distilbert = parseBertConfig({ model_type: 'distilbert', dropout: 0.2, seq_classif_dropout: 0.25 });
    // RobertaForMultipleChoice: hidden_dropout_prob; ElectraForMultipleChoice: SequenceSummary's summary_last_dropout (ElectraConfig default 0.1).
    expect(classifierDropout(roberta, 'multiple-choice')).toBe(0.2);
    expect(classifierDropout(roberta, 'sequence-classification')).toBe(0.4);
    expect(classifierDropout(electra, 'multiple-choice')).toBe(0.3);
    expect(classifierDropout(parseBertConfig({ model_type: 'electra', classifier_dropout: 0.4 }), 'multiple-choice')).toBe(0.1);
    expect(classifierDropout(distilbert, 'multiple-choice')).toBe(0.25);
  });

  it('refuses ELECTRA SequenceSummary settings other than the ones built, naming the file and field', () => {
    expect(() => parseBertConfig({ model_type: 'electra', summary_type: 'mean' }, 'e/config.json')).toThrow(/e\/config\.json: summary_type "mean" is not supported/);
    expect(() => parseBertConfig({ model_type: 'electra', summary_use_proj: false }, 'e/config.json')).toThrow(/summary_use_proj false is not supported/);
    expect(() => parseBertConfig({ model_type: 'electra', summary_activation: 'tanh' }, 'e/config.json')).toThrow(/summary_activation "tanh"/);
    expect(() => parseBertConfig({ model_type: 'electra', summary_type: 'first', summary_activation: 'gelu', summary_last_dropout: 0.1 })).not.toThrow();
  });

  it('names the class of each architecture', () => {
    for (const [className, modelType] of [['DistilBertForMultipleChoice', 'distilbert'], ['RobertaForMultipleChoice', 'roberta'],
      ['XLMRobertaForMultipleChoice', 'xlm-roberta'], ['CamembertForMultipleChoice', 'camembert'], ['ElectraForMultipleChoice', 'electra']] as const) {
      expect(headFromArchitecture(className)).toBe('multiple-choice');
      expect(architectureOf({ model_type: modelType }).classes['multiple-choice']).toBe(className);
    }
  });
});
