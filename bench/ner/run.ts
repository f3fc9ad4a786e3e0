// NER throughput against the anchors measured in the same run, on BERT-base-size weights (12 layers,
// hidden 768, seeded) over a ~24,000-token English document (WikiANN and SST-2 dev sentences laid out
// as paragraphs of 5 sentences by src/core/data/documentLayout.ts, as `evaluate --layout paragraphs`):
//
//   npx tsx bench/ner/run.ts [--rounds 3] [--tokens 24000] [--keep DIR] [--size base|tiny] [--model DIR]
//
// Rows (each the median of --rounds interleaved rounds, so machine load hits every row alike):
//   transformers.js   @huggingface/transformers token-classification pipeline, sentence by sentence,
//                     on the unfused fp32 graph (what it would run for such a model)
//   raw ORT unfused   onnxruntime-node on that unfused graph, 128-token windows, batches of 16
//   ours fp32         recognizeEntities, the document pipeline at the editor's defaults (its own
//                     windows, whole-word aggregation), with the fused graph (Attention, SkipLayerNorm, ...)
//   ours int8         the same with the int8 graph
//   raw ORT fused     onnxruntime-node alone on exactly the batches ours fp32 ran (recorded from the
//                     pipeline's session, so whatever windowing the pipeline uses is what is replayed)
// Ratios printed: ours ÷ transformers.js (tokens/s), ours fp32 ÷ raw ORT fused (time: the cost of
// tokenization, offsets and postprocessing), and int8 vs fp32 token-label agreement.
// --model DIR additionally measures label agreement int8 vs fp32 on a trained model folder.
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { parseBertConfig } from '../../src/core/bert/config';
import { exportInferenceOnnx } from '../../src/core/bert/buildGraph';
import { initWeights } from '../../src/core/bert/init';
import { saveModelFolder } from '../../src/core/bert/saveFolder';
import { weightSpecs } from '../../src/core/bert/weightNames';
import { loadModel, type LoadedModel } from '../../src/core/runtime/loadModel';
import { createSession, tensor } from '../../src/core/runtime/ort';
import { serializeTokenizer } from '../../src/core/runtime/tokenizer/tokenizerWriter';
import { specFromTrained, trainWordPiece } from '../../src/core/runtime/tokenizer/wordpieceTrainer';
import type { Encoding } from '../../src/core/runtime/tokenizer/encoding';
import { recognizeEntities, type RecognizeOptions } from '../../src/core/tasks/tokenClassification/pipeline';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { corpus } from './corpus';

const argv = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback;
}
const ROUNDS = Number(flag('rounds', '3'));
const TOKENS = Number(flag('tokens', '24000'));
const SIZE = flag('size', 'base');
const LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];

/** What the editor's Recognize Entities passes by default (package.json bertLens.ner.*); windows are the pipeline's own. */
const EDITOR_OPTIONS: RecognizeOptions = { aggregationStrategy: 'first', batchSize: 16 };

type Feeds = Record<string, Ort.Tensor>;

