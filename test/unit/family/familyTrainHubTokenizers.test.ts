import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import type { HeadKind } from '../../../src/core/bert/heads';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { tensor } from '../../../src/core/runtime/ort';
import { readSafetensors } from '../../../src/core/runtime/safetensors';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import type { Tokenizer } from '../../../src/core/runtime/tokenizer/tokenizer';
import { evaluateModel } from '../../../src/core/train/evaluateModel';
import { EvaluationSession } from '../../../src/core/train/evaluation';
import { classificationFeatures, nerFeatures, qaFeatures, type Feature } from '../../../src/core/train/features';
import { train, type EvalMetrics } from '../../../src/core/train/trainer';
import type { TaskData } from '../../../src/core/train/trainingData';
import { FAMILY } from './familyFolders';

// Fine-tuning folders laid out as the hub's RoBERTa and XLM-R checkpoints are: a byte-level BPE as
// vocab.json + merges.txt (no tokenizer.json, as deepset/roberta-base-squad2), the same with only
// pytorch_model.bin (as cardiffnlp/twitter-roberta-base-sentiment-latest), and a SentencePiece
// sentencepiece.bpe.model (as Davlan/xlm-roberta-base-ner-hrl). The trainer must tokenize with the
// folder's own tokenizer, and the checkpoints and the exported folder must carry its files byte for
// byte: reloaded, the export gives the same ids, and its ONNX graph the logits the trainer's final
// evaluation computed (EvaluationSession over the trained weights, fed the source folder's features).
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-train-hub-tok-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const cacheDir = path.join(scratch, 'cache');
const SPM = path.join(FAMILY, '..', 'tokenizer', 'xlmr-unigram', 'sentencepiece.bpe.model');

const NER: TaskData = {
  task: 'ner',
  issues: [],
  sentences: [
    { tokens: ['Angela', 'Merkel', 'met', 'Emmanuel', 'Macron', 'in', 'Paris', '.'], tags: ['B-PER', 'I-PER', 'O', 'B-PER', 'I-PER', 'O', 'B-LOC', 'O'], line: 1 },
    { tokens: ['Ada', 'Lovelace', 'lived', 'in', 'London'], tags: ['B-PER', 'I-PER', 'O', 'O', 'B-LOC'], line: 10 },
    { tokens: ['The', 'quick', 'fox', 'jumps', 'near', '(London)'], tags: ['O', 'O', 'O', 'O', 'O', 'B-LOC'], line: 16 },
    { tokens: ['Dr.', 'Grace', 'Hopper', 'worked', 'at', 'Yale', '!'], tags: ['O', 'B-PER', 'I-PER', 'O', 'O', 'B-LOC', 'O'], line: 23 },
  ],
};
const CLASSIFY: TaskData = {
  task: 'classify',
  issues: [],
  examples: [
    { text: 'The dog didn\'t move; it was sleeping.', label: 'NEUTRAL', line: 1 },
    { text: 'A wonderful, moving film!', label: 'POSITIVE', line: 2 },
    { text: 'Dull and far too long.', label: 'NEGATIVE', line: 3 },
    { text: 'BERT reads text in both directions at once.', label: 'NEUTRAL', line: 4 },
    { text: 'Great acting, great story', label: 'POSITIVE', line: 5 },
  ],
};

const QA: TaskData = {
  task: 'qa',
  issues: [],
  examples: [
    { question: 'Where did they meet?', context: 'Angela Merkel met Emmanuel Macron in Paris on Tuesday.', answerStart: 37, answerText: 'Paris', answers: ['Paris'] },
    { question: 'Who wrote notes?', context: 'Ada Lovelace wrote notes about the Analytical Engine.', answerStart: 0, answerText: 'Ada Lovelace', answers: ['Ada Lovelace'] },
    { question: 'When?', context: 'They met on Tuesday, not on Monday.', answerStart: 12, answerText: 'Tuesday', answers: ['Tuesday'] },
  ],
};
const DOC_STRIDE = 16;

/** A hub-shaped fixture folder with its tokenizer.json replaced by the files the hub checkpoint has. */
function hubFolder(fixture: string, name: string, tokenizer: Tokenizers, weights: 'safetensors' | 'bin'): string {
  const dir = path.join(scratch, name);
  cpSync(path.join(FAMILY, fixture), dir, { recursive: true });
  // DeBERTa-v3 hub folders already have the hub's files (spm.model and tokenizer_config.json only).
  if (tokenizer === 'as-is') return dir;
  const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number>; merges: string[] } };
  rmSync(path.join(dir, 'tokenizer.json'));
  if (tokenizer === 'bpe-files') {
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(json.model.vocab));
    writeFileSync(path.join(dir, 'merges.txt'), `#version: 0.2\n${json.model.merges.join('\n')}\n`);
  } else {
    // The fixture's tokenizer.json was converted from this model (generateHubFolders.ts).
    cpSync(SPM, path.join(dir, 'sentencepiece.bpe.model'));
  }
  if (weights === 'bin') {
    rmSync(path.join(dir, 'model.safetensors'));
    renameSync(path.join(dir, 'bin', 'pytorch_model.bin'), path.join(dir, 'pytorch_model.bin'));
  }
  rmSync(path.join(dir, 'bin'), { recursive: true, force: true });
  return dir;
}

