import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeadMismatchError, loadModel } from '../../../src/core/runtime/loadModel';
import { generate } from '../../../src/core/tasks/causalLm/pipeline';
import { fillMask } from '../../../src/core/tasks/fillMask/pipeline';
import { chooseAnswer } from '../../../src/core/tasks/multipleChoice/pipeline';
import { nextSentence } from '../../../src/core/tasks/nextSentence/pipeline';
import { TaskInputError } from '../../../src/core/tasks/shared/taskModel';
import { FIXTURE_MODELS, fixtureCacheDir, fixtureModel } from './fixtureModels';

describe('fill-mask', () => {
  it('refuses a text without the mask token, naming the token', async () => {
    const model = await fixtureModel('masked-lm', 'masked-lm');
    await expect(fillMask(model, 'Paris is in France.')).rejects.toThrow(new TaskInputError('no [MASK] in the text: put the model\'s mask token [MASK] where a word should be predicted'));
    await expect(fillMask(model, 'Paris is in [mask].')).rejects.toThrow(/no \[MASK\] in the text/);
  });

  it('each prediction puts its token in place of the mask; token_str decodes the token', async () => {
    const model = await fixtureModel('masked-lm', 'masked-lm');
    const [row] = await fillMask(model, 'Paris is in [MASK] .', { topK: 4 });
    expect(row).toHaveLength(4);
    for (const p of row!) {
      expect(p.token_str).toBe(model.tokenizer.decode([p.token]));
      expect(p.sequence).toBe(model.tokenizer.decode(model.tokenizer.encode(`Paris is in ${p.token_str} .`).ids, { skipSpecialTokens: true }));
    }
  });

  it('a pretraining model serves fill-mask; other heads are refused naming the head and the model', async () => {
    const pretraining = await fixtureModel('pretraining', 'masked-lm');
    expect(pretraining.head).toBe('pretraining');
    expect((await fillMask(pretraining, '[MASK] is in France.', { topK: 2 }))[0]).toHaveLength(2);
    const nsp = await fixtureModel('next-sentence', 'next-sentence');
    await expect(fillMask(nsp, '[MASK]')).rejects.toThrow(HeadMismatchError);
    await expect(fillMask(nsp, '[MASK]')).rejects.toThrow(/fill-mask needs a model with a masked-lm \(BertForMaskedLM\) or pretraining \(BertForPreTraining\) head; .*next-sentence has a next-sentence head/);
  });
});

describe('next-sentence prediction', () => {
  it('P(B follows A) is softmax(logits)[0] and the two scores sum to 1', async () => {
    const model = await fixtureModel('next-sentence', 'next-sentence');
    const result = await nextSentence(model, 'Paris is in France.', 'The river runs through the city.');
    expect(result.scores.find((s) => s.label === 'IsNext')!.score).toBe(result.isNextProbability);
    expect(result.scores[0]!.score + result.scores[1]!.score).toBeCloseTo(1, 12);
  });

  it('refuses empty sentences and a model without an NSP head', async () => {
    const model = await fixtureModel('next-sentence', 'next-sentence');
    await expect(nextSentence(model, ' ', 'B.')).rejects.toThrow('sentence A is empty');
    await expect(nextSentence(model, 'A.', '')).rejects.toThrow('sentence B is empty');
    const mlm = await fixtureModel('masked-lm', 'masked-lm');
    await expect(nextSentence(mlm, 'A.', 'B.')).rejects.toThrow(/next-sentence prediction needs a model with a next-sentence \(BertForNextSentencePrediction\) or pretraining \(BertForPreTraining\) head; .*masked-lm has a masked-lm head/);
  });
});

