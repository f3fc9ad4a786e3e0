/**
 * Inputs of the end-to-end pipeline checks against PyTorch (test/unit/pipelines/pytorchPipelines.test.ts).
 *
 * Regenerate both steps (from the repository root):
 *     npx tsx scripts/pipelineReferenceCases.ts
 *     /usr/bin/python3 scripts/reference/make_pipeline_refs.py test/fixtures/tasks/pipelines_e2e.json
 *
 * Step 1 (this file) writes, for every case, the texts and options the test will pass to the pipeline and
 * the token ids our tokenizer produces for them (QA: every window with offsets, word and sequence ids).
 * Step 2 runs the independent PyTorch BERT (bert_torch.py) on those ids and HF's postprocessing (ports in
 * hf_pipeline_postprocess.py) to add each case's expected result. Pairs (NSP, multiple choice) are
 * recorded untruncated: the Python side applies HF's longest-first truncation itself.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig } from '../src/core/bert/config';
import { BertTokenizer } from '../src/core/runtime/tokenizer/bertTokenizer';
import { loadBertTokenizer } from '../src/core/runtime/tokenizer/tokenizerFiles';
import { writeFileAtomic } from '../src/core/util/atomicWrite';
import { Random } from '../src/core/util/random';

const ROOT = path.join(__dirname, '..');
const MODELS = path.join(ROOT, 'test', 'fixtures', 'models');
export const PIPELINE_CASES_FILE = path.join(ROOT, 'test', 'fixtures', 'tasks', 'pipelines_e2e.json');

const FILLER = `the city of London is in England and the company was founded by John Smith in New York during
the war . Mary said the film was very good but the series was boring . Paris is in France where the river
runs through the city . headquarters of Google are in California while Microsoft is in Texas . café crème
and naïve students were born in Berlin , Germany . the university team played a great game in Japan .`.split(/\s+/);

/** `count` words drawn from the filler text with a seeded generator, joined by spaces. */
function words(seed: number, count: number): string {
  const random = new Random(seed);
  return Array.from({ length: count }, () => FILLER[random.int(FILLER.length)]!).join(' ');
}

function limitOf(model: string): number {
  const config = parseBertConfig(JSON.parse(readFileSync(path.join(MODELS, model, 'config.json'), 'utf8')));
  return config.max_position_embeddings;
}

function windowRecord(encoding: { ids: number[]; typeIds: number[]; offsets: Array<[number, number]>; wordIds: Array<number | null>; sequenceIds: Array<number | null> }) {
  return { ids: encoding.ids, typeIds: encoding.typeIds, offsets: encoding.offsets, wordIds: encoding.wordIds, sequenceIds: encoding.sequenceIds };
}

/** The defaults answerQuestion applies, so that the recorded windows are the pipeline's own. */
function qaCase(tokenizer: BertTokenizer, name: string, question: string, context: string, options: Record<string, unknown>) {
  const maxSeqLen = Math.min((options.maxSeqLen as number | undefined) ?? 384, limitOf('question-answering'));
  const docStride = (options.docStride as number | undefined) ?? Math.min(Math.floor(maxSeqLen / 2), 128);
  const windows = tokenizer.pairWindows(question, context, { maxLength: maxSeqLen, stride: docStride });
  return { task: 'qa', name, model: 'question-answering', question, context, options, windows: windows.map(windowRecord) };
}

function classifyCase(tokenizer: BertTokenizer, name: string, model: string, text: string, options: Record<string, unknown>, textPair?: string) {
  const maxLength = Math.min((options.maxLength as number | undefined) ?? Infinity, limitOf(model));
  const stride = Math.floor(maxLength / 4);
  const windows = textPair === undefined
    ? tokenizer.windows(text, { maxLength, stride })
    : tokenizer.pairWindows(text, textPair, { maxLength, stride });
  return { task: 'classify', name, model, text, ...(textPair === undefined ? {} : { textPair }), options, windows: windows.map((w) => ({ ids: w.ids, typeIds: w.typeIds })) };
}

function fillMaskCase(tokenizer: BertTokenizer, name: string, model: string, text: string, options: { topK?: number; targets?: string[] }) {
  const firstTokenIds = Object.fromEntries((options.targets ?? []).map((t) => [t, tokenizer.encode(t, { addSpecialTokens: false }).ids[0] ?? null]));
  return { task: 'fill-mask', name, model, text, options, inputIds: tokenizer.encode(text).ids, targetFirstTokenIds: firstTokenIds };
}

/** A filler prompt of exactly `count` tokens after [CLS] (words are added while they fit). */
function promptOfTokens(tokenizer: BertTokenizer, count: number): string {
  const pool = words(10, 200).split(' ');
  let prompt = '';
  for (const word of pool) {
    const next = prompt ? `${prompt} ${word}` : word;
    if (tokenizer.encode(next, { addSpecialTokens: false }).ids.length > count) break;
    prompt = next;
  }
  return prompt;
}

const content = (tokenizer: BertTokenizer, text: string) => tokenizer.encode(text, { addSpecialTokens: false }).ids;

