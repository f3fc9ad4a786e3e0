// The task job handlers (src/worker/jobs/*) run in this process on the fixture models and must give
// exactly what the pipelines give on the same model loaded with loadTaskModel; a few cases also go
// through the real worker process (registry, error codes on the wire).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../../src/core/runtime/loadModel';
import {
  answerQuestion, chooseAnswer, classifyParagraphs, classifyText, fillMask, generate, loadTaskModel, nextSentence,
} from '../../../../src/core/tasks/pipelines';
import type { HeadKind } from '../../../../src/core/bert/heads';
import { JobError, type WorkerClient } from '../../../../src/host/workerClient';
import { BadRequestError, type JobContext } from '../../../../src/worker/jobHandler';
import type { JobPayload, JobProgress, JobResult } from '../../../../src/worker/jobKinds';
import { promptStartFor } from '../../../../src/worker/jobs/generate';
import { taskJobs } from '../../../../src/worker/jobs/taskJobs';
import { ModelCache } from '../../../../src/worker/modelCache';
import type { TaskJobKinds } from '../../../../src/worker/taskJobKinds';
import { bundleWorker, clientFor } from '../workerHarness';

const FIXTURES = path.resolve(__dirname, '../../../fixtures/models');
const fixture = (name: string) => path.join(FIXTURES, name);

let cacheDir: string;
let models: ModelCache;
const direct = new Map<string, Promise<LoadedModel>>();

beforeAll(async () => {
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-task-jobs-'));
  models = new ModelCache();
});
afterAll(async () => {
  await models?.dispose();
  for (const model of direct.values()) await (await model).session.release();
  await fs.rm(cacheDir, { recursive: true, force: true });
});

/** The same fixture loaded the way the CLI does, to compare the job with the pipeline. */
function loaded(name: string, head: HeadKind): Promise<LoadedModel> {
  const key = `${name}:${head}`;
  if (!direct.has(key)) direct.set(key, loadTaskModel(fixture(name), { head, cacheDir, threads: 1 }));
  return direct.get(key)!;
}

const spec = (name: string) => ({ reference: fixture(name), cacheDir, threads: 1 });

type Kind = keyof TaskJobKinds;

async function runJob<K extends Kind>(kind: K, payload: unknown): Promise<{ result: JobResult<K>; events: Array<JobProgress<K>> }> {
  const handler = taskJobs[kind] as unknown as { validate(p: unknown): JobPayload<K>; run(p: JobPayload<K>, c: JobContext<JobProgress<K>>): Promise<JobResult<K>> };
  const events: Array<JobProgress<K>> = [];
  const context: JobContext<JobProgress<K>> = {
    signal: new AbortController().signal,
    progress: (event) => events.push(event),
    onControl: () => {},
    log: () => {},
    models,
  };
  const result = await handler.run(handler.validate(payload), context);
  return { result, events };
}

function inferenceFractions(events: ReadonlyArray<{ phase: string; fraction?: number }>): number[] {
  return events.flatMap((e) => (e.phase === 'inference' && e.fraction !== undefined ? [e.fraction] : []));
}

const CONTEXT = 'The harbour of Hamburg opened a new terminal in 2021.\n\nIts director, Anna Weber, said ships now wait less. 🙂 東京 is far away.';

