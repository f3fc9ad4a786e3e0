import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { architectureOf, canPack } from '../../../src/core/bert/architecture';
import { parseBertConfig } from '../../../src/core/bert/config';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { initWeights } from '../../../src/core/bert/init';
import { headClassName, headFromArchitecture } from '../../../src/core/bert/heads';
import { tensor } from '../../../src/core/runtime/ort';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { train } from '../../../src/core/train/trainer';
import type { TaskData } from '../../../src/core/train/trainingData';

// ModernBERT's config, weight names, initialization and fine-tuning from a hub folder. Its fixtures are compared
// with the PyTorch port (scripts/reference/modernbert_torch.py) in familyReference.test.ts, with the family's others.
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'family');
describe('ModernBERT config', () => {
  it('has ModernBertConfig\'s defaults (the ModernBERT-base shape) under BERT\'s names, and keeps its own fields', () => {
    const config = parseBertConfig({ model_type: 'modernbert' });
    expect([config.vocab_size, config.hidden_size, config.num_hidden_layers, config.num_attention_heads, config.intermediate_size])
      .toEqual([50368, 768, 22, 12, 1152]);
    expect([config.hidden_act, config.layer_norm_eps, config.pad_token_id, config.global_attn_every_n_layers, config.local_attention])
      .toEqual(['gelu', 1e-5, 50283, 3, 128]);
    expect([config.global_rope_theta, config.local_rope_theta, config.norm_bias, config.classifier_pooling]).toEqual([160000, 10000, false, 'cls']);
    expect(parseBertConfig({ model_type: 'modernbert', hidden_activation: 'gelu_new', norm_eps: 1e-6 }).hidden_act).toBe('gelu_new');
  });

  it('reads transformers 5\'s rope_parameters for the two thetas', () => {
    const config = parseBertConfig({ model_type: 'modernbert', rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 80000 }, sliding_attention: { rope_type: 'default', rope_theta: 5000 } } });
    expect([config.global_rope_theta, config.local_rope_theta]).toEqual([80000, 5000]);
    expect(() => parseBertConfig({ model_type: 'modernbert', rope_parameters: { full_attention: { rope_type: 'yarn', rope_theta: 1 } } }, 'm/config.json'))
      .toThrow(/m\/config\.json: rope_parameters\.full_attention\.rope_type "yarn" is not supported/);
  });

  it('refuses what BERT Lens does not build, naming the file and the field', () => {
    const refuse = (extra: Record<string, unknown>) => () => parseBertConfig({ model_type: 'modernbert', hidden_size: 32, num_attention_heads: 4, ...extra }, 'm/config.json');
    expect(refuse({ classifier_pooling: 'max' })).toThrow(/m\/config\.json: classifier_pooling "max" is not supported/);
    expect(refuse({ local_attention: 0 })).toThrow(/m\/config\.json: local_attention must be a positive integer, got 0/);
    expect(refuse({ global_attn_every_n_layers: 'often' })).toThrow(/global_attn_every_n_layers must be a positive integer/);
    expect(refuse({ global_rope_theta: -1 })).toThrow(/global_rope_theta must be a positive number/);
    expect(refuse({ norm_eps: null })).toThrow(/norm_eps must be a positive number, got null/);
    expect(refuse({ decoder_bias: false })).toThrow(/decoder_bias false .* is not supported/);
    expect(refuse({ norm_bias: 'yes' })).toThrow(/norm_bias must be true or false/);
    expect(refuse({ classifier_activation: 'mish' })).toThrow(/classifier_activation "mish" is not supported/);
    expect(refuse({ hidden_size: 36, num_attention_heads: 4 })).toThrow(/rotary attention needs an even head size/);
    expect(refuse({ hidden_activation: 'mish' })).toThrow(/m\/config\.json: hidden_activation "mish" is not supported/);
    expect(refuse({ mlp_dropout: 2 })).toThrow(/mlp_dropout must be a number in \[0, 1\)/);
    // FlashAttention's settings change nothing here.
    expect(refuse({ deterministic_flash_attn: true, reference_compile: false, local_rope_theta: null })).not.toThrow();
  });

  it('names ModernBertFor… classes and lists the weights HF has (no attn_norm in layer 0, biases only where asked)', () => {
    const config = parseBertConfig({ model_type: 'modernbert', hidden_size: 32, num_attention_heads: 4, num_hidden_layers: 2, intermediate_size: 24, vocab_size: 50 });
    expect(headClassName(config, 'token-classification')).toBe('ModernBertForTokenClassification');
    expect(headFromArchitecture('ModernBertForSequenceClassification')).toBe('sequence-classification');
    expect(headClassName(config, 'question-answering')).toBe('ModernBertForQuestionAnswering');
    expect(headClassName(config, 'multiple-choice')).toBe('none for modernbert in BERT Lens');
    expect(weightSpecs(config, 'question-answering').filter((s) => !s.name.startsWith('model.')).map((s) => [s.name, s.shape]))
      .toEqual([['head.dense.weight', [32, 32]], ['head.norm.weight', [32]], ['classifier.weight', [2, 32]], ['classifier.bias', [2]]]);
    expect(canPack(config)).toBe(false);
    const names = weightSpecs(config, 'sequence-classification').map((s) => s.name);
    expect(names.filter((n) => n.startsWith('model.layers.0.'))).toEqual([
      'model.layers.0.attn.Wqkv.weight', 'model.layers.0.attn.Wo.weight', 'model.layers.0.mlp_norm.weight', 'model.layers.0.mlp.Wi.weight', 'model.layers.0.mlp.Wo.weight']);
    expect(names.filter((n) => !n.startsWith('model.'))).toEqual(['head.dense.weight', 'head.norm.weight', 'classifier.weight', 'classifier.bias']);
    expect(weightSpecs(config, 'masked-lm').filter((s) => !s.name.startsWith('model.')).map((s) => s.name)).toEqual(['head.dense.weight', 'head.norm.weight', 'decoder.bias']);
    const biased = parseBertConfig({ model_type: 'modernbert', hidden_size: 32, num_attention_heads: 4, num_hidden_layers: 2, norm_bias: true, attention_bias: true, mlp_bias: true });
    expect(weightSpecs(biased, 'base').map((s) => s.name)).toContain('model.layers.1.attn_norm.bias');
    expect(weightSpecs(biased, 'base').find((s) => s.name === 'model.layers.1.mlp.Wi.weight')!.shape).toEqual([2 * 1152, 32]);
    expect(architectureOf(config).basePrefix).toBe('model.');
  });
});