describe('multiple choice', () => {
  it('refuses fewer than two choices, an empty choice or prompt', async () => {
    const model = await fixtureModel('multiple-choice', 'multiple-choice');
    await expect(chooseAnswer(model, 'Where?', ['in Paris'])).rejects.toThrow('multiple choice needs at least two choices, got 1');
    await expect(chooseAnswer(model, 'Where?', [])).rejects.toThrow('multiple choice needs at least two choices, got 0');
    await expect(chooseAnswer(model, 'Where?', ['in Paris', ' '])).rejects.toThrow('choice 2 is empty');
    await expect(chooseAnswer(model, '', ['a', 'b'])).rejects.toThrow('the prompt is empty');
  });

  it('scores do not depend on the order of the choices (each pair is encoded alone; padding is masked)', async () => {
    const model = await fixtureModel('multiple-choice', 'multiple-choice');
    const choices = ['in New York', 'by John Smith during the war', 'in Paris'];
    const forward = await chooseAnswer(model, 'Where was it founded?', choices);
    const reversed = await chooseAnswer(model, 'Where was it founded?', [...choices].reverse());
    for (const s of forward) expect(reversed.find((r) => r.choice === s.choice)!.score).toBeCloseTo(s.score, 6);
    expect(forward.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 12);
  });
});

describe('generation', () => {
  it('top-k sampling is reproducible by seed; top_k 1 equals greedy', async () => {
    const model = await fixtureModel('causal-lm', 'causal-lm');
    const greedy = await generate(model, 'Paris is in', { maxNewTokens: 6 });
    const one = await generate(model, 'Paris is in', { maxNewTokens: 6, strategy: { kind: 'top-k', topK: 1, temperature: 0.7 }, seed: 3 });
    expect(one.tokens).toEqual(greedy.tokens);
    const strategy = { kind: 'top-k', topK: 50, temperature: 1.5 } as const;
    const a = await generate(model, 'Paris is in', { maxNewTokens: 8, strategy, seed: 1 });
    expect(await generate(model, 'Paris is in', { maxNewTokens: 8, strategy, seed: 1 })).toEqual(a);
    const others = await Promise.all([2, 3, 4].map((seed) => generate(model, 'Paris is in', { maxNewTokens: 8, strategy, seed })));
    expect(others.some((o) => o.continuation !== a.continuation)).toBe(true);
  });

  it('the continuation extends the prompt as the WordPiece decoder joins tokens; onToken streams each token', async () => {
    const model = await fixtureModel('causal-lm', 'causal-lm');
    const streamed: string[] = [];
    const result = await generate(model, 'Paris is in', { maxNewTokens: 5, onToken: (t) => streamed.push(t.token) });
    expect(streamed).toEqual(result.tokens.map((t) => t.token));
    const expected = model.tokenizer.decode([...model.tokenizer.encode('in', { addSpecialTokens: false }).ids, ...result.tokens.map((t) => t.id)]).slice('in'.length);
    expect(result.continuation).toBe(expected);
    expect(result.generated_text).toBe(`Paris is in${expected}`);
  });

  it('refuses a prompt that fills the model, a non-decoder config, bad sampling options and other heads', async () => {
    const model = await fixtureModel('causal-lm', 'causal-lm');
    const long = Array.from({ length: 70 }, () => 'city').join(' ');
    await expect(generate(model, long)).rejects.toThrow('the prompt is 71 tokens; the model reads at most 64, leaving no room to continue');
    await expect(generate(model, 'a', { strategy: { kind: 'top-k', topK: 0, temperature: 1 } })).rejects.toThrow('top_k must be an integer >= 1, got 0');
    await expect(generate(model, 'a', { strategy: { kind: 'top-k', topK: 5, temperature: 0 } })).rejects.toThrow('temperature must be a positive number, got 0');
    await expect(generate(await fixtureModel('masked-lm', 'masked-lm'), 'a')).rejects.toThrow(/text generation needs a model with a causal-lm \(BertLMHeadModel\) head/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-encoder-lm-'));
    const source = path.join(FIXTURE_MODELS, 'causal-lm');
    const config = JSON.parse(readFileSync(path.join(source, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ ...config, is_decoder: false }));
    for (const file of ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt', 'special_tokens_map.json']) copyFileSync(path.join(source, file), path.join(dir, file));
    const encoder = await loadModel(dir, { head: 'causal-lm', cacheDir: fixtureCacheDir() });
    await expect(generate(encoder, 'a')).rejects.toThrow(/is not a decoder \(config is_decoder is false\)/);
  });
});
