import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { FIXTURE_MODELS } from './fixtureModels';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-cli-'));
const model = (name: string) => path.join(FIXTURE_MODELS, name);

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

beforeAll(() => {
  // Graphs converted from safetensors go here, not to the user's cache.
  process.env.BERT_LENS_CACHE = path.join(dir, 'cache');
});

describe('bert-lens qa', () => {
  it('--json prints [{score, start, end, answer}] with offsets into the file text (after a BOM)', async () => {
    const context = 'The company was founded by John Smith in New York during the war.';
    const target = file('context.txt', `\ufeff${context}`);
    const { code, stdout, stderr } = await cli('qa', target, '--question', 'Who founded it?', '--model', model('question-answering'), '--top-k', '3', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answers = JSON.parse(stdout) as Array<{ score: number; start: number; end: number; answer: string }>;
    // Up to 3: spans widened to the same words merge into one answer (HF).
    expect(answers.length).toBeGreaterThanOrEqual(1);
    expect(answers.length).toBeLessThanOrEqual(3);
    for (const a of answers) {
      expect(Object.keys(a)).toEqual(['score', 'start', 'end', 'answer']);
      expect(context.slice(a.start, a.end)).toBe(a.answer);
    }
  });

  it('requires --model and --question with one clear line and exit code 2', async () => {
    const target = file('q.txt', 'Paris is in France.');
    const noModel = await cli('qa', target, '--question', 'Where?');
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toBe('bert-lens qa: --model DIR|ID is required: no question-answering model is bundled (pass a folder or a hub id of a question-answering BERT)\n');
    expect((await cli('qa', target, '--model', model('question-answering'))).stderr).toBe('bert-lens qa: missing --question "..."\n');
    const empty = await cli('qa', target, '--question', ' ', '--model', model('question-answering'));
    expect(empty).toMatchObject({ code: 2, stderr: 'bert-lens qa: the question is empty\n' });
    const wrongHead = await cli('qa', target, '--question', 'Where?', '--model', model('masked-lm'));
    expect(wrongHead.code).toBe(2);
    expect(wrongHead.stderr).toMatch(/^bert-lens qa: .*masked-lm is a BertForMaskedLM .*needs a question-answering head \(BertForQuestionAnswering\)/);
  });
});

describe('bert-lens classify', () => {
  it('prints every label sorted by score by default (bundled sentiment model); --top-k above the count gives all', async () => {
    const target = file('review.txt', 'The movie was very good.');
    const all = await cli('classify', target, '--json');
    expect(all.code).toBe(0);
    const results = JSON.parse(all.stdout) as Array<{ label: string; score: number }>;
    expect(results.map((r) => r.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(results[0]!.score).toBeGreaterThanOrEqual(results[1]!.score);
    expect(JSON.parse((await cli('classify', target, '--top-k', '9', '--json')).stdout)).toEqual(results);
    expect(JSON.parse((await cli('classify', target, '--top-k', '1', '--json')).stdout)).toEqual([results[0]]);
  });

  it('--per-paragraph prints [{start, end, results}]; --text-pair classifies the pair', async () => {
    const text = 'The movie was good.\n\nThe film was terrible.\n';
    const target = file('paragraphs.txt', text);
    const { code, stdout } = await cli('classify', target, '--per-paragraph', '--model', model('sequence-classification-multilabel'), '--json');
    expect(code).toBe(0);
    const paragraphs = JSON.parse(stdout) as Array<{ start: number; end: number; results: Array<{ label: string }> }>;
    expect(paragraphs.map((p) => text.slice(p.start, p.end))).toEqual(['The movie was good.', 'The film was terrible.']);
    for (const p of paragraphs) expect(p.results).toHaveLength(4);
    const pair = await cli('classify', target, '--text-pair', file('pair.txt', 'It was fun.'), '--model', model('sequence-classification'), '--json');
    expect(pair.code).toBe(0);
    expect(JSON.parse(pair.stdout)).toHaveLength(2);
  });

  it('rejects a bad --function-to-apply with exit code 2', async () => {
    const target = file('x.txt', 'text');
    expect(await cli('classify', target, '--function-to-apply', 'relu')).toMatchObject({ code: 2, stderr: 'bert-lens classify: --function-to-apply must be one of softmax, sigmoid, none, got "relu"\n' });
  });
});

describe('bert-lens fill-mask, nsp, generate, choice', () => {
  it('fill-mask --json: one list per mask of {score, token, token_str, sequence}; no mask is an error', async () => {
    const { code, stdout } = await cli('fill-mask', '--text', 'The [MASK] was founded by [MASK] Smith .', '--model', model('masked-lm'), '--top-k', '2', '--json');
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Array<Array<Record<string, unknown>>>;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toHaveLength(2);
      expect(Object.keys(row[0]!)).toEqual(['score', 'token', 'token_str', 'sequence']);
    }
    const noMask = await cli('fill-mask', '--text', 'Paris is in France.', '--model', model('masked-lm'));
    expect(noMask).toMatchObject({ code: 2, stderr: "bert-lens fill-mask: no [MASK] in the text: put the model's mask token [MASK] where a word should be predicted\n" });
  });

  it('nsp --json: {isNextProbability, scores}; text files work too', async () => {
    const { code, stdout } = await cli('nsp', '--a', 'Paris is in France.', '--b-file', file('b.txt', 'The river runs through the city.'), '--model', model('pretraining'), '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { isNextProbability: number; scores: Array<{ label: string; score: number }> };
    expect(result.scores.map((s) => s.label).sort()).toEqual(['IsNext', 'NotNext']);
    expect(result.scores.find((s) => s.label === 'IsNext')!.score).toBe(result.isNextProbability);
    expect((await cli('nsp', '--a', 'A.', '--model', model('pretraining'))).code).toBe(2);
  });

  it('generate --json: {generated_text, continuation, tokens, finish_reason}', async () => {
    const { code, stdout } = await cli('generate', '--prompt', 'Paris is in', '--model', model('causal-lm'), '--max-new-tokens', '4', '--json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { generated_text: string; continuation: string; tokens: unknown[]; finish_reason: string };
    expect(result.generated_text).toBe(`Paris is in${result.continuation}`);
    expect(result.tokens.length).toBeLessThanOrEqual(4);
    expect(['max_new_tokens', 'eos']).toContain(result.finish_reason);
    expect((await cli('generate', '--prompt', 'x', '--model', model('causal-lm'), '--temperature', '0.5')).stderr).toBe('bert-lens generate: --top-k and --temperature need --strategy top-k\n');
  });

  it('choice: --choice flags or a --choices file; fewer than two choices is an error', async () => {
    const flags = await cli('choice', '--prompt', 'Where?', '--choice', 'in Paris', '--choice', 'in Texas', '--model', model('multiple-choice'), '--json');
    expect(flags.code).toBe(0);
    const scores = JSON.parse(flags.stdout) as Array<{ index: number; choice: string; score: number }>;
    expect(scores.map((s) => s.choice).sort()).toEqual(['in Paris', 'in Texas']);
    const fromFile = await cli('choice', '--prompt', 'Where?', '--choices', file('choices.txt', 'in Paris\n\nin Texas\r\n'), '--model', model('multiple-choice'), '--json');
    expect(JSON.parse(fromFile.stdout)).toEqual(scores);
    const one = await cli('choice', '--prompt', 'Where?', '--choice', 'in Paris', '--model', model('multiple-choice'));
    expect(one).toMatchObject({ code: 2, stderr: 'bert-lens choice: multiple choice needs at least two choices, got 1\n' });
  });
});
