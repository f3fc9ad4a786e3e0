// `evaluate` scores through the inference runtime; the trainer scores through its training graph.
// Same weights and data must give the same numbers by both roads, and gold labels built from the
// model's own predictions must score perfectly (and their opposite zero).
import { promises as fs, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { writeConll } from '../../../src/core/data/formats/conll';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { classifyText } from '../../../src/core/tasks/textClassification/pipeline';
import { evaluateModel } from '../../../src/core/train/evaluateModel';
import { train, type EvalMetrics } from '../../../src/core/train/trainer';
import { syntheticNerData } from './syntheticData';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'models');
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-evaluate-'));
const cacheDir = path.join(work, 'cache');
afterAll(() => fs.rm(work, { recursive: true, force: true }));
beforeAll(() => {
  process.env.BERT_LENS_CACHE = cacheDir;
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const nerSentences = (count: number, seed: number) => syntheticNerData(count, seed).sentences;

describe('evaluate (NER)', () => {
  const trained = path.join(work, 'ner');
  const evalSentences = nerSentences(40, 2);
  let trainerMetrics: EvalMetrics;

  beforeAll(async () => {
    const result = await train({
      task: 'ner', modelDir: path.join(FIXTURES, 'base'), train: { task: 'ner', sentences: nerSentences(200, 1), issues: [] },
      eval: { task: 'ner', sentences: evalSentences, issues: [] }, outputDir: trained,
      args: { learning_rate: 3e-3, num_train_epochs: 4, per_device_train_batch_size: 16, warmup_ratio: 0.1, seed: 3 },
    });
    trainerMetrics = result.metrics!;
  }, 120_000);

  it('gives the trainer\'s final evaluation, computed by the inference graph', async () => {
    expect(trainerMetrics.f1).toBeGreaterThan(0.5);
    const model = await loadModel(trained, { head: 'token-classification', cacheDir, threads: 1 });
    try {
      const evaluation = await evaluateModel(model, { task: 'ner', sentences: evalSentences, issues: [] });
      expect(evaluation.examples).toBe(40);
      expect(evaluation.unknownLabels).toEqual([]);
      for (const key of ['precision', 'recall', 'f1'] as const) expect(evaluation.metrics[key]).toBeCloseTo(trainerMetrics[key] as number, 9);
      expect(evaluation.metrics.per_label).toEqual(trainerMetrics.per_label);
    } finally {
      await model.session.release();
    }
  });

  it('counts gold entities of a label the model lacks as misses, and names the label', async () => {
    const withMisc = [...evalSentences, { tokens: ['Berlin', 'Marathon', 'was', 'fun'], tags: ['B-MISC', 'I-MISC', 'O', 'O'], line: 41 }];
    const model = await loadModel(trained, { head: 'token-classification', cacheDir, threads: 1 });
    try {
      const base = await evaluateModel(model, { task: 'ner', sentences: evalSentences, issues: [] });
      const evaluation = await evaluateModel(model, { task: 'ner', sentences: withMisc, issues: [] });
      expect(evaluation.unknownLabels).toEqual(['B-MISC', 'I-MISC']);
      const perLabel = evaluation.metrics.per_label as Record<string, { support: number; recall: number }>;
      expect(perLabel.MISC).toMatchObject({ support: 1, recall: 0 });
      expect(evaluation.metrics.recall as number).toBeLessThan(base.metrics.recall as number);
    } finally {
      await model.session.release();
    }
  });

  it('bert-lens evaluate prints the same scores from a CoNLL file (--json and the table)', async () => {
    const file = path.join(work, 'dev.conll');
    writeFileSync(file, writeConll(evalSentences));
    const json = await cli('evaluate', '--task', 'ner', '--model', trained, '--data', file, '--json', '--threads', '1');
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(printed.f1).toBeCloseTo(trainerMetrics.f1 as number, 9);
    expect(printed).toMatchObject({ examples: 40, unknown_labels: [] });
    const table = await cli('evaluate', '--task', 'ner', '--model', trained, '--data', file, '--threads', '1');
    expect(table.stdout).toContain(`entity F1 ${(100 * (trainerMetrics.f1 as number)).toFixed(2)}`);
    expect(table.stdout).toMatch(/^ {2}PER +F1/m);
  });
});

describe('evaluate (classification)', () => {
  const texts = ['a charming journey', 'unflinchingly bleak', 'the best film of the year', 'a dull and tired mess', 'John went to Paris', 'it was fine'];

  it('scores gold labels equal to the pipeline\'s predictions 1, and the other label 0', async () => {
    const model = await loadModel(path.join(FIXTURES, 'sequence-classification'), { head: 'sequence-classification', cacheDir, threads: 1 });
    try {
      const predicted: string[] = [];
      for (const text of texts) predicted.push((await classifyText(model, text, { topK: 1 }))[0]!.label);
      const examples = (labels: string[]) => texts.map((text, i) => ({ text, label: labels[i]!, line: i + 1 }));
      const right = await evaluateModel(model, { task: 'classify', examples: examples(predicted), issues: [] });
      expect(right.metrics.accuracy).toBe(1);
      const flipped = predicted.map((label) => (label === 'POSITIVE' ? 'NEGATIVE' : 'POSITIVE'));
      const wrong = await evaluateModel(model, { task: 'classify', examples: examples(flipped), issues: [] });
      expect(wrong.metrics.accuracy).toBe(0);
      // GLUE files give class ids ("0" = NEGATIVE, "1" = POSITIVE, the config's order).
      const ids = await evaluateModel(model, { task: 'classify', examples: examples(predicted.map((l) => (l === 'NEGATIVE' ? '0' : '1'))), issues: [] });
      expect(ids).toMatchObject({ labelIds: true, unknownLabels: [] });
      expect(ids.metrics.accuracy).toBe(1);
      const flippedIds = await evaluateModel(model, { task: 'classify', examples: examples(predicted.map((l) => (l === 'NEGATIVE' ? '1' : '0'))), issues: [] });
      expect(flippedIds.metrics.accuracy).toBe(0);
      const unknown = await evaluateModel(model, { task: 'classify', examples: examples(predicted.map((l, i) => (i === 0 ? 'NEUTRAL' : l))), issues: [] });
      expect(unknown.unknownLabels).toEqual(['NEUTRAL']);
      expect(unknown.metrics.accuracy).toBeCloseTo(5 / 6, 12);
    } finally {
      await model.session.release();
    }
  });
});

describe('bert-lens evaluate: bad input', () => {
  it('says what is missing or wrong in one line, exit code 2 for usage', async () => {
    expect(await cli('evaluate', '--data', 'x')).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --task is required (try --help)\n' });
    expect(await cli('evaluate', '--task', 'mlm', '--data', 'x')).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --task must be one of ner, classify, qa\n' });
    expect(await cli('evaluate', '--task', 'ner')).toMatchObject({ code: 2, stderr: 'bert-lens evaluate: --data FILE is required (try --help)\n' });
    const missing = await cli('evaluate', '--task', 'ner', '--data', path.join(work, 'nope.conll'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.conll');
  });

  it('reports malformed lines of the data with their line numbers', async () => {
    const file = path.join(work, 'bad.tsv');
    writeFileSync(file, 'sentence\tlabel\na charming journey\tPOSITIVE\nno label here\n');
    const result = await cli('evaluate', '--task', 'classify', '--model', path.join(FIXTURES, 'sequence-classification'), '--data', file, '--json', '--threads', '1');
    expect(result.stderr).toMatch(/bad\.tsv:3: /);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ examples: 1 });
  });
});
