import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HeadKind } from '../../../src/core/bert/heads';
import { generate } from '../../../src/core/tasks/causalLm/pipeline';
import { fillMask } from '../../../src/core/tasks/fillMask/pipeline';
import { chooseAnswer } from '../../../src/core/tasks/multipleChoice/pipeline';
import { nextSentence } from '../../../src/core/tasks/nextSentence/pipeline';
import { answerQuestion } from '../../../src/core/tasks/questionAnswering/pipeline';
import { encodeTruncatedPair } from '../../../src/core/tasks/shared/pairTruncation';
import { classifyText } from '../../../src/core/tasks/textClassification/pipeline';
import { fixtureModel } from './fixtureModels';

// Every pipeline end to end (our tokenizer → ORT → postprocessing) against the independent PyTorch BERT
// (scripts/reference/bert_torch.py, float64) followed by HF's postprocessing (hf_pipeline_postprocess.py),
// on the ids our tokenizer produced for the same texts (scripts/pipelineReferenceCases.ts, then
// scripts/reference/make_pipeline_refs.py). Labels, answers, offsets, tokens and decoded sequences must be
// equal; probabilities within 1e-4 absolute (the logit tolerance of the model checks; the generator refuses
// cases whose order rests on gaps under 2e-4).
const SCORE_TOLERANCE = 1e-4;

interface Case {
  task: string;
  name: string;
  model: string;
  options?: Record<string, unknown>;
  expected?: unknown;
  [key: string]: unknown;
}

const data = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'tasks', 'pipelines_e2e.json'), 'utf8')) as { cases: Case[] };
const byTask = (task: string) => data.cases.filter((c) => c.task === task).map((c) => [c.name, c] as const);

function expectScoresClose<T extends { score: number }>(actual: readonly T[], expected: readonly T[]): void {
  expect(actual.map(({ score: _, ...rest }) => rest)).toEqual(expected.map(({ score: _, ...rest }) => rest));
  actual.forEach((a, i) => expect(Math.abs(a.score - expected[i]!.score), `score ${i}: ${a.score} vs ${expected[i]!.score}`).toBeLessThanOrEqual(SCORE_TOLERANCE));
}

function expectedOf<T>(c: Case): T {
  if (c.expected === undefined) throw new Error(`${c.name}: no expected result; run scripts/reference/make_pipeline_refs.py`);
  return c.expected as T;
}

describe('question answering matches PyTorch + HF QuestionAnsweringPipeline', () => {
  it.each(byTask('qa'))('%s', async (_, c) => {
    const model = await fixtureModel(c.model, 'question-answering');
    const options = c.options as { maxSeqLen?: number; docStride?: number };
    const maxSeqLen = Math.min(options.maxSeqLen ?? 384, model.config.max_position_embeddings);
    const windows = model.tokenizer.pairWindows(c.question as string, c.context as string, {
      maxLength: maxSeqLen,
      stride: options.docStride ?? Math.min(Math.floor(maxSeqLen / 2), 128),
    });
    expect(windows.map((w) => w.ids), 'the recorded windows are still what the tokenizer produces').toEqual((c.windows as Array<{ ids: number[] }>).map((w) => w.ids));
    const answers = await answerQuestion(model, c.question as string, c.context as string, c.options);
    expectScoresClose(answers, expectedOf(c));
    for (const a of answers) if (a.answer !== '') expect(a.answer).toBe((c.context as string).slice(a.start, a.end));
  });
});

describe('text classification matches PyTorch + HF TextClassificationPipeline', () => {
  it.each(byTask('classify'))('%s', async (_, c) => {
    const model = await fixtureModel(c.model, 'sequence-classification');
    // The references ran the recorded strided windows (segmentation none); windows of whole
    // sentences are checked against per-window classification in classification.test.ts.
    const results = await classifyText(model, c.text as string, { ...c.options, textPair: c.textPair as string | undefined, segmentation: 'none' });
    expectScoresClose(results, expectedOf(c));
  });
});

describe('fill-mask matches PyTorch + HF FillMaskPipeline', () => {
  it.each(byTask('fill-mask'))('%s', async (_, c) => {
    const model = await fixtureModel(c.model, 'masked-lm');
    expect(model.tokenizer.encode(c.text as string).ids).toEqual(c.inputIds);
    const warnings: string[] = [];
    const rows = await fillMask(model, c.text as string, { ...(c.options as object), onWarning: (w) => warnings.push(w) });
    const expected = expectedOf<Array<Array<{ score: number }>>>(c);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, m) => expectScoresClose(row, expected[m]!));
    if ((c.options as { targets?: string[] }).targets?.includes('zzz')) expect(warnings).toEqual([expect.stringContaining('`zzz` does not exist in the model vocabulary. Replacing with token id')]);
  });
});

describe('next-sentence prediction matches PyTorch', () => {
  it.each(byTask('nsp'))('%s', async (_, c) => {
    const head: HeadKind = 'next-sentence';
    const model = await fixtureModel(c.model, head);
    const expected = expectedOf<{ isNextProbability: number; scores: Array<{ label: string; score: number }>; inputIds: number[] }>(c);
    // The longest-first cut (ours in TypeScript, the Rust formula re-implemented in Python) gives the same ids.
    expect(encodeTruncatedPair(model.tokenizer, c.a as string, c.b as string, c.maxLength as number).ids).toEqual(expected.inputIds);
    const result = await nextSentence(model, c.a as string, c.b as string);
    expect(Math.abs(result.isNextProbability - expected.isNextProbability)).toBeLessThanOrEqual(SCORE_TOLERANCE);
    expectScoresClose(result.scores, expected.scores);
  });
});

describe('multiple choice matches PyTorch', () => {
  it.each(byTask('choice'))('%s', async (_, c) => {
    const model = await fixtureModel(c.model, 'multiple-choice');
    const scores = await chooseAnswer(model, c.prompt as string, c.choices as string[]);
    expectScoresClose(scores, expectedOf(c));
  });
});

describe('causal-LM greedy generation matches PyTorch', () => {
  it.each(byTask('generate'))('%s', async (_, c) => {
    const model = await fixtureModel(c.model, 'causal-lm');
    const result = await generate(model, c.prompt as string, { maxNewTokens: c.maxNewTokens as number });
    const expected = expectedOf<{ tokenIds: number[]; finish_reason: string }>(c);
    expect(result.tokens.map((t) => t.id)).toEqual(expected.tokenIds);
    expect(result.finish_reason).toBe(expected.finish_reason);
  });
});
