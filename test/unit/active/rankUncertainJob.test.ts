// The rankUncertain worker job, in process, on the bundled NER model (models/ner) and the
// classification fixtures: one score per sentence / paragraph, in order, with offsets that slice to
// it; each score checked against an independent computation (the sentence encoded alone and run
// through the session directly, the softmax and entropy written out here; for classification, the
// scores Classify Each Paragraph shows).
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledModelDir } from '../../../src/core/runtime/bundledModels';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { forwardWindows } from '../../../src/core/tasks/shared/forward';
import { segmentRanges } from '../../../src/core/tasks/shared/segmentation';
import { classifyParagraphs } from '../../../src/core/tasks/textClassification/pipeline';
import { paragraphRanges } from '../../../src/core/tasks/textClassification/paragraphs';
import { BadRequestError, type JobContext } from '../../../src/worker/jobHandler';
import type { JobPayload, JobProgress, JobResult } from '../../../src/worker/jobKinds';
import { jobRegistry } from '../../../src/worker/jobs';
import { ModelCache } from '../../../src/worker/modelCache';

const FIXTURES = path.resolve(__dirname, '../../fixtures/models');
const NER = bundledModelDir('ner');

let cacheDir: string;
let models: ModelCache;
let direct: LoadedModel;

beforeAll(async () => {
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-uncertain-'));
  models = new ModelCache();
  direct = await loadModel(NER, { head: 'token-classification', cacheDir, threads: 1 });
});
afterAll(async () => {
  await models?.dispose();
  await direct?.session.release();
  await fs.rm(cacheDir, { recursive: true, force: true });
});

type Result = JobResult<'rankUncertain'>;

async function rank(payload: Record<string, unknown>, signal = new AbortController().signal): Promise<{ result: Result; events: Array<JobProgress<'rankUncertain'>> }> {
  const handler = jobRegistry.rankUncertain;
  const events: Array<JobProgress<'rankUncertain'>> = [];
  const context: JobContext<JobProgress<'rankUncertain'>> = { signal, progress: (e) => events.push(e), onControl: () => {}, log: () => {}, models };
  const valid: JobPayload<'rankUncertain'> = handler.validate(payload);
  return { result: await handler.run(valid, context), events };
}

const TEXTS = [
  'Angela Merkel met Emmanuel Macron in Paris on Monday. The talks were\nabout trade and the harbour of Hamburg.\r\n\r\nDr. Anna Weber of Siemens said ships 🙂 now wait less! Is 東京 far away?',
  'Microsoft will open an office in Nairobi.',
  '   ',
];

/** The sentence encoded on its own, forwarded directly; each word's first sub-token softmaxed here. */
function wordCount(sentence: string): number {
  return new Set(direct.tokenizer.encode(sentence).wordIds.filter((w) => w !== null && w !== undefined)).size;
}