/** The model with a session that keeps every batch it is given, to replay them on raw ORT. */
function recording(model: LoadedModel, feeds: Feeds[]): LoadedModel {
  const session = new Proxy(model.session, {
    get(target, property) {
      if (property === 'run') return (input: Feeds, ...rest: unknown[]) => {
        feeds.push(input);
        return (target.run as (...args: unknown[]) => unknown)(input, ...rest);
      };
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { ...model, session };
}

async function buildModel(dir: string, text: string): Promise<void> {
  const dims = SIZE === 'tiny'
    ? { hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 128 }
    : { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072 };
  const trained = trainWordPiece(text.split(/(?<=[.!?])\s+/), { vocabSize: 30522, lowercase: false });
  const spec = specFromTrained(trained, 512);
  const config = parseBertConfig({ ...dims, vocab_size: trained.vocab.length, id2label: Object.fromEntries(LABELS.map((l, i) => [String(i), l])) });
  const files = serializeTokenizer(spec);
  const weights = initWeights(weightSpecs(config, 'token-classification'), config, 7);
  await saveModelFolder(dir, {
    config,
    head: 'token-classification',
    weights,
    tokenizerFiles: { 'tokenizer.json': files.tokenizerJson, 'vocab.txt': files.vocabTxt, 'tokenizer_config.json': files.tokenizerConfig, 'special_tokens_map.json': files.specialTokensMap },
    onnx: false,
  });
  const lookup = (n: string) => weights.get(n)!;
  // transformers.js and the raw-ORT anchor get the plain (unfused) graph, as an exporter would produce.
  await writeFileAtomic(path.join(dir, 'unfused', 'model.onnx'), exportInferenceOnnx(config, 'token-classification', lookup, { fused: false }));
  await writeFileAtomic(path.join(dir, 'onnx', 'model.onnx'), exportInferenceOnnx(config, 'token-classification', lookup));
  await writeFileAtomic(path.join(dir, 'onnx', 'model_quantized.onnx'), exportInferenceOnnx(config, 'token-classification', lookup, { quantize: 'int8' }));
}

function feedsFor(windows: readonly Encoding[], batchSize: number): Array<Record<string, Ort.Tensor>> {
  const order = windows.map((_, i) => i).sort((a, b) => windows[a]!.ids.length - windows[b]!.ids.length);
  const feeds: Array<Record<string, Ort.Tensor>> = [];
  for (let at = 0; at < order.length; at += batchSize) {
    const members = order.slice(at, at + batchSize);
    const length = Math.max(...members.map((i) => windows[i]!.ids.length));
    const ids = new BigInt64Array(members.length * length);
    const mask = new BigInt64Array(members.length * length);
    const types = new BigInt64Array(members.length * length);
    members.forEach((w, r) => windows[w]!.ids.forEach((id, t) => {
      ids[r * length + t] = BigInt(id);
      mask[r * length + t] = 1n;
    }));
    feeds.push({ input_ids: tensor('int64', ids, [members.length, length]), attention_mask: tensor('int64', mask, [members.length, length]), token_type_ids: tensor('int64', types, [members.length, length]) });
  }
  return feeds;
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Token labels (argmax per token, windows as recognizeEntities builds them) for agreement checks. */
async function tokenLabels(model: LoadedModel, text: string, maxLength: number): Promise<number[]> {
  const windows = model.tokenizer.windows(text, { maxLength, stride: 0 });
  const labels: number[] = [];
  const width = Object.keys(model.config.id2label).length;
  for (const feed of feedsFor(windows, 16)) {
    const out = await model.session.run(feed);
    const logits = out.logits!.data as Float32Array;
    const [rows, length] = out.logits!.dims as [number, number];
    const mask = feed.attention_mask!.data as BigInt64Array;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < length; t++) {
        if (mask[r * length + t] === 0n) continue;
        let best = 0;
        for (let k = 1; k < width; k++) if (logits[(r * length + t) * width + k]! > logits[(r * length + t) * width + best]!) best = k;
        labels.push(best);
      }
    }
  }
  return labels;
}

async function agreement(dir: string, text: string, maxLength: number): Promise<number> {
  const fp32 = await loadModel(dir, { head: 'token-classification', quantized: false, threads: 2 });
  const int8 = await loadModel(dir, { head: 'token-classification', quantized: true, threads: 2 });
  const a = await tokenLabels(fp32, text, maxLength);
  const b = await tokenLabels(int8, text, maxLength);
  await fp32.session.release();
  await int8.session.release();
  return a.filter((label, i) => label === b[i]).length / a.length;
}

async function main(): Promise<void> {
  const keep = flag('keep', '');
  const dir = keep || mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-ner-'));
  const { text: prose, sentenceSpans } = corpus();
  if (!existsSync(path.join(dir, 'config.json'))) {
    process.stdout.write(`building a ${SIZE} model in ${dir}...\n`);
    await buildModel(dir, prose);
  }
  const fp32 = await loadModel(dir, { head: 'token-classification', threads: 2 });
  const int8 = await loadModel(dir, { head: 'token-classification', quantized: true, threads: 2 });
  // Cut the prose to the requested number of tokens.
  const { offsets } = fp32.tokenizer.encodeIdsWithOffsets(prose, { addSpecialTokens: false });
  const count = Math.min(TOKENS, offsets.length / 2);
  const text = prose.slice(0, offsets[2 * (count - 1) + 1]);
  // transformers.js has no windowing: it gets the document's sentences one by one.
  const sentences = sentenceSpans.filter(([, end]) => end <= text.length).map(([start, end]) => text.slice(start, end));
  process.stdout.write(`document: ${count} tokens, ${text.length} characters, ${sentences.length} sentences, ${text.split('\n\n').length} paragraphs\n`);

  const unfused = await createSession(path.join(dir, 'unfused', 'model.onnx'), { intraOpNumThreads: 2 });
  const unfusedFeeds = feedsFor(fp32.tokenizer.windows(text, { maxLength: 128, stride: 0 }), 16);
  // The batches the document pipeline runs, taken from its session (not rebuilt here, so a change of
  // the pipeline's windowing changes the anchor with it).
  const fusedFeeds: Feeds[] = [];
  await recognizeEntities(recording(fp32, fusedFeeds), text, EDITOR_OPTIONS);
  const windowTokens = fusedFeeds.reduce((sum, feed) => sum + (feed.attention_mask!.data as BigInt64Array).reduce((a, b) => a + Number(b), 0), 0);
  process.stdout.write(`pipeline: ${fusedFeeds.length} batches, ${windowTokens} window tokens (${(windowTokens / count).toFixed(2)}× the document's)\n`);

  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(dir);
  // transformers.js reads onnx/model.onnx: point a sibling folder's onnx/ at the unfused graph.
  const jsDir = `${dir}-transformersjs`;
  await fs.mkdir(path.join(jsDir, 'onnx'), { recursive: true });
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt']) await fs.copyFile(path.join(dir, name), path.join(jsDir, name));
  await fs.copyFile(path.join(dir, 'unfused', 'model.onnx'), path.join(jsDir, 'onnx', 'model.onnx'));
  const classifier = await pipeline('token-classification', path.basename(jsDir), { dtype: 'fp32', session_options: { intraOpNumThreads: 2 } } as never);

  const rows: Record<string, number[]> = { 'transformers.js': [], 'raw ORT unfused': [], 'ours fp32': [], 'ours int8': [], 'raw ORT fused': [] };
  for (let round = 0; round < ROUNDS; round++) {
    rows['transformers.js']!.push(await time(async () => {
      for (const sentence of sentences) await classifier(sentence);
    }));
    rows['raw ORT unfused']!.push(await time(async () => {
      for (const feed of unfusedFeeds) await unfused.run(feed);
    }));
    rows['ours fp32']!.push(await time(() => recognizeEntities(fp32, text, EDITOR_OPTIONS)));
    rows['ours int8']!.push(await time(() => recognizeEntities(int8, text, EDITOR_OPTIONS)));
    rows['raw ORT fused']!.push(await time(async () => {
      for (const feed of fusedFeeds) await fp32.session.run(feed);
    }));
    process.stdout.write(`round ${round + 1}: ${Object.entries(rows).map(([k, v]) => `${k} ${(v[round]! / 1000).toFixed(2)} s`).join(', ')}\n`);
  }
  const tokensPerSecond = (name: string) => count / (median(rows[name]!) / 1000);
  process.stdout.write('\n| row | median time (s) | tokens/s |\n|---|---|---|\n');
  for (const name of Object.keys(rows)) process.stdout.write(`| ${name} | ${(median(rows[name]!) / 1000).toFixed(2)} | ${tokensPerSecond(name).toFixed(0)} |\n`);
  const agree = await agreement(dir, text, 128);
  process.stdout.write(`\nours fp32 ÷ transformers.js (tokens/s): ${(tokensPerSecond('ours fp32') / tokensPerSecond('transformers.js')).toFixed(2)}× (goal ≥ 1.25)\n`);
  process.stdout.write(`ours int8 ÷ transformers.js (tokens/s): ${(tokensPerSecond('ours int8') / tokensPerSecond('transformers.js')).toFixed(2)}× (goal ≥ 3)\n`);
  process.stdout.write(`raw ORT unfused ÷ transformers.js (tokens/s): ${(tokensPerSecond('raw ORT unfused') / tokensPerSecond('transformers.js')).toFixed(2)}×\n`);
  process.stdout.write(`ours fp32 time ÷ raw ORT fused time (same windows): ${(median(rows['ours fp32']!) / median(rows['raw ORT fused']!)).toFixed(3)} (goal ≤ 1.1)\n`);
  process.stdout.write(`int8 vs fp32 token labels equal (random seeded weights): ${(100 * agree).toFixed(2)} %\n`);
  const trained = flag('model', '');
  if (trained) {
    const hasFp32 = existsSync(path.join(trained, 'model.safetensors')) || existsSync(path.join(trained, 'onnx', 'model.onnx'));
    if (hasFp32) process.stdout.write(`int8 vs fp32 token labels equal (${trained}): ${(100 * (await agreement(trained, text, 128))).toFixed(2)} % (goal ≥ 99 %)\n`);
  }
  await unfused.release();
  await fp32.session.release();
  await int8.session.release();
  if (!keep) rmSync(dir, { recursive: true, force: true });
  rmSync(jsDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/ner: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
