// QA over a ~5,000-token context with a BERT-base-size model (12 layers, hidden 768, 12 heads, 3072
// intermediate; seeded weights rigged so that the answer is a known "needle", see scripts/needleQaModel.ts).
//   npx tsx bench/qa/run.ts [--repeats 5] [--batch-size 16] [--keep DIR] [--size base|tiny]
// (--size tiny: a 2-layer, hidden-32 model that checks the script in seconds; its ratio means little.)
// Prints: our answerQuestion time ÷ raw ONNX Runtime time for exactly the same windows and batches (goal
// ≤ 1.15), and what the @huggingface/transformers QA pipeline does with the same model and input.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { loadModel } from '../../src/core/runtime/loadModel';
import { tensor } from '../../src/core/runtime/ort';
import type { Encoding } from '../../src/core/runtime/tokenizer/encoding';
import { answerQuestion } from '../../src/core/tasks/questionAnswering/pipeline';
import { postprocessQuestionAnswering } from '../../src/core/tasks/questionAnswering/postprocess';
import { forwardWindows } from '../../src/core/tasks/shared/forward';
import { Random } from '../../src/core/util/random';
import { buildNeedleQaModel } from '../../scripts/needleQaModel';

const NEEDLE = 'Obama Google';
const QUESTION = 'Who is in the text?';
const FILLER = 'the city of London is in England and the company was founded by John Smith in New York during the war .'.split(' ');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

function words(seed: number, count: number): string {
  const random = new Random(seed);
  return Array.from({ length: count }, () => FILLER[random.int(FILLER.length)]!).join(' ');
}

/** The batches forwardWindows builds: windows sorted by length, cut into batches, padded to the longest. */
function batchFeeds(session: Ort.InferenceSession, windows: readonly Encoding[], batchSize: number, padId: number): Array<Record<string, Ort.Tensor>> {
  const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
  const feeds: Array<Record<string, Ort.Tensor>> = [];
  for (let at = 0; at < order.length; at += batchSize) {
    const members = order.slice(at, at + batchSize);
    const length = Math.max(...members.map((i) => windows[i]!.ids.length));
    const ids = new BigInt64Array(members.length * length).fill(BigInt(padId));
    const mask = new BigInt64Array(members.length * length);
    const types = new BigInt64Array(members.length * length);
    members.forEach((w, r) => windows[w]!.ids.forEach((id, t) => {
      ids[r * length + t] = BigInt(id);
      mask[r * length + t] = 1n;
      types[r * length + t] = BigInt(windows[w]!.typeIds[t]!);
    }));
    const dims = [members.length, length];
    const feed: Record<string, Ort.Tensor> = {};
    if (session.inputNames.includes('input_ids')) feed.input_ids = tensor('int64', ids, dims);
    if (session.inputNames.includes('attention_mask')) feed.attention_mask = tensor('int64', mask, dims);
    if (session.inputNames.includes('token_type_ids')) feed.token_type_ids = tensor('int64', types, dims);
    feeds.push(feed);
  }
  return feeds;
}

interface Timing {
  wall: number[];
  /** CPU time of this process (user + system, all threads: ORT's pool included), ms. */
  cpu: number[];
}

async function timed(timing: Timing, run: () => Promise<void>): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  timing.wall.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  timing.cpu.push((used.user + used.system) / 1000);
}

const min = (values: readonly number[]) => Math.min(...values);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

function describe(timing: Timing): string {
  return `wall min ${seconds(min(timing.wall))} s, median ${seconds(median(timing.wall))} s; CPU min ${seconds(min(timing.cpu))} s ` +
    `(wall runs: ${timing.wall.map(seconds).join(', ')})`;
}