function featuresOf(data: TaskData, tokenizer: Tokenizer, label2id: Record<string, number>, maxSeqLength: number): Feature[] {
  if (data.task === 'ner') return nerFeatures(data.sentences, tokenizer, label2id, { maxSeqLength }).features;
  if (data.task === 'qa') return qaFeatures(data.examples, tokenizer, { maxSeqLength, docStride: DOC_STRIDE }).features;
  if (data.task !== 'classify') throw new Error('ner, classify or qa');
  return classificationFeatures(data.examples.map((e) => ({ text: e.text, label: label2id[e.label]! })), tokenizer, { maxSeqLength }).features;
}

const MAX = 64;
type Tokenizers = 'bpe-files' | 'sentencepiece' | 'as-is';
const CASES: Array<{ name: string; fixture: string; tokenizer: Tokenizers; weights: 'safetensors' | 'bin'; data: TaskData; head: HeadKind; files: string[]; type: string }> = [
  { name: 'roberta-bpe-ner', fixture: 'roberta-hub-token-classification', tokenizer: 'bpe-files', weights: 'safetensors', data: NER, head: 'token-classification', files: ['vocab.json', 'merges.txt'], type: 'BPE' },
  { name: 'roberta-bpe-classify', fixture: 'roberta-hub-sequence-classification', tokenizer: 'bpe-files', weights: 'safetensors', data: CLASSIFY, head: 'sequence-classification', files: ['vocab.json', 'merges.txt'], type: 'BPE' },
  { name: 'roberta-bin-ner', fixture: 'roberta-hub-token-classification', tokenizer: 'bpe-files', weights: 'bin', data: NER, head: 'token-classification', files: ['vocab.json', 'merges.txt'], type: 'BPE' },
  { name: 'roberta-bpe-qa', fixture: 'roberta-hub-question-answering', tokenizer: 'bpe-files', weights: 'safetensors', data: QA, head: 'question-answering', files: ['vocab.json', 'merges.txt'], type: 'BPE' },
  { name: 'xlmr-spm-ner', fixture: 'xlm-roberta-hub-token-classification', tokenizer: 'sentencepiece', weights: 'safetensors', data: NER, head: 'token-classification', files: ['sentencepiece.bpe.model'], type: 'Unigram' },
  // A new head on the NER checkpoint, as fine-tuning XLM-R for classification starts from a base model.
  { name: 'xlmr-spm-qa', fixture: 'xlm-roberta-hub-token-classification', tokenizer: 'sentencepiece', weights: 'safetensors', data: QA, head: 'question-answering', files: ['sentencepiece.bpe.model'], type: 'Unigram' },
  { name: 'xlmr-spm-classify', fixture: 'xlm-roberta-hub-token-classification', tokenizer: 'sentencepiece', weights: 'safetensors', data: CLASSIFY, head: 'sequence-classification', files: ['sentencepiece.bpe.model'], type: 'Unigram' },
  // DeBERTa-v3 as microsoft/deberta-v3-* ships it: spm.model + a two-field tokenizer_config.json; new QA and classification heads on the NER checkpoint.
  { name: 'deberta-spm-ner', fixture: 'deberta-v3-hub-token-classification', tokenizer: 'as-is', weights: 'safetensors', data: NER, head: 'token-classification', files: ['spm.model'], type: 'Unigram' },
  { name: 'deberta-spm-qa', fixture: 'deberta-v3-hub-token-classification', tokenizer: 'as-is', weights: 'safetensors', data: QA, head: 'question-answering', files: ['spm.model'], type: 'Unigram' },
  { name: 'deberta-spm-classify', fixture: 'deberta-v3-hub-token-classification', tokenizer: 'as-is', weights: 'safetensors', data: CLASSIFY, head: 'sequence-classification', files: ['spm.model'], type: 'Unigram' },
];