async function expectedScore(sentence: string, measure: 'entropy' | 'margin', reduction: 'max' | 'mean'): Promise<number> {
  const encoding = direct.tokenizer.encode(sentence);
  const [out] = await forwardWindows(direct.session, [encoding], { tokenOutputs: ['logits'] });
  const logits = out!.logits!;
  const k = logits.length / encoding.ids.length;
  const values: number[] = [];
  encoding.wordIds.forEach((word, t) => {
    if (word === null || word === undefined || encoding.wordIds[t - 1] === word) return;
    const row = Array.from(logits.subarray(t * k, (t + 1) * k));
    const top = Math.max(...row);
    const exps = row.map((l) => Math.exp(l - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    const p = exps.map((e) => e / sum);
    if (measure === 'entropy') values.push(-p.reduce((h, q) => h + (q > 0 ? q * Math.log(q) : 0), 0) / Math.log(k));
    else {
      const sorted = [...p].sort((a, b) => b - a);
      values.push(1 - (sorted[0]! - sorted[1]!));
    }
  });
  return reduction === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
}

describe('rankUncertain on the bundled NER model', () => {
  it('scores every sentence once, in order, offsets slicing to the sentence; ranking most uncertain first', async () => {
    const { result, events } = await rank({ model: { reference: NER, cacheDir, threads: 1 }, task: 'ner', texts: TEXTS, options: { measure: 'entropy' } });
    const expected = TEXTS.flatMap((text, i) => segmentRanges(text, 'sentence').map(([start, end]) => ({ text: i, start, end })));
    expect(result.units.map(({ text, start, end }) => ({ text, start, end }))).toEqual(expected);
    // The blank text has no sentence; a hard-wrapped line stays inside its sentence; CRLF blank line, emoji, CJK.
    expect(result.units.map((u) => TEXTS[u.text]!.slice(u.start, u.end))).toEqual([
      'Angela Merkel met Emmanuel Macron in Paris on Monday.',
      'The talks were\nabout trade and the harbour of Hamburg.',
      'Dr. Anna Weber of Siemens said ships 🙂 now wait less!',
      'Is 東京 far away?',
      'Microsoft will open an office in Nairobi.',
    ]);
    for (const unit of result.units) {
      expect(unit.score).toBeGreaterThanOrEqual(0);
      expect(unit.score).toBeLessThanOrEqual(1);
      const sentence = TEXTS[unit.text]!.slice(unit.start, unit.end);
      expect(unit.score, sentence).toBeCloseTo(await expectedScore(sentence, 'entropy', 'max'), 4);
      expect(unit.words, sentence).toBe(wordCount(sentence));
    }
    expect([...result.ranking].sort((a, b) => a - b)).toEqual(result.units.map((_, i) => i));
    for (let r = 1; r < result.ranking.length; r++) {
      const [a, b] = [result.units[result.ranking[r - 1]!]!, result.units[result.ranking[r]!]!];
      expect(a.score >= b.score).toBe(true);
    }
    expect(result.model).toMatchObject({ head: 'token-classification', source: 'local' });
    const fractions = events.flatMap((e) => (e.phase === 'inference' ? [e.fraction] : []));
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
  });

  it('margin and mean are the same sentences with their own scores (mean ≤ max)', async () => {
    const base = { model: { reference: NER, cacheDir, threads: 1 }, task: 'ner', texts: TEXTS.slice(0, 2) };
    const margin = (await rank({ ...base, options: { measure: 'margin' } })).result;
    const mean = (await rank({ ...base, options: { measure: 'margin', reduction: 'mean' } })).result;
    expect(mean.units.map((u) => [u.start, u.end])).toEqual(margin.units.map((u) => [u.start, u.end]));
    for (const [i, unit] of margin.units.entries()) {
      const sentence = TEXTS[unit.text]!.slice(unit.start, unit.end);
      expect(unit.score).toBeCloseTo(await expectedScore(sentence, 'margin', 'max'), 4);
      expect(mean.units[i]!.score).toBeCloseTo(await expectedScore(sentence, 'margin', 'mean'), 4);
      expect(mean.units[i]!.score).toBeLessThanOrEqual(unit.score + 1e-12);
    }
  });

  it('a sentence longer than the window (strided windows) is still one unit, each word counted once', async () => {
    const long = Array.from({ length: 40 }, (_, i) => `Word${i} Paris`).join(' ') + '.';
    const { result } = await rank({ model: { reference: NER, cacheDir, threads: 1 }, task: 'ner', texts: [`Short one. ${long}`], options: { measure: 'entropy', maxLength: 32, stride: 8, reduction: 'mean' } });
    expect(result.units.map((u) => `Short one. ${long}`.slice(u.start, u.end))).toEqual(['Short one.', long]);
    // Windows of 32 tokens cannot hold the 80-word sentence: it is read in overlapping windows, and
    // its score is still a mean over its words, close to the one of the sentence read whole.
    expect(wordCount(long)).toBe(81); // 80 words and the final period
    expect(result.units[1]!.words).toBe(81);
    const whole = await expectedScore(long, 'entropy', 'mean');
    expect(result.units[1]!.score).toBeGreaterThan(0);
    expect(Math.abs(result.units[1]!.score - whole)).toBeLessThan(0.25 * whole + 0.05);
  });

  it('cancels, and rejects bad payloads naming the field', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(rank({ model: { reference: NER, cacheDir }, task: 'ner', texts: TEXTS, options: {} }, controller.signal)).rejects.toThrow(/cancelled/);
    expect(() => jobRegistry.rankUncertain.validate({ model: { reference: NER }, task: 'ner', texts: [], options: { measure: 'variance' } })).toThrow(BadRequestError);
    expect(() => jobRegistry.rankUncertain.validate({ model: { reference: NER }, task: 'pos', texts: [] })).toThrow(/task must be one of ner, classification/);
    expect(() => jobRegistry.rankUncertain.validate({ model: { reference: NER }, texts: [] })).toThrow(/task is required/);
  });
});

describe('rankUncertain for classification', () => {
  const TEXT = 'A wonderful harbour, I loved it.\n\nNothing works here, a disaster.\n \nThe ships come and go.';

  it('scores each paragraph with the margin of the scores Classify Each Paragraph shows', async () => {
    const reference = path.join(FIXTURES, 'sequence-classification');
    const { result } = await rank({ model: { reference, cacheDir, threads: 1 }, task: 'classification', texts: [TEXT], options: { measure: 'margin' } });
    expect(result.units.map((u) => [u.start, u.end])).toEqual(paragraphRanges(TEXT));
    const model = await loadModel(reference, { head: 'sequence-classification', cacheDir, threads: 1 });
    try {
      const shown = await classifyParagraphs(model, TEXT, { topK: null });
      shown.forEach((paragraph, i) => {
        const [p1, p2] = paragraph.results.map((r) => r.score); // sorted, best first
        expect(result.units[i]!.score).toBeCloseTo(1 - (p1! - p2!), 6);
      });
    } finally {
      await model.session.release();
    }
  });

  it('multi-label: sigmoid per label, the least sure label counts (max)', async () => {
    const reference = path.join(FIXTURES, 'sequence-classification-multilabel');
    const { result } = await rank({ model: { reference, cacheDir, threads: 1 }, task: 'classification', texts: [TEXT], options: { measure: 'margin' } });
    const model = await loadModel(reference, { head: 'sequence-classification', cacheDir, threads: 1 });
    try {
      const shown = await classifyParagraphs(model, TEXT, { topK: null });
      shown.forEach((paragraph, i) => {
        const expected = Math.max(...paragraph.results.map((r) => 1 - Math.abs(2 * r.score - 1)));
        expect(result.units[i]!.score).toBeCloseTo(expected, 6);
      });
    } finally {
      await model.session.release();
    }
  });

  it('refuses a regression model and a model with the wrong head', async () => {
    await expect(rank({ model: { reference: path.join(FIXTURES, 'sequence-classification-regression'), cacheDir }, task: 'classification', texts: [TEXT], options: {} }))
      .rejects.toThrow(/regression/);
    await expect(rank({ model: { reference: path.join(FIXTURES, 'sequence-classification'), cacheDir }, task: 'ner', texts: [TEXT], options: {} }))
      .rejects.toThrow();
  });
});