async function main(): Promise<void> {
  const repeats = Number(flag('repeats', '5'));
  const batchSize = Number(flag('batch-size', '16'));
  const keep = flag('keep', '');
  const size = flag('size', 'base') === 'tiny'
    ? { hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 37 }
    : { hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072 };
  const dir = keep || mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-qa-'));
  try {
    if (!existsSync(path.join(dir, 'onnx', 'model.onnx'))) {
      const start = performance.now();
      await buildNeedleQaModel(dir, { ...size, maxPositions: 512, needle: ['Obama', 'Google'], seed: 1 });
      console.log(`built the needle model (${size.numLayers} layers, hidden ${size.hiddenSize}) in ${((performance.now() - start) / 1000).toFixed(1)} s: ${dir}`);
    }
    const model = await loadModel(dir, { head: 'question-answering' });
    const context = `${words(1, 3950)} ${NEEDLE} ${words(2, 100)}`;
    const needleAt = context.indexOf(NEEDLE);
    const contextTokens = model.tokenizer.encode(context, { addSpecialTokens: false }).ids.length;
    const needleToken = model.tokenizer.encode(context.slice(0, needleAt), { addSpecialTokens: false }).ids.length;
    const windows = model.tokenizer.pairWindows(QUESTION, context, { maxLength: 384, stride: 128 });
    console.log(`context: ${contextTokens} tokens, ${context.length} UTF-16 units; needle "${NEEDLE}" at token ${needleToken}; ` +
      `${windows.length} windows of ≤384 tokens (doc_stride 128), batches of ${batchSize}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}`);

    // Warm-up: first runs allocate ORT's arenas.
    const answers = await answerQuestion(model, QUESTION, context, { topK: 3, batchSize });
    const feeds = batchFeeds(model.session, windows, batchSize, model.tokenizer.padTokenId ?? 0);
    for (const feed of feeds) await model.session.run(feed);

    // The pipeline's own work, timed alone (steady even on a loaded machine).
    const tokenizeStart = performance.now();
    for (let r = 0; r < 5; r++) model.tokenizer.pairWindows(QUESTION, context, { maxLength: 384, stride: 128 });
    const tokenizeMs = (performance.now() - tokenizeStart) / 5;
    const outputs = await forwardWindows(model.session, windows, { tokenOutputs: ['start_logits', 'end_logits'], batchSize, padTokenId: model.tokenizer.padTokenId });
    const postprocessStart = performance.now();
    for (let r = 0; r < 5; r++) {
      postprocessQuestionAnswering(windows.map((encoding, i) => ({ encoding, startLogits: outputs[i]!.start_logits!, endLogits: outputs[i]!.end_logits! })), {
        context, topK: 3, clsTokenId: model.tokenizer.clsTokenId,
      });
    }
    const postprocessMs = (performance.now() - postprocessStart) / 5;

    // Interleaved, so that load from other processes on a shared machine hits both sides alike; the CPU
    // time of this process is the steadier figure there.
    const ours: Timing = { wall: [], cpu: [] };
    const raw: Timing = { wall: [], cpu: [] };
    for (let r = 0; r < repeats; r++) {
      await timed(ours, async () => {
        await answerQuestion(model, QUESTION, context, { topK: 3, batchSize });
      });
      await timed(raw, async () => {
        for (const feed of feeds) {
          const outputs = await model.session.run(feed);
          for (const output of Object.values(outputs)) output.dispose?.();
        }
      });
    }
    const found = answers[0]!;
    console.log(`bert-lens answerQuestion (tokenize + forward + postprocess): ${describe(ours)}`);
    console.log(`raw ORT session.run on the same windows and batches:       ${describe(raw)}`);
    const paired = ours.wall.map((t, i) => t / raw.wall[i]!);
    console.log(`pipeline work outside ORT (measured alone): tokenization ${tokenizeMs.toFixed(1)} ms, postprocessing ${postprocessMs.toFixed(1)} ms ` +
      `→ expected ratio ${((min(raw.wall) + tokenizeMs + postprocessMs) / min(raw.wall)).toFixed(3)}`);
    console.log(`ratio ours / raw ORT: median of the ${repeats} interleaved pairs ${median(paired).toFixed(3)}, wall (min/min) ${(min(ours.wall) / min(raw.wall)).toFixed(3)}, wall (median/median) ` +
      `${(median(ours.wall) / median(raw.wall)).toFixed(3)}, CPU (min/min) ${(min(ours.cpu) / min(raw.cpu)).toFixed(3)}  (goal ≤ 1.15)`);
    console.log(`bert-lens answer: ${JSON.stringify(found)} — ${found.start === needleAt && found.answer === NEEDLE ? 'the needle, exact offsets' : 'NOT the needle'}`);
    await model.session.release();

    const { pipeline, env } = await import('@huggingface/transformers');
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = path.dirname(dir);
    const qa = await pipeline('question-answering', path.basename(dir), { dtype: 'fp32' });
    await qa(QUESTION, `${words(3, 50)} ${NEEDLE} ${words(4, 50)}`); // warm-up, and proof it reads the model: the needle in view
    const visible = (await qa(QUESTION, `${words(3, 50)} ${NEEDLE} ${words(4, 50)}`)) as { answer: string; score: number };
    let jsResult: unknown;
    const js: Timing = { wall: [], cpu: [] };
    await timed(js, async () => {
      jsResult = await qa(QUESTION, context);
    });
    console.log(`transformers.js, needle in a short context: ${JSON.stringify(visible)}`);
    console.log(`transformers.js, same ~5,000-token context: ${seconds(js.wall[0]!)} s wall, ${seconds(js.cpu[0]!)} s CPU, ${JSON.stringify(jsResult)} — ` +
      `${(jsResult as { answer?: string }).answer === NEEDLE ? 'found the needle' : 'did not find the needle (it truncates to one window)'}`);
    await qa.dispose();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