async function main(): Promise<void> {
  const tokenizer = await loadBertTokenizer(path.join(MODELS, 'question-answering'));
  const longContext = `${words(1, 180)} the answer is the Eiffel Tower in Paris . ${words(2, 120)}`;
  const cases = [
    qaCase(tokenizer, 'short context, top 3', 'Where is the company?', 'The company was founded by John Smith in New York during the war.', { topK: 3 }),
    qaCase(tokenizer, 'long context: windows of 48, stride 12, impossible answer', 'Where is the Eiffel Tower?', longContext, {
      topK: 4, maxSeqLen: 48, docStride: 12, handleImpossibleAnswer: true,
    }),
    qaCase(tokenizer, 'long context: token offsets, max_answer_len 3', 'Who founded the company?', longContext, {
      topK: 5, maxSeqLen: 40, docStride: 8, alignToWords: false, maxAnswerLen: 3,
    }),
    qaCase(tokenizer, 'multi-piece words widened to whole words', 'What is near the headquarters?', `${words(3, 30)} headquarters naïve café crème ${words(4, 20)}`, { topK: 3 }),
    classifyCase(tokenizer, 'single label, every score', 'sequence-classification', 'The movie was very good and really fun .', { topK: null }),
    classifyCase(tokenizer, 'single label, HF default top label', 'sequence-classification', 'Mary said the film was boring .', {}),
    classifyCase(tokenizer, 'long text: windows averaged', 'sequence-classification', words(5, 200), { topK: null }),
    classifyCase(tokenizer, 'sentence pair', 'sequence-classification', 'Paris is in France .', { topK: null }, 'The city of London is in England .'),
    classifyCase(tokenizer, 'long pair: the second text windowed', 'sequence-classification', 'Is the film good ?', { topK: null, maxLength: 32 }, words(6, 90)),
    classifyCase(tokenizer, 'multi-label (sigmoid by problem_type)', 'sequence-classification-multilabel', 'the team played a great game in Japan', { topK: null }),
    classifyCase(tokenizer, 'multi-label, softmax forced, top 2', 'sequence-classification-multilabel', 'the team played a great game in Japan', { topK: 2, functionToApply: 'softmax' }),
    classifyCase(tokenizer, 'regression (raw value)', 'sequence-classification-regression', 'The movie was terrible .', { topK: null }),
    fillMaskCase(tokenizer, 'one mask', 'masked-lm', 'Paris is the [MASK] of France .', { topK: 5 }),
    fillMaskCase(tokenizer, 'two masks', 'masked-lm', 'The [MASK] was founded by [MASK] Smith .', { topK: 3 }),
    fillMaskCase(tokenizer, 'targets, one outside the vocabulary', 'masked-lm', 'Paris is in [MASK] .', { targets: ['France', 'Japan', 'zzz'] }),
    fillMaskCase(tokenizer, 'pretraining model', 'pretraining', 'John [MASK] in New York .', { topK: 4 }),
    fillMaskCase(tokenizer, 'text longer than the model: each mask read from its most central window', 'masked-lm',
      `${words(21, 20)} [MASK] ${words(22, 60)} [MASK] ${words(23, 50)} [MASK] .`, { topK: 3 }),
    ...(['next-sentence', 'pretraining'] as const).map((model) => ({
      task: 'nsp', name: `pair (${model})`, model, a: 'Paris is in France .', b: 'The river runs through the city .',
      aIds: content(tokenizer, 'Paris is in France .'), bIds: content(tokenizer, 'The river runs through the city .'), maxLength: limitOf(model),
    })),
    (() => {
      const a = words(7, 50);
      const b = words(8, 40);
      return { task: 'nsp', name: 'pair longer than the model: longest-first cut', model: 'next-sentence', a, b, aIds: content(tokenizer, a), bIds: content(tokenizer, b), maxLength: limitOf('next-sentence') };
    })(),
    (() => {
      const prompt = 'Where was the company founded ?';
      const choices = ['in New York', 'by John Smith during the war', 'in Paris , France', words(9, 70)];
      return {
        task: 'choice', name: 'four choices, one longer than the model', model: 'multiple-choice', prompt, choices,
        promptIds: content(tokenizer, prompt), choiceIds: choices.map((c) => content(tokenizer, c)), maxLength: limitOf('multiple-choice'),
      };
    })(),
    ...[
      { name: 'greedy, 12 tokens', prompt: 'Paris is in', maxNewTokens: 12 },
      { name: 'greedy up to the position limit', prompt: promptOfTokens(tokenizer, 56), maxNewTokens: 30 },
    ].map(({ name, prompt, maxNewTokens }) => {
      const ids = tokenizer.encode(prompt).ids;
      return { task: 'generate', name, model: 'causal-lm', prompt, maxNewTokens, promptIds: ids.slice(0, -1), limit: limitOf('causal-lm'), eosTokenId: tokenizer.sepTokenId };
    }),
  ];
  await writeFileAtomic(PIPELINE_CASES_FILE, JSON.stringify({ generator: 'scripts/pipelineReferenceCases.ts', cases }) + '\n');
  process.stdout.write(`${path.relative(process.cwd(), PIPELINE_CASES_FILE)}: ${cases.length} cases\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pipelineReferenceCases: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
