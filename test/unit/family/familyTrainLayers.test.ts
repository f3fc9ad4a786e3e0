import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBertConfig, type BertConfig } from '../../../src/core/bert/config';
import type { HeadKind } from '../../../src/core/bert/heads';
import { weightSpecs } from '../../../src/core/bert/weightNames';
import { checkBaseModelFolder } from '../../../src/core/finetune/baseModelCheck';
import { inspectModelFolder } from '../../../src/core/runtime/modelFolder';
import { readSafetensors, writeSafetensors } from '../../../src/core/runtime/safetensors';
import { initializeForTraining } from '../../../src/core/train/initModel';
import { train, trainableNames } from '../../../src/core/train/trainer';
import { buildTrainingGraph } from '../../../src/core/train/trainingGraph';
import type { TaskData } from '../../../src/core/train/trainingData';
import { CLASSIFY, FAMILY, folderWithTokenizer, NER } from './familyFolders';

// What of a DistilBERT / RoBERTa / ELECTRA trains (top-k layers, head only, never the sinusoidal table), where
// their dropouts sit (HF modeling_distilbert.py / modeling_roberta.py / modeling_electra.py), and head-only training on
// cached encoder features computing what running the frozen encoder every step computes.
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-family-layers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fixtureConfig(name: string, extra: Record<string, unknown> = {}): BertConfig {
  return parseBertConfig({ ...JSON.parse(readFileSync(path.join(FAMILY, name, 'config.json'), 'utf8')) as object, ...extra });
}

