import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';
import { postprocessFillMask } from '../../../src/core/tasks/fillMask/postprocess';
import { postprocessMultipleChoice } from '../../../src/core/tasks/multipleChoice/postprocess';
import { postprocessQuestionAnswering } from '../../../src/core/tasks/questionAnswering/postprocess';
import { postprocessTextClassification, type TextClassificationOptions } from '../../../src/core/tasks/textClassification/postprocess';
import { postprocessTokenClassification } from '../../../src/core/tasks/tokenClassification/postprocess';
import type { AggregationStrategy } from '../../../src/core/tasks/tokenClassification/types';
import { convertTokensToString, expectClose } from './helpers';

// Inputs and HF outputs from scripts/reference/pipeline_postprocess_refs.py (ports of the HF pipeline code, float32).
interface Fixture {
  vocab: string[];
  inputs: Record<string, unknown>;
  tokenClassification: Array<{
    name: string; text: string; labels: string[]; strategy: AggregationStrategy; ignoreLabels: string[] | null;
    continuingSubwordPrefix: string | null; unkTokenId: number; windows: string; expected: Array<Record<string, unknown>>;
  }>;
  questionAnswering: Array<{
    name: string; context: string; clsTokenId: number; windows: string; expected: Array<Record<string, unknown>>;
    options: { top_k?: number; max_answer_len?: number; handle_impossible_answer?: boolean; align_to_words?: boolean };
  }>;
  textClassification: Array<{
    name: string; logits?: number[]; windows?: number[][]; labels: string[]; problemType: TextClassificationOptions['problemType'];
    kwargs: { top_k?: number | null; function_to_apply?: 'sigmoid' | 'softmax' | 'none'; return_all_scores?: boolean };
    expected: Array<Record<string, unknown>>;
  }>;
  fillMask: Array<{ name: string; inputIds: number[]; logits: string; kwargs: { top_k?: number; target_ids?: number[] }; expected: Array<Array<Record<string, unknown>>> }>;
  softmax: Array<{ logits: number[]; expected: number[] }>;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/tasks/pipeline_postprocess.json'), 'utf8')) as Fixture;

/** Scores: HF computes in float32, we in float64 from the same float32 logits. */
const SCORE_TOLERANCE = { relative: 2e-6, absolute: 1e-7 };

function expectSameResults(actual: ReadonlyArray<object>, expected: ReadonlyArray<Record<string, unknown>>): void {
  expect(actual.map((item) => Object.keys(item))).toEqual(expected.map((item) => Object.keys(item)));
  actual.forEach((item, i) => {
    const { score, ...rest } = item as Record<string, unknown>;
    const { score: expectedScore, ...expectedRest } = expected[i]!;
    expect(rest, `item ${i}`).toEqual(expectedRest);
    expectClose(score as number, expectedScore as number, SCORE_TOLERANCE, `item ${i} score`);
  });
}

describe('token classification against the HF port', () => {
  it.each(fixture.tokenClassification.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const windows = (fixture.inputs[c.windows] as Array<{ logits: number[]; encoding: Encoding }>).map((w) => ({
      logits: Float32Array.from(w.logits),
      encoding: w.encoding,
    }));
    const actual = postprocessTokenClassification(windows, {
      text: c.text,
      id2label: c.labels,
      aggregationStrategy: c.strategy,
      ignoreLabels: c.ignoreLabels ?? undefined,
      tokenizer: { convertTokensToString, unkTokenId: c.unkTokenId, continuingSubwordPrefix: c.continuingSubwordPrefix },
    });
    expectSameResults(actual, c.expected);
    for (const entity of actual) expect(entity.start).toBeLessThan(entity.end);
  });

  it('covers every strategy, and windowed inputs with entities that the merge had to resolve', () => {
    const strategies = new Set(fixture.tokenClassification.map((c) => c.strategy));
    expect([...strategies].sort()).toEqual(['average', 'first', 'max', 'none', 'simple']);
    const windowed = fixture.tokenClassification.filter((c) => c.name.startsWith('windows-'));
    expect(windowed.length).toBeGreaterThanOrEqual(10);
    expect(windowed.every((c) => c.expected.length > 20)).toBe(true);
  });
});

describe('question answering against the HF port', () => {
  it.each(fixture.questionAnswering.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const windows = (fixture.inputs[c.windows] as Array<{ startLogits: number[]; endLogits: number[]; encoding: Encoding }>).map((w) => ({
      startLogits: Float32Array.from(w.startLogits),
      endLogits: Float32Array.from(w.endLogits),
      encoding: w.encoding,
    }));
    const actual = postprocessQuestionAnswering(windows, {
      context: c.context,
      clsTokenId: c.clsTokenId,
      topK: c.options.top_k,
      maxAnswerLen: c.options.max_answer_len,
      handleImpossibleAnswer: c.options.handle_impossible_answer,
      alignToWords: c.options.align_to_words,
    });
    expectSameResults(actual, c.expected);
    for (const answer of actual) expect(answer.answer).toBe(c.context.slice(answer.start, answer.end));
  });
});

describe('text classification against the HF port', () => {
  it.each(fixture.textClassification.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const logits = c.windows ? c.windows.map((w) => Float32Array.from(w)) : Float32Array.from(c.logits!);
    const actual = postprocessTextClassification(logits, {
      id2label: c.labels,
      problemType: c.problemType,
      functionToApply: c.kwargs.function_to_apply,
      topK: c.kwargs.top_k,
      returnAllScores: c.kwargs.return_all_scores,
    });
    expectSameResults(actual, c.expected);
  });
});

describe('fill-mask against the HF port', () => {
  const special = 5;
  const decode = (ids: readonly number[], skipSpecialTokens: boolean): string =>
    convertTokensToString(ids.filter((id) => !(skipSpecialTokens && id < special)).map((id) => fixture.vocab[id]!));
  it.each(fixture.fillMask.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const actual = postprocessFillMask(
      { inputIds: c.inputIds, logits: Float32Array.from(fixture.inputs[c.logits] as number[]), vocabSize: fixture.vocab.length },
      { maskTokenId: fixture.vocab.indexOf('[MASK]'), padTokenId: fixture.vocab.indexOf('[PAD]'), topK: c.kwargs.top_k, targetIds: c.kwargs.target_ids, decoder: { decode } },
    );
    expect(actual.length).toBe(c.expected.length);
    actual.forEach((row, i) => expectSameResults(row, c.expected[i]!));
  });
});

describe('softmax rows (NSP / multiple choice) against numpy', () => {
  it.each(fixture.softmax.map((c, i) => [i, c] as const))('case %s', (_i, c) => {
    const ranked = postprocessMultipleChoice(Float32Array.from(c.logits));
    for (const { index, score } of ranked) expectClose(score, c.expected[index]!, SCORE_TOLERANCE, `choice ${index}`);
  });
});