describe.each(CASES)('fine-tuning $name', ({ name, fixture, tokenizer: kind, weights, data, head, files, type }) => {
  it('tokenizes with the folder’s tokenizer and exports a folder that reloads to the same ids and logits', async () => {
    const modelDir = hubFolder(fixture, `${name}-model`, kind, weights);
    const reference = await loadTokenizer(path.join(FAMILY, fixture), { cacheDir });
    const source = await loadTokenizer(modelDir, { cacheDir });
    expect(source.modelType).toBe(type);
    // The hub-layout files tokenize as the fixture's tokenizer.json (from which the model's inputs came).
    for (const text of ['Angela Merkel met Emmanuel Macron in Paris.', 'A wonderful, moving film!']) expect(source.encode(text).ids).toEqual(reference.encode(text).ids);

    const outputDir = path.join(scratch, `${name}-out`);
    let finalEval: EvalMetrics | undefined;
    const result = await train({
      task: data.task, modelDir, train: data, eval: data, outputDir, cacheDir, maxSteps: 3, threads: 1, docStride: DOC_STRIDE,
      args: { per_device_train_batch_size: 2, learning_rate: 1e-2, save_steps: 3, eval_steps: 3, num_train_epochs: 3, max_seq_length: MAX },
      onEvent: (event) => {
        if (event.type === 'eval') finalEval = event.metrics;
      },
    });
    expect(result.steps).toBe(3);
    expect(finalEval).toBeDefined();

    // The tokenizer files, byte for byte, in the checkpoint and the export; no tokenizer type added.
    for (const dir of [outputDir, path.join(outputDir, 'checkpoint-3')]) {
      for (const file of [...files, 'tokenizer_config.json', 'special_tokens_map.json'].filter((f) => existsSync(path.join(modelDir, f)) || files.includes(f))) {
        expect(readFileSync(path.join(dir, file)).equals(readFileSync(path.join(modelDir, file))), `${dir}/${file}`).toBe(true);
      }
      const listed = readdirSync(dir);
      expect(listed).not.toContain('tokenizer.json');
      expect(listed).not.toContain('vocab.txt');
    }

    const config = parseBertConfig(JSON.parse(readFileSync(path.join(outputDir, 'config.json'), 'utf8')));
    const reloaded = await loadTokenizer(outputDir, { cacheDir: path.join(scratch, `${name}-cache2`) });
    expect(reloaded.modelType).toBe(type);
    const expected = featuresOf(data, source, config.label2id, MAX);
    const actual = featuresOf(data, reloaded, config.label2id, MAX);
    expect(actual.map((f) => f.inputIds)).toEqual(expected.map((f) => f.inputIds));
    const targets = (f: Feature) => [f.tokenLabels, f.label, f.startPosition, f.endPosition];
    expect(actual.map(targets)).toEqual(expected.map(targets));
    if (data.task === 'qa') {
      // Every answer lies in its one window; its tokens cover exactly the answer (SentencePiece's "▁" start at the space before it).
      expect(expected.every((f) => f.startPosition! > 0)).toBe(true);
      expect(expected).toHaveLength(data.examples.length);
      for (const f of expected) {
        const example = data.examples[f.example]!;
        const window = source.pairWindows(example.question, example.context, { maxLength: MAX, stride: DOC_STRIDE })[0]!;
        const covered = example.context.slice(window.offsets[f.startPosition!]![0], window.offsets[f.endPosition!]![1]);
        expect(covered.trim()).toBe(example.answerText);
      }
    }

    // The trainer's evaluation: the training-time graph over the trained weights, the source folder's features.
    const saved = await readSafetensors(path.join(outputDir, 'model.safetensors'));
    const trained = new Map(saved.names().map((n) => [n, saved.float32(n)]));
    const evaluation = await EvaluationSession.create(config, head, trained, new Set(), 1);
    const trainerOutputs = await evaluation.predict(head, expected, new Map(), 2, config.pad_token_id);
    await evaluation.release();

    const model = await loadModel(outputDir, { head, cacheDir });
    expect(model.graphSource).toBe('folder');
    for (let row = 0; row < actual.length; row++) {
      const ids = actual[row]!.inputIds;
      const dims = [1, ids.length];
      const all = {
        input_ids: tensor('int64', BigInt64Array.from(ids.map(BigInt)), dims),
        attention_mask: tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
        token_type_ids: tensor('int64', new BigInt64Array(ids.length), dims),
      };
      const feeds = Object.fromEntries(Object.entries(all).filter(([input]) => model.session.inputNames.includes(input)));
      const outputs = await model.session.run(feeds);
      for (const [output, want] of Object.entries(trainerOutputs[row]!)) {
        const got = outputs[output]!.data as Float32Array;
        expect(got.length).toBe(want.length);
        for (let k = 0; k < want.length; k++) expect(Math.abs(got[k]! - want[k]!), `row ${row} ${output} ${k}`).toBeLessThan(1e-4);
      }
    }
    // Scored through the inference runtime, the export gets the trainer's final evaluation.
    const scored = await evaluateModel(model, data, { maxSeqLength: MAX, docStride: DOC_STRIDE });
    await model.session.release();
    expect(scored.metrics).toEqual(finalEval);
  });
});