describe('trainable parameters', () => {
  it('top-k layers: the last k layers of the architecture and everything outside the base model', () => {
    const distil = trainableNames(fixtureConfig('distilbert-sequence-classification'), 'sequence-classification', 1);
    expect([...distil].sort()).toEqual(weightSpecs(fixtureConfig('distilbert-sequence-classification'), 'sequence-classification').map((s) => s.name)
      .filter((n) => n.startsWith('distilbert.transformer.layer.1.') || n.startsWith('pre_classifier.') || n.startsWith('classifier.')).sort());
    expect(distil.has('pre_classifier.weight')).toBe(true);
    const roberta = trainableNames(fixtureConfig('roberta-sequence-classification'), 'sequence-classification', 1);
    expect([...roberta].filter((n) => !n.startsWith('roberta.encoder.layer.1.')).sort()).toEqual(['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
    expect(roberta.size).toBe(4 + 16);
    expect([...trainableNames(fixtureConfig('roberta-token-classification'), 'token-classification', 'head')].sort()).toEqual(['classifier.bias', 'classifier.weight']);
    // ELECTRA's embeddings_project belongs to the base model (electra.): frozen with the embeddings.
    const electra = trainableNames(fixtureConfig('electra-sequence-classification'), 'sequence-classification', 1);
    expect([...electra].filter((n) => !n.startsWith('electra.encoder.layer.1.')).sort()).toEqual(['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
    expect(trainableNames(fixtureConfig('electra-sequence-classification'), 'sequence-classification', 'all').has('electra.embeddings_project.weight')).toBe(true);
    // DeBERTa: the ContextPooler (pooler.dense) is the head's; the shared relative table (encoder.rel_embeddings, encoder.LayerNorm) is frozen with the embeddings.
    const deberta = trainableNames(fixtureConfig('deberta-v3-sequence-classification'), 'sequence-classification', 1);
    expect([...deberta].filter((n) => !n.startsWith('deberta.encoder.layer.1.')).sort()).toEqual(['classifier.bias', 'classifier.weight', 'pooler.dense.bias', 'pooler.dense.weight']);
    expect(trainableNames(fixtureConfig('deberta-v3-sequence-classification'), 'sequence-classification', 'all').has('deberta.encoder.rel_embeddings.weight')).toBe(true);
  });

  it('never the sinusoidal position table of a DistilBERT (requires_grad False in HF)', () => {
    const sinusoidal = trainableNames(fixtureConfig('distilbert-sequence-classification-sinusoidal'), 'sequence-classification', 'all');
    expect(sinusoidal.has('distilbert.embeddings.position_embeddings.weight')).toBe(false);
    expect(sinusoidal.has('distilbert.embeddings.word_embeddings.weight')).toBe(true);
    expect(trainableNames(fixtureConfig('distilbert-sequence-classification'), 'sequence-classification', 'all').has('distilbert.embeddings.position_embeddings.weight')).toBe(true);
  });
});

describe('dropout sites', () => {
  const sites = (config: BertConfig, head: HeadKind) => {
    const graph = buildTrainingGraph({ config, head, trainable: new Set(weightSpecs(config, head).map((s) => s.name)), weights: () => { throw new Error('all trainable'); }, dropout: true });
    const bySite: Record<string, number[]> = {};
    for (const mask of graph.dropoutMasks) (bySite[mask.site] ??= []).push(mask.probability);
    return bySite;
  };
  const layers = 2;

  it('DistilBERT: embeddings and FFN output (dropout), attention probabilities (attention_dropout), none after out_lin, its heads\' own fields', () => {
    const config = fixtureConfig('distilbert-sequence-classification', { dropout: 0.1, attention_dropout: 0.15, seq_classif_dropout: 0.3, qa_dropout: 0.4 });
    expect(sites(config, 'sequence-classification')).toEqual({ hidden: new Array(1 + layers).fill(0.1), attention: new Array(layers).fill(0.15), classifier: [0.3] });
    expect(sites(config, 'token-classification').classifier).toEqual([0.1]);
    expect(sites(config, 'question-answering').classifier).toEqual([0.4]);
  });

  it('RoBERTa: BERT\'s sites, and the classification head\'s two dropouts (classifier_dropout ?? hidden_dropout_prob)', () => {
    const config = fixtureConfig('roberta-sequence-classification', { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.15, classifier_dropout: 0.3 });
    expect(sites(config, 'sequence-classification')).toEqual({ hidden: new Array(1 + 2 * layers).fill(0.1), attention: new Array(layers).fill(0.15), classifier: [0.3, 0.3] });
    expect(sites({ ...config, classifier_dropout: null }, 'token-classification').classifier).toEqual([0.1]);
  });

  it('ELECTRA: BERT\'s sites (the embeddings\' before embeddings_project), and ElectraClassificationHead\'s two dropouts', () => {
    const config = fixtureConfig('electra-sequence-classification', { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.15, classifier_dropout: 0.3 });
    expect(sites(config, 'sequence-classification')).toEqual({ hidden: new Array(1 + 2 * layers).fill(0.1), attention: new Array(layers).fill(0.15), classifier: [0.3, 0.3] });
    expect(sites({ ...config, classifier_dropout: null }, 'token-classification').classifier).toEqual([0.1]);
  });

  it('DeBERTa-v2: embeddings, each layer\'s pos_dropout on the relative table and its two outputs (hidden), attention probs, ContextPooler (pooler_dropout) and cls_dropout', () => {
    const config = fixtureConfig('deberta-v3-sequence-classification', { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.15, pooler_dropout: 0.2, cls_dropout: 0.3 });
    expect(sites(config, 'sequence-classification')).toEqual({ hidden: new Array(1 + 3 * layers).fill(0.1), attention: new Array(layers).fill(0.15), pooler: [0.2], classifier: [0.3] });
    // DebertaV2ForTokenClassification: nn.Dropout(hidden_dropout_prob); no relative table without relative_attention.
    expect(sites(fixtureConfig('deberta-v2-plain-token-classification', { hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.15 }), 'token-classification'))
      .toEqual({ hidden: new Array(1 + 2 * layers).fill(0.1), attention: new Array(layers).fill(0.15), classifier: [0.1] });
  });

  it('ModernBERT: embedding_dropout, attention_dropout on the probabilities and after Wo, mlp_dropout inside the GeGLU, classifier_dropout after the prediction head', () => {
    const config = fixtureConfig('modernbert-sequence-classification', { embedding_dropout: 0.1, attention_dropout: 0.15, mlp_dropout: 0.2, classifier_dropout: 0.3 });
    const modernLayers = 3;
    expect(sites(config, 'sequence-classification'))
      .toEqual({ hidden: [0.1], attention: new Array(2 * modernLayers).fill(0.15), mlp: new Array(modernLayers).fill(0.2), classifier: [0.3] });
    // attention_dropout 0: out_drop is nn.Identity and the probabilities keep no site either.
    expect(sites(fixtureConfig('modernbert-token-classification', { mlp_dropout: 0.2 }), 'token-classification')).toEqual({ mlp: new Array(modernLayers).fill(0.2) });
  });
});

describe('head-only training on cached features', () => {
  const cases: Array<[string, TaskData]> = [
    ['roberta-sequence-classification', CLASSIFY], ['distilbert-sequence-classification', CLASSIFY], ['roberta-token-classification', NER],
    ['electra-sequence-classification', CLASSIFY], ['electra-token-classification', NER],
    ['deberta-v3-sequence-classification', CLASSIFY], ['deberta-v3-token-classification', NER],
    // ModernBERT: the features pool as classifier_pooling says (mean over the attention mask here).
    ['modernbert-sequence-classification-mean', CLASSIFY], ['modernbert-token-classification', NER],
  ];
  it.each(cases)('%s: the same losses and head weights as running the frozen encoder every step', async (fixture, data) => {
    const modelDir = folderWithTokenizer(fixture, scratch);
    const runs = [];
    for (const featureCache of [true, false]) {
      const losses: number[] = [];
      const outputDir = path.join(scratch, `${fixture}-${featureCache}`);
      await train({
        task: data.task, modelDir, train: data, outputDir, maxSteps: 3, threads: 1, trainLayers: 'head', featureCache, dropout: 0,
        args: { per_device_train_batch_size: 2, learning_rate: 1e-2, save_steps: 0, num_train_epochs: 2 },
        onEvent: (event) => { if (event.type === 'log') losses.push(event.loss); },
      });
      runs.push({ losses, weights: await readSafetensors(path.join(outputDir, 'model.safetensors')) });
    }
    const [cached, uncached] = runs;
    expect(cached!.losses).toHaveLength(3);
    cached!.losses.forEach((loss, i) => expect(Math.abs(loss - uncached!.losses[i]!)).toBeLessThan(1e-5));
    const initial = await readSafetensors(path.join(modelDir, 'model.safetensors'));
    let moved = 0;
    for (const name of cached!.weights.names()) {
      const a = cached!.weights.float32(name);
      const b = uncached!.weights.float32(name);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!), name).toBeLessThan(1e-5));
      if (initial.has(name) && initial.float32(name).some((v, i) => v !== a[i])) moved++;
    }
    // Only the head trained: the encoder's tensors are the checkpoint's.
    expect(moved).toBeGreaterThan(0);
    for (const name of initial.names()) {
      if (name.startsWith('roberta.') || name.startsWith('distilbert.') || name.startsWith('electra.') || name.startsWith('deberta.') || name.startsWith('model.')) expect([...cached!.weights.float32(name)], name).toEqual([...initial.float32(name)]);
    }
  });
});

describe('checkpoints', () => {
  // Batches of 2: NER has 2 steps an epoch, classification 3; steps 3 and 2 fall inside an epoch.
  it.each([['roberta-token-classification', NER, 3], ['distilbert-sequence-classification', CLASSIFY, 2]] as Array<[string, TaskData, number]>)(
    '%s resumes from a mid-epoch checkpoint bit-identically (shuffle, packing and dropout on)', async (fixture, data, at) => {
      const modelDir = folderWithTokenizer(fixture, scratch);
      const common = {
        task: data.task, modelDir, train: data, dropout: 0.2, threads: 1,
        args: { learning_rate: 1e-3, num_train_epochs: 3, per_device_train_batch_size: 2, save_steps: at, seed: 5 },
      };
      const full = path.join(scratch, `${fixture}-full`);
      await train({ ...common, outputDir: full });
      const partial = path.join(scratch, `${fixture}-partial`);
      await train({ ...common, outputDir: partial, maxSteps: at });
      const checkpointConfig = JSON.parse(readFileSync(path.join(partial, `checkpoint-${at}`, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(checkpointConfig.model_type).toBe(fixture.split('-')[0]);
      const resumed = path.join(scratch, `${fixture}-resumed`);
      await train({ ...common, outputDir: resumed, resumeFrom: path.join(partial, `checkpoint-${at}`) });
      const a = await readSafetensors(path.join(full, 'model.safetensors'));
      const b = await readSafetensors(path.join(resumed, 'model.safetensors'));
      const initial = await readSafetensors(path.join(modelDir, 'model.safetensors'));
      expect([...b.names()].sort()).toEqual([...a.names()].sort());
      for (const name of a.names()) expect(Buffer.from(b.float32(name).buffer).equals(Buffer.from(a.float32(name).buffer)), name).toBe(true);
      expect([...a.float32('classifier.weight')]).not.toEqual([...initial.float32('classifier.weight')]);
    });
});

describe('sequence length', () => {
  it('RoBERTa windows rows to max_position_embeddings − (padding_idx + 1) tokens, the last position its table has', async () => {
    const modelDir = folderWithTokenizer('roberta-token-classification', scratch);
    const words = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 'london' : 'the'));
    const data: TaskData = { task: 'ner', issues: [], sentences: [{ tokens: words, tags: words.map((w) => (w === 'london' ? 'B-LOC' : 'O')), line: 1 }] };
    const info: string[] = [];
    const result = await train({
      task: 'ner', modelDir, train: data, outputDir: path.join(scratch, 'long'), maxSteps: 1, threads: 1, args: { max_seq_length: 128, save_steps: 0 },
      onEvent: (event) => { if (event.type === 'info') info.push(event.message); },
    });
    expect(result.steps).toBe(1);
    // 40 positions, padding_idx 1: 38 tokens a row.
    expect(info.some((m) => /longer than 38 tokens and were split/.test(m))).toBe(true);
  });
});

describe('the fine-tune panel\'s base-model check', () => {
  it('caps max_seq_length for RoBERTa at its positions less padding_idx + 1', async () => {
    const folder = await inspectModelFolder(folderWithTokenizer('roberta-token-classification', scratch));
    expect(checkBaseModelFolder(folder, 'ner', ['PER'], 40).warnings.some((w) => w.includes('max_seq_length 40 is more than the model\'s 38 tokens'))).toBe(true);
    expect(checkBaseModelFolder(folder, 'ner', ['PER'], 38).warnings.some((w) => w.includes('max_seq_length'))).toBe(false);
  });

  it('an ELECTRA discriminator (ElectraForPreTraining, as google/electra-small-discriminator) starts a new ElectraForTokenClassification head; its discriminator head is unused', async () => {
    const dir = folderWithTokenizer('electra-token-classification', scratch);
    const raw = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete raw.id2label;
    delete raw.label2id;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...raw, architectures: ['ElectraForPreTraining'] }));
    const weights = await readSafetensors(path.join(dir, 'model.safetensors'));
    const tensors = new Map([...weights.names()].filter((n) => !n.startsWith('classifier.')).map((n) => [n, { dtype: 'F32' as const, shape: [...weights.info(n).shape], data: weights.float32(n) }]));
    const h = raw.hidden_size as number;
    for (const [name, shape] of [['discriminator_predictions.dense.weight', [h, h]], ['discriminator_predictions.dense.bias', [h]],
      ['discriminator_predictions.dense_prediction.weight', [1, h]], ['discriminator_predictions.dense_prediction.bias', [1]]] as Array<[string, number[]]>) {
      tensors.set(name, { dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01) });
    }
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const folder = await inspectModelFolder(dir);
    expect(checkBaseModelFolder(folder, 'ner', ['PER']).warnings.some((w) => w.includes('a ElectraForPreTraining: a new ElectraForTokenClassification head is initialized'))).toBe(true);
    const init = await initializeForTraining(folder, 'token-classification', { seed: 1 });
    expect(init.report.newlyInitialized.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(init.report.unused.sort()).toEqual(['discriminator_predictions.dense.bias', 'discriminator_predictions.dense.weight',
      'discriminator_predictions.dense_prediction.bias', 'discriminator_predictions.dense_prediction.weight']);
    const result = await train({ task: 'ner', modelDir: dir, train: NER, outputDir: path.join(scratch, 'electra-discriminator-ner'), maxSteps: 2, threads: 1, args: { save_steps: 0 } });
    expect(result.steps).toBe(2);
    const saved = JSON.parse(readFileSync(path.join(scratch, 'electra-discriminator-ner', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ model_type: 'electra', architectures: ['ElectraForTokenClassification'], embedding_size: raw.embedding_size });
  });

  it('a ModernBertForMaskedLM checkpoint (as answerdotai/ModernBERT-base) starts ModernBertForTokenClassification with its prediction head (head.dense, head.norm: the same names), only the classifier new; decoder.bias unused', async () => {
    const dir = folderWithTokenizer('modernbert-masked-lm', scratch);
    const folder = await inspectModelFolder(dir);
    expect(checkBaseModelFolder(folder, 'ner', ['PER']).warnings.some((w) => w.includes('ModernBertForTokenClassification'))).toBe(true);
    const init = await initializeForTraining(folder, 'token-classification', { seed: 1, labels: ['O', 'B-PER', 'I-PER'] });
    expect(init.report.newlyInitialized.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(init.report.unused).toEqual(['decoder.bias']);
    const checkpoint = await readSafetensors(path.join(dir, 'model.safetensors'));
    expect([...init.weights.get('head.dense.weight')!]).toEqual([...checkpoint.float32('head.dense.weight')]);
    const result = await train({ task: 'ner', modelDir: dir, train: NER, outputDir: path.join(scratch, 'modernbert-mlm-ner'), maxSteps: 2, threads: 1, args: { save_steps: 0 } });
    expect(result.steps).toBe(2);
    const saved = JSON.parse(readFileSync(path.join(scratch, 'modernbert-mlm-ner', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ model_type: 'modernbert', architectures: ['ModernBertForTokenClassification'], global_attn_every_n_layers: 2, local_attention: 4 });
  });

  it('a DeBERTa-v3 pretraining checkpoint (no architectures; lm_predictions and mask_predictions heads, as microsoft/deberta-v3-base) starts a new DebertaV2ForTokenClassification head; its pretraining heads are unused', async () => {
    const dir = folderWithTokenizer('deberta-v3-token-classification', scratch);
    const raw = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['id2label', 'label2id', 'architectures']) delete raw[key];
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(raw));
    const weights = await readSafetensors(path.join(dir, 'model.safetensors'));
    const tensors = new Map([...weights.names()].filter((n) => !n.startsWith('classifier.')).map((n) => [n, { dtype: 'F32' as const, shape: [...weights.info(n).shape], data: weights.float32(n) }]));
    const h = raw.hidden_size as number;
    const heads: Array<[string, number[]]> = [['lm_predictions.lm_head.dense.weight', [h, h]], ['lm_predictions.lm_head.dense.bias', [h]],
      ['lm_predictions.lm_head.LayerNorm.weight', [h]], ['lm_predictions.lm_head.LayerNorm.bias', [h]], ['lm_predictions.lm_head.bias', [raw.vocab_size as number]],
      ['mask_predictions.dense.weight', [h, h]], ['mask_predictions.dense.bias', [h]], ['mask_predictions.classifier.weight', [1, h]], ['mask_predictions.classifier.bias', [1]]];
    for (const [name, shape] of heads) tensors.set(name, { dtype: 'F32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.01) });
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const folder = await inspectModelFolder(dir);
    const init = await initializeForTraining(folder, 'token-classification', { seed: 1 });
    expect(init.report.newlyInitialized.sort()).toEqual(['classifier.bias', 'classifier.weight']);
    expect(init.report.unused.sort()).toEqual(heads.map(([n]) => n).sort());
    const result = await train({ task: 'ner', modelDir: dir, train: NER, outputDir: path.join(scratch, 'deberta-pretrained-ner'), maxSteps: 2, threads: 1, args: { save_steps: 0 } });
    expect(result.steps).toBe(2);
    const saved = JSON.parse(readFileSync(path.join(scratch, 'deberta-pretrained-ner', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ model_type: 'deberta-v2', architectures: ['DebertaV2ForTokenClassification'], position_buckets: raw.position_buckets, share_att_key: true });
  });

  it('names the head class of the folder\'s own architecture', async () => {
    const folder = await inspectModelFolder(folderWithTokenizer('roberta-base', scratch));
    const check = checkBaseModelFolder(folder, 'ner', ['PER']);
    expect(check.warnings.some((w) => w.includes('a RobertaModel: a new RobertaForTokenClassification head is initialized'))).toBe(true);
  });
});