describe('task jobs in the worker (in process, fixture models)', () => {
  it('answerQuestion gives the pipeline answers, offsets into the context, progress from loading to 1', async () => {
    const options = { topK: 4, maxAnswerLen: 10, docStride: 16 };
    const { result, events } = await runJob('answerQuestion', { model: spec('question-answering'), question: 'Who is the director?', context: CONTEXT, options });
    const expected = await answerQuestion(await loaded('question-answering', 'question-answering'), 'Who is the director?', CONTEXT, options);
    expect(result.answers).toEqual(expected);
    expect(result.answers).toHaveLength(4);
    for (const answer of result.answers) expect(CONTEXT.slice(answer.start, answer.end)).toBe(answer.answer);
    expect(result.model).toMatchObject({ head: 'question-answering', source: 'local' });
    expect(events[0]).toEqual({ phase: 'loading' });
    const fractions = inferenceFractions(events);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
  });

  it('classifyTexts gives every label score per text and says which function was applied', async () => {
    const texts = ['A wonderful harbour.', 'Nothing works here, a disaster.'];
    const { result } = await runJob('classifyTexts', { model: spec('sequence-classification'), texts, options: { topK: null } });
    const model = await loaded('sequence-classification', 'sequence-classification');
    expect(result.results).toEqual([await classifyText(model, texts[0]!, { topK: null }), await classifyText(model, texts[1]!, { topK: null })]);
    expect(result.results[0]!.map((r) => r.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(result.scoreKind).toBe('softmax');
    expect(result.results[0]![0]!.score + result.results[0]![1]!.score).toBeCloseTo(1, 10);

    const sigmoid = await runJob('classifyTexts', { model: spec('sequence-classification'), texts, options: { topK: null, functionToApply: 'sigmoid' } });
    expect(sigmoid.result.scoreKind).toBe('sigmoid');
    expect(sigmoid.result.results[1]).toEqual(await classifyText(model, texts[1]!, { topK: null, functionToApply: 'sigmoid' }));
  });

  it('classifyTexts reads the problem_type: multi-label → sigmoid, regression → none', async () => {
    const multi = await runJob('classifyTexts', { model: spec('sequence-classification-multilabel'), texts: ['x y z'], options: { topK: null } });
    expect(multi.result.scoreKind).toBe('sigmoid');
    const regression = await runJob('classifyTexts', { model: spec('sequence-classification-regression'), texts: ['x y z'], options: { topK: null } });
    expect(regression.result.scoreKind).toBe('none');
    const model = await loaded('sequence-classification-regression', 'sequence-classification');
    expect(regression.result.results[0]).toEqual(await classifyText(model, 'x y z', { topK: null }));
  });

  it('classifyParagraphs gives the pipeline paragraphs (offsets into the text)', async () => {
    const { result } = await runJob('classifyParagraphs', { model: spec('sequence-classification'), text: CONTEXT, options: { topK: null } });
    expect(result.paragraphs).toEqual(await classifyParagraphs(await loaded('sequence-classification', 'sequence-classification'), CONTEXT, { topK: null }));
    expect(result.paragraphs.map((p) => CONTEXT.slice(p.start, p.end))).toEqual([
      'The harbour of Hamburg opened a new terminal in 2021.',
      'Its director, Anna Weber, said ships now wait less. 🙂 東京 is far away.',
    ]);
  });

  it('fillMask gives the pipeline predictions and where each mask is', async () => {
    const text = 'Paris is 🙂 in [MASK] and the [MASK] is blue.';
    const { result } = await runJob('fillMask', { model: spec('masked-lm'), text, options: { topK: 3 } });
    expect(result.predictions).toEqual(await fillMask(await loaded('masked-lm', 'masked-lm'), text, { topK: 3 }));
    expect(result.maskToken).toBe('[MASK]');
    expect(result.masks).toEqual([{ start: 15, end: 21 }, { start: 30, end: 36 }]);
    for (const mask of result.masks) expect(text.slice(mask.start, mask.end)).toBe('[MASK]');
    const pretraining = await runJob('fillMask', { model: spec('pretraining'), text: '[MASK] is in France.', options: { topK: 2 } });
    expect(pretraining.result.predictions[0]).toHaveLength(2);
  });

  it('nextSentence and chooseAnswer give the pipeline results', async () => {
    const nsp = await runJob('nextSentence', { model: spec('next-sentence'), a: 'Paris is in France.', b: 'The river runs through it.' });
    expect(nsp.result.prediction).toEqual(await nextSentence(await loaded('next-sentence', 'next-sentence'), 'Paris is in France.', 'The river runs through it.'));
    const choices = ['in Paris', 'on the moon', 'under the sea'];
    const choice = await runJob('chooseAnswer', { model: spec('multiple-choice'), prompt: 'Where is the Louvre?', choices });
    expect(choice.result.scores).toEqual(await chooseAnswer(await loaded('multiple-choice', 'multiple-choice'), 'Where is the Louvre?', choices));
    expect(choice.result.scores.reduce((sum, s) => sum + s.score, 0)).toBeCloseTo(1, 10);
  });

  it('generate gives the pipeline continuation and streams it token by token', async () => {
    const options = { maxNewTokens: 6, strategy: { kind: 'top-k' as const, topK: 5, temperature: 0.8 }, seed: 7 };
    const { result, events } = await runJob('generate', { model: spec('causal-lm'), prompt: 'The harbour of', options });
    const expected = await generate(await loaded('causal-lm', 'causal-lm'), 'The harbour of', options);
    expect(result.generation).toEqual(expected);
    expect(result.promptStart).toBe(0);
    expect(expected.tokens.length).toBeGreaterThan(1);
    const tokens = events.flatMap((e) => (e.phase === 'token' ? [e] : []));
    expect(tokens.map((t) => t.count)).toEqual(expected.tokens.map((_, i) => i + 1));
    expect(tokens.at(-1)?.continuation ?? '').toBe(expected.continuation);
    // The k-th streamed text is what a run stopped after k tokens writes (same seed, same draws).
    for (const t of tokens) {
      const shorter = await generate(await loaded('causal-lm', 'causal-lm'), 'The harbour of', { ...options, maxNewTokens: t.count });
      expect(t.continuation).toBe(shorter.continuation);
    }
  });

  it('generate keeps the end of a prompt longer than the model reads, starting at a word', async () => {
    const model = await loaded('causal-lm', 'causal-lm');
    const prompt = Array.from({ length: 60 }, (_, i) => `word${i} harbour`).join(' ');
    const start = promptStartFor(model, prompt, 10);
    expect(start).toBeGreaterThan(0);
    expect(prompt[start - 1]).toBe(' ');
    const kept = model.tokenizer.encode(prompt.slice(start)).ids.length - 1; // without the closing [SEP]
    expect(kept + 10).toBeLessThanOrEqual(64);
    expect(kept + 10).toBeGreaterThan(50);
    expect(promptStartFor(model, 'short prompt', 10)).toBe(0);
    const { result } = await runJob('generate', { model: spec('causal-lm'), prompt, options: { maxNewTokens: 10 } });
    expect(result.promptStart).toBe(start);
    expect(result.generation).toEqual(await generate(model, prompt.slice(start), { maxNewTokens: 10 }));
  });

  it('validators reject malformed payloads with the field named', () => {
    expect(() => taskJobs.answerQuestion.validate({ model: spec('question-answering'), question: 3, context: 'x' })).toThrow(new BadRequestError('question must be a string'));
    expect(() => taskJobs.classifyTexts.validate({ model: spec('sequence-classification'), texts: ['a'], options: { topK: -1 } })).toThrow(/options.topK must be an integer ≥ 0/);
    expect(() => taskJobs.generate.validate({ model: spec('causal-lm'), prompt: 'a', options: { strategy: { kind: 'beam' } } })).toThrow(/options.strategy.kind must be "greedy" or "top-k"/);
    expect(() => taskJobs.chooseAnswer.validate({ model: { reference: '' }, prompt: 'a', choices: [] })).toThrow(/model.reference/);
    expect(taskJobs.classifyTexts.validate({ model: spec('sequence-classification'), texts: ['a'], options: { topK: null } }).options.topK).toBeNull();
  });
});

describe('task jobs through the worker process', () => {
  let worker: { workerPath: string; dispose(): Promise<void> };
  let client: WorkerClient;
  beforeAll(async () => {
    worker = await bundleWorker();
    client = clientFor(worker.workerPath);
  });
  afterAll(async () => {
    client?.dispose();
    await worker?.dispose();
  });

  async function jobError(promise: Promise<unknown>): Promise<JobError> {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(JobError);
    return error as JobError;
  }

  it('bad input comes back as one line with code bad-input, and the worker goes on', async () => {
    const empty = await jobError(client.run('answerQuestion', { model: spec('question-answering'), question: '  ', context: CONTEXT, options: {} }));
    expect(empty).toMatchObject({ code: 'bad-input', message: 'the question is empty' });
    const noContext = await jobError(client.run('answerQuestion', { model: spec('question-answering'), question: 'Who?', context: ' \n ', options: {} }));
    expect(noContext.code).toBe('bad-input');
    expect(noContext.message).toMatch(/the context is empty/);
    const noMask = await jobError(client.run('fillMask', { model: spec('masked-lm'), text: 'Paris is in France.', options: {} }));
    expect(noMask).toMatchObject({ code: 'bad-input', message: "no [MASK] in the text: put the model's mask token [MASK] where a word should be predicted" });
    const oneChoice = await jobError(client.run('chooseAnswer', { model: spec('multiple-choice'), prompt: 'Where?', choices: ['Paris'] }));
    expect(oneChoice).toMatchObject({ code: 'bad-input', message: 'multiple choice needs at least two choices, got 1' });
    const ok = await client.run('nextSentence', { model: spec('next-sentence'), a: 'A b.', b: 'C d.' });
    expect(ok.prediction.isNextProbability).toBeGreaterThan(0);
  });

  it('a model with another head fails with code head-mismatch, naming the head and the model', async () => {
    const error = await jobError(client.run('classifyTexts', { model: spec('question-answering'), texts: ['x'], options: {} }));
    expect(error.code).toBe('head-mismatch');
    expect(error.message).toContain(fixture('question-answering'));
    expect(error.message).toMatch(/BertForQuestionAnswering.*BertForSequenceClassification/);
  });

  it('Cancel ends a generation with code cancelled', async () => {
    const controller = new AbortController();
    const run = client.run('generate', { model: spec('causal-lm'), prompt: 'The harbour', options: { maxNewTokens: 40 } }, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === 'token' && event.count === 2) controller.abort();
      },
    });
    const error = await jobError(run);
    expect(error.code).toBe('cancelled');
  });
});
