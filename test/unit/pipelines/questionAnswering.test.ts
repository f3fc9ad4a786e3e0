import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HeadMismatchError, loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { CancelledError } from '../../../src/core/tasks/shared/forward';
import { answerQuestion } from '../../../src/core/tasks/questionAnswering/pipeline';
import { loadTaskModel, TaskInputError } from '../../../src/core/tasks/shared/taskModel';
import { Random } from '../../../src/core/util/random';
import { buildNeedleQaModel } from '../../../scripts/needleQaModel';
import { FIXTURE_MODELS, fixtureCacheDir, fixtureModel } from './fixtureModels';

const FILLER = 'the city of London is in England and the company was founded by John Smith in New York during the war .'.split(' ');
const NEEDLE = 'Obama Google';

/** Filler words (none of them a needle token), with an emoji and CJK so that UTF-16 offsets matter. */
function filler(seed: number, count: number): string {
  const random = new Random(seed);
  const words = Array.from({ length: count }, (_, i) => (i % 97 === 13 ? '😀 中文' : FILLER[random.int(FILLER.length)]!));
  return words.join(' ');
}

describe('long contexts: the needle model (answer known in advance)', () => {
  let needleModel: LoadedModel;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-needle-'));
    // 512 positions: the HF defaults apply (max_seq_len 384, doc_stride 128).
    await buildNeedleQaModel(dir, { hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 37, maxPositions: 512, needle: ['Obama', 'Google'], onnx: false });
    needleModel = await loadModel(dir, { head: 'question-answering', cacheDir: fixtureCacheDir(), threads: 1 });
  });

  it('finds an answer at token ~5,000 of the context, with exact UTF-16 offsets', async () => {
    const context = `${filler(1, 4950)} ${NEEDLE} ${filler(2, 30)}`;
    const needleAt = context.indexOf(NEEDLE);
    const tokensBefore = needleModel.tokenizer.encode(context.slice(0, needleAt), { addSpecialTokens: false }).ids.length;
    expect(tokensBefore).toBeGreaterThan(4900);
    const progress: number[] = [];
    const answers = await answerQuestion(needleModel, 'Who is it?', context, { topK: 3, onProgress: (f) => progress.push(f) });
    expect(answers[0]).toMatchObject({ answer: NEEDLE, start: needleAt, end: needleAt + NEEDLE.length });
    expect(answers[0]!.score).toBeGreaterThan(0.9);
    expect(progress.at(-1)).toBe(1);
    // HF's windows: 384 tokens (question and special tokens included) sharing 128 context tokens.
    const windows = needleModel.tokenizer.pairWindows('Who is it?', context, { maxLength: 384, stride: 128 });
    expect(windows.length).toBeGreaterThan(15);
    for (const a of answers) expect(context.slice(a.start, a.end)).toBe(a.answer);
  });

  it('finds the needle anywhere: first window, a window border, the last token', async () => {
    for (const before of [3, 370, 5000]) {
      const context = `${filler(before, before)} ${NEEDLE}`;
      const [best] = await answerQuestion(needleModel, 'Who is it?', context);
      expect(best).toMatchObject({ answer: NEEDLE, start: context.indexOf(NEEDLE) });
    }
  });

  it('a question over max_question_len tokens is cut (HF fast tokenizers would fail instead)', async () => {
    const question = `Who is ${filler(3, 400)}?`;
    const context = `${filler(4, 100)} ${NEEDLE} ${filler(5, 10)}`;
    const cut = await answerQuestion(needleModel, question, context, { maxQuestionLen: 20 });
    expect(cut[0]!.answer).toBe(NEEDLE);
    await expect(answerQuestion(needleModel, question, context, { maxQuestionLen: 400 })).rejects.toThrow(/question \(\d+ tokens\) leaves no room for the context in windows of 384 tokens/);
  });

  it('can be cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(answerQuestion(needleModel, 'Who?', filler(6, 3000), { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('question answering: options and bad input', () => {
  it('max_question_len cuts the question after that many tokens, so the windows equal those of the cut question', async () => {
    const model = await fixtureModel('question-answering', 'question-answering');
    const context = 'The company was founded by John Smith in New York during the war.';
    const question = 'Who founded the company in the city of London during the war and when?';
    const tokens = model.tokenizer.encode(question, { addSpecialTokens: false });
    const cutText = question.slice(0, tokens.offsets[7]![1]);
    expect(await answerQuestion(model, question, context, { maxQuestionLen: 8, topK: 3 })).toEqual(await answerQuestion(model, cutText, context, { topK: 3 }));
  });

  it('refuses empty questions and contexts, a too large doc_stride, and bad counts with one clear line', async () => {
    const model = await fixtureModel('question-answering', 'question-answering');
    await expect(answerQuestion(model, '  ', 'Paris is in France.')).rejects.toThrow(new TaskInputError('the question is empty'));
    await expect(answerQuestion(model, 'Where?', ' \n\t')).rejects.toThrow(/the context is empty/);
    await expect(answerQuestion(model, 'Where?', '\u0000\u0001')).rejects.toThrow(/the context has no tokens/);
    await expect(answerQuestion(model, 'Where?', 'Paris is in France.', { topK: 0 })).rejects.toThrow('top_k must be an integer >= 1, got 0');
    await expect(answerQuestion(model, 'Where?', 'Paris is in France.', { maxAnswerLen: 0 })).rejects.toThrow('max_answer_len must be an integer >= 1');
    await expect(answerQuestion(model, 'Where?', 'Paris is in France.', { docStride: 100 })).rejects.toThrow('doc_stride (100) is larger than max_seq_len (64)');
    const long = filler(7, 200);
    await expect(answerQuestion(model, 'Where is the city of London?', long, { docStride: 60 })).rejects.toThrow(/doc_stride 60 must be smaller than the \d+ context tokens per window/);
    // A short context fits in one window, where the stride plays no part (as in HF).
    expect((await answerQuestion(model, 'Where?', 'Paris is in France.', { docStride: 60 })).length).toBe(1);
  });

  it('handle_impossible_answer adds the empty answer at offsets 0-0 with the null score', async () => {
    const model = await fixtureModel('question-answering', 'question-answering');
    const answers = await answerQuestion(model, 'Where?', 'Paris is in France.', { topK: 50, handleImpossibleAnswer: true });
    const empty = answers.filter((a) => a.answer === '');
    expect(empty).toEqual([{ score: expect.any(Number) as number, start: 0, end: 0, answer: '' }]);
    expect(empty[0]!.score).toBeGreaterThan(0);
  });

  it('a model with another head: the message names the head and the model', async () => {
    const mlm = await fixtureModel('masked-lm', 'masked-lm');
    await expect(answerQuestion(mlm, 'Where?', 'Paris.')).rejects.toThrow(HeadMismatchError);
    await expect(answerQuestion(mlm, 'Where?', 'Paris.')).rejects.toThrow(/question answering needs a model with a question-answering \(BertForQuestionAnswering\) head; .*masked-lm has a masked-lm head/);
    await expect(loadTaskModel(path.join(FIXTURE_MODELS, 'masked-lm'), { head: 'question-answering', cacheDir: fixtureCacheDir() }))
      .rejects.toThrow(/masked-lm is a BertForMaskedLM .*needs a question-answering head \(BertForQuestionAnswering\)/);
  });

  it('a folder without `architectures` whose weights lack the QA head: the message names the model and the head', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-noarch-'));
    const source = path.join(FIXTURE_MODELS, 'masked-lm');
    const config = JSON.parse(readFileSync(path.join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
    delete config.architectures;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    for (const file of ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json']) copyFileSync(path.join(source, file), path.join(dir, file));
    const error = await loadTaskModel(dir, { head: 'question-answering', cacheDir: fixtureCacheDir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeadMismatchError);
    expect((error as Error).message).toContain(`${dir} cannot serve as a question-answering model (BertForQuestionAnswering): the weights lack qa_outputs.weight`);
  });
});