describe('ModernBERT initialization', () => {
  it('follows ModernBertPreTrainedModel._init_weights: truncated normals with the std of each module (classifier hidden^-0.5, Wo and head.dense out-scaled)', () => {
    const config = parseBertConfig({ model_type: 'modernbert', hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 8, intermediate_size: 32, vocab_size: 200, initializer_range: 0.02 });
    const weights = initWeights(weightSpecs(config, 'sequence-classification'), config, 3);
    const std = (name: string) => {
      const data = weights.get(name)!;
      const mean = data.reduce((a, b) => a + b, 0) / data.length;
      return { std: Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length), max: Math.max(...data.map(Math.abs)) };
    };
    // A normal truncated at ±2σ has a std of 0.880σ.
    const cases: Array<[string, number]> = [['classifier.weight', 64 ** -0.5], ['model.layers.3.attn.Wqkv.weight', 0.02], ['model.layers.3.attn.Wo.weight', 0.02 / 4],
      ['head.dense.weight', 0.02 / 4], ['model.embeddings.tok_embeddings.weight', 0.02]];
    for (const [name, sigma] of cases) {
      const { std: measured, max } = std(name);
      expect(Math.abs(measured / (0.88 * sigma) - 1), name).toBeLessThan(0.15);
      expect(max, name).toBeLessThanOrEqual(Math.fround(2 * sigma) + 1e-9);
    }
    expect([...weights.get('model.final_norm.weight')!].every((v) => v === 1)).toBe(true);
    expect([...weights.get('classifier.bias')!].every((v) => v === 0)).toBe(true);
  });
});

describe('fine-tuning a ModernBERT hub folder with its tokenizer.json', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-modernbert-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const NER: TaskData = {
    task: 'ner',
    issues: [],
    sentences: [
      { tokens: ['Angela', 'Merkel', 'met', 'Emmanuel', 'Macron', 'in', 'Paris', '.'], tags: ['B-PER', 'I-PER', 'O', 'B-PER', 'I-PER', 'O', 'B-LOC', 'O'], line: 1 },
      { tokens: ['Ada', 'Lovelace', 'lived', 'in', 'London'], tags: ['B-PER', 'I-PER', 'O', 'O', 'B-LOC'], line: 10 },
      { tokens: ['Dr.', 'Grace', 'Hopper', 'worked', 'at', 'Yale', '!'], tags: ['O', 'B-PER', 'I-PER', 'O', 'O', 'B-LOC', 'O'], line: 23 },
    ],
  };

  it('trains NER, copies tokenizer.json as it is, and the export tokenizes and runs as the folder it came from', async () => {
    const modelDir = path.join(FIXTURES, 'modernbert-hub-token-classification');
    const outputDir = path.join(scratch, 'ner');
    const losses: number[] = [];
    const result = await train({
      task: 'ner', modelDir, train: NER, outputDir, maxSteps: 3, threads: 1,
      args: { per_device_train_batch_size: 2, learning_rate: 1e-2, save_steps: 0, num_train_epochs: 3 },
      onEvent: (event) => { if (event.type === 'log') losses.push(event.loss); },
    });
    expect(result.steps).toBe(3);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(readFileSync(path.join(outputDir, 'tokenizer.json')).equals(readFileSync(path.join(modelDir, 'tokenizer.json')))).toBe(true);
    const text = 'Angela Merkel met Emmanuel Macron in Paris.';
    const [source, exported] = [await loadTokenizer(modelDir), await loadTokenizer(outputDir)];
    expect(exported.encode(text).ids).toEqual(source.encode(text).ids);
    const model = await loadModel(outputDir, { head: 'token-classification', cacheDir: path.join(scratch, 'cache') });
    expect(model.config.architectures).toEqual(['ModernBertForTokenClassification']);
    const ids = source.encode(text).ids;
    const outputs = await model.session.run({
      input_ids: tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
      attention_mask: tensor('int64', BigInt64Array.from(ids.map(() => 1n)), [1, ids.length]),
    });
    expect(outputs.logits!.dims).toEqual([1, ids.length, 5]);
    await model.session.release();
  });
});
