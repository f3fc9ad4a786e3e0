// NER over the benchmark document (bench/ner/corpus.ts: ~24,000 tokens of WikiANN + SST-2 dev prose in
// paragraphs) with the family's base-size architectures on seeded random weights of the real sizes
// (no download): RoBERTa-base (12 layers, hidden 768, 12 heads, FFN 3072, vocabulary 50,265),
// DistilBERT-base (6 layers, hidden 768) and, on request, DeBERTa-v3-base (12 layers, hidden 768,
// vocabulary 128,100, disentangled attention) and ModernBERT-base (22 layers, hidden 768, 12 heads, GeGLU
// 1152, vocabulary 50,368, global attention every 3rd layer, a 128-token window in the others). Ours and
// transformers.js run on the same weights in the same run, rounds interleaved so machine load hits every
// row alike:
//
//   npx tsx bench/family/vsTransformersJs.ts [--models roberta,distilbert,deberta,modernbert] [--rounds 1] [--tokens 24000]
//                                           [--agreement-model models/ner] [--keep DIR] [--layers N]
// (--layers N: a smoke run with N layers instead of the base model's, the other sizes unchanged.)
//
// Rows, per architecture (median of --rounds):
//   transformers.js pipeline   @huggingface/transformers token-classification pipeline, sentence by sentence
//                              (its pipeline has no windowing: a whole document would be cut at 512 tokens),
//                              on onnx/model.onnx = our plain-op (unfused) export of the same weights,
//                              with HF's ONNX input names (input_ids, attention_mask, token_type_ids)
//   transformers.js forward    its model's forward (the same session type) over exactly the windows and
//                              batches ours fp32 ran (recorded from our pipeline's session): the model cost
//                              alone, with no tokenization or postprocessing
//   ours forward               our fp32 session.run over the same recorded batches: the model cost alone in
//                              our session, to tell a pipeline overhead from a session or graph difference
//   ours fp32 / ours int8      recognizeEntities, the document pipeline at the editor's defaults (its
//                              own windows, offsets, whole-word aggregation) on the fused graph / int8 graph
// Ratios: ours ÷ each transformers.js row (tokens of the document per second).
// Label agreement int8 vs fp32: on the random weights (not meaningful for quality: random logits are
// close together) and on a trained model, --agreement-model (default the bundled NER model, a BERT:
// no trained RoBERTa or DistilBERT NER model is bundled).
import { existsSync, mkdtempSync, promises as fs, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { parseBertConfig, type BertConfig } from '../../src/core/bert/config';
import { exportInferenceOnnx } from '../../src/core/bert/buildGraph';
import { initWeights } from '../../src/core/bert/init';
import { saveModelFolder } from '../../src/core/bert/saveFolder';
import { weightSpecs } from '../../src/core/bert/weightNames';
import { loadModel, type LoadedModel } from '../../src/core/runtime/loadModel';
import { byteLevelBpeTokenizerJson } from '../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { readSentencePieceModel } from '../../src/core/runtime/tokenizer/sentencepiece/sentencepieceModel';
import { spmTokenizerJson } from '../../src/core/runtime/tokenizer/sentencepiece/spmConverter';
import { recognizeEntities, type RecognizeOptions } from '../../src/core/tasks/tokenClassification/pipeline';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { corpus } from '../ner/corpus';
import { modernbertTokenizerFiles, withoutRobertaSpecials } from '../../test/fixtures/family/modernbertTokenizer';

const argv = process.argv.slice(2);
function flag(name: string, fallback: string): string {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback;
}
const ROUNDS = Number(flag('rounds', '1'));
const TOKENS = Number(flag('tokens', '24000'));
const MODELS = flag('models', 'roberta,distilbert').split(',').filter(Boolean);
/** A smoke run's layer count (every other size stays the base model's); the real sizes when absent. */
const LAYERS = flag('layers', '');
const ROOT = path.resolve(__dirname, '..', '..');
const TOKENIZERS = path.join(ROOT, 'test', 'fixtures', 'tokenizer');
const LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];
const id2label = Object.fromEntries(LABELS.map((l, i) => [String(i), l]));
const EDITOR_OPTIONS: RecognizeOptions = { aggregationStrategy: 'first', batchSize: Number(flag('batch-size', '16')) };
const THREADS = 2;

type Feeds = Record<string, Ort.Tensor>;

interface Built { config: BertConfig; tokenizerFiles: Record<string, string | Uint8Array> }

/** roberta-base's sizes; the committed byte-level BPE fixture (HF-trained) as its tokenizer. */
function roberta(): Built {
  const source = path.join(TOKENIZERS, 'roberta-bpe');
  const config = { tokenizer_class: 'RobertaTokenizer', model_max_length: 512, add_prefix_space: false, trim_offsets: true, errors: 'replace',
    bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' };
  const specials = { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>',
    mask_token: { content: '<mask>', lstrip: true, normalized: false, rstrip: false, single_word: false } };
  const tokenizer = byteLevelBpeTokenizerJson(readFileSync(path.join(source, 'vocab.json'), 'utf8'), readFileSync(path.join(source, 'merges.txt'), 'utf8'),
    config, specials, { vocab: 'vocab.json', merges: 'merges.txt' });
  return {
    config: parseBertConfig({
      model_type: 'roberta', architectures: ['RobertaForTokenClassification'], vocab_size: 50265, hidden_size: 768, num_hidden_layers: 12,
      num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5,
      pad_token_id: 1, bos_token_id: 0, eos_token_id: 2, id2label,
    }),
    tokenizerFiles: { 'tokenizer.json': JSON.stringify(tokenizer), 'tokenizer_config.json': JSON.stringify(config), 'special_tokens_map.json': JSON.stringify(specials) },
  };
}

/** distilbert-base-cased's sizes; the committed cased WordPiece fixture as its tokenizer. */
function distilbert(): Built {
  const source = path.join(TOKENIZERS, 'bert-cased');
  const tokenizerConfig = { ...(JSON.parse(readFileSync(path.join(source, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>), tokenizer_class: 'DistilBertTokenizer', model_max_length: 512 };
  return {
    config: parseBertConfig({
      model_type: 'distilbert', architectures: ['DistilBertForTokenClassification'], vocab_size: 28996, dim: 768, n_layers: 6, n_heads: 12,
      hidden_dim: 3072, activation: 'gelu', max_position_embeddings: 512, id2label,
    }),
    tokenizerFiles: {
      'tokenizer.json': readFileSync(path.join(source, 'tokenizer.json')),
      'tokenizer_config.json': JSON.stringify(tokenizerConfig),
      'special_tokens_map.json': readFileSync(path.join(source, 'special_tokens_map.json')),
    },
  };
}

/**
 * microsoft/deberta-v3-base's sizes (relative attention with 256 log buckets over 512 positions,
 * share_att_key, p2c|c2p, norm_rel_ebd layer_norm, no absolute positions, no token types); the
 * committed DeBERTa-v3 SentencePiece fixture (spm.model, converted as DebertaV2Converter does, to the
 * tokenizer.json both sides read) as its tokenizer.
 */
function deberta(): Built {
  const source = path.join(ROOT, 'test', 'fixtures', 'family', 'deberta-v3-hub-token-classification');
  const tokenizerConfig = { ...(JSON.parse(readFileSync(path.join(source, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>),
    tokenizer_class: 'DebertaV2Tokenizer', model_max_length: 512 };
  const model = readSentencePieceModel(readFileSync(path.join(source, 'spm.model')), 'spm.model');
  return {
    config: parseBertConfig({
      model_type: 'deberta-v2', architectures: ['DebertaV2ForTokenClassification'], vocab_size: 128100, hidden_size: 768, num_hidden_layers: 12,
      num_attention_heads: 12, intermediate_size: 3072, hidden_act: 'gelu', max_position_embeddings: 512, type_vocab_size: 0, layer_norm_eps: 1e-7,
      pad_token_id: 0, relative_attention: true, position_buckets: 256, max_relative_positions: -1, norm_rel_ebd: 'layer_norm', share_att_key: true,
      pos_att_type: 'p2c|c2p', position_biased_input: false, pooler_hidden_act: 'gelu', pooler_hidden_size: 768, pooler_dropout: 0, id2label,
    }),
    tokenizerFiles: {
      'tokenizer.json': JSON.stringify(spmTokenizerJson(model, 'deberta-v2', tokenizerConfig, {}, 'spm.model')),
      'tokenizer_config.json': JSON.stringify(tokenizerConfig),
    },
  };
}

/**
 * answerdotai/ModernBERT-base's sizes (22 layers, hidden 768, 12 heads, GeGLU intermediate 1152,
 * vocabulary 50,368, a global layer every 3, the others a 128-token window); its tokenizer.json shape
 * over the committed byte-level BPE fixture (modernbertTokenizer.ts).
 */
function modernbert(): Built {
  const source = path.join(TOKENIZERS, 'roberta-bpe');
  const vocab = JSON.parse(readFileSync(path.join(source, 'vocab.json'), 'utf8')) as Record<string, number>;
  const merges = readFileSync(path.join(source, 'merges.txt'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#version'));
  const byId = Object.entries(vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
  const { files, ids } = modernbertTokenizerFiles(withoutRobertaSpecials(byId), merges);
  return {
    config: parseBertConfig({
      model_type: 'modernbert', architectures: ['ModernBertForTokenClassification'], vocab_size: 50368, hidden_size: 768, num_hidden_layers: 22,
      num_attention_heads: 12, intermediate_size: 1152, max_position_embeddings: 8192, global_attn_every_n_layers: 3, local_attention: 128,
      pad_token_id: ids['[PAD]'], cls_token_id: ids['[CLS]'], bos_token_id: ids['[CLS]'], sep_token_id: ids['[SEP]'], eos_token_id: ids['[SEP]'], id2label,
    }),
    tokenizerFiles: files,
  };
}

const ARCHITECTURES: Record<string, () => Built> = { roberta, distilbert, deberta, modernbert };

/** The model folder ours loads (safetensors + fused fp32 and int8 graphs) and transformers.js's (onnx/model.onnx = the plain-op graph). */
async function buildFolders(dir: string, jsDir: string, built: Built): Promise<void> {
  const { config, tokenizerFiles } = built;
  const weights = initWeights(weightSpecs(config, 'token-classification'), config, 7);
  await saveModelFolder(dir, { config, head: 'token-classification', weights, tokenizerFiles, onnx: false });
  const lookup = (n: string) => weights.get(n)!;
  await writeFileAtomic(path.join(dir, 'onnx', 'model.onnx'), exportInferenceOnnx(config, 'token-classification', lookup));
  await writeFileAtomic(path.join(dir, 'onnx', 'model_quantized.onnx'), exportInferenceOnnx(config, 'token-classification', lookup, { quantize: 'int8' }));
  await fs.mkdir(path.join(jsDir, 'onnx'), { recursive: true });
  for (const name of ['config.json', ...Object.keys(tokenizerFiles)]) await fs.copyFile(path.join(dir, name), path.join(jsDir, name));
  await writeFileAtomic(path.join(jsDir, 'onnx', 'model.onnx'), exportInferenceOnnx(config, 'token-classification', lookup, { fused: false }));
}

/** The model with a session that keeps every batch it is given, to replay them on transformers.js's forward. */
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

async function time(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Per-token argmax labels of the batches a pipeline ran (padding skipped). */
async function batchLabels(model: LoadedModel, feeds: readonly Feeds[]): Promise<number[]> {
  const labels: number[] = [];
  for (const feed of feeds) {
    const out = await model.session.run(feed);
    const logits = out.logits!.data as Float32Array;
    const [rows, length, width] = out.logits!.dims as [number, number, number];
    const mask = feed.attention_mask!.data as BigInt64Array;
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t < length; t++) {
        if (mask[r * length + t] === 0n) continue;
        const at = (r * length + t) * width;
        let best = 0;
        for (let k = 1; k < width; k++) if (logits[at + k]! > logits[at + best]!) best = k;
        labels.push(best);
      }
    }
  }
  return labels;
}

/** Share of tokens whose int8 label equals the fp32 label, over the batches fp32's pipeline ran. */
async function agreement(fp32: LoadedModel, int8: LoadedModel, feeds: readonly Feeds[]): Promise<number> {
  const a = await batchLabels(fp32, feeds);
  const b = await batchLabels(int8, feeds);
  return a.filter((label, i) => label === b[i]).length / a.length;
}

async function benchmark(name: string, prose: string, sentenceSpans: Array<[number, number]>, root: string): Promise<string[]> {
  const built = ARCHITECTURES[name]!();
  if (LAYERS) {
    built.config = { ...built.config, num_hidden_layers: Number(LAYERS) };
    if (built.config.model_type === 'distilbert') built.config.n_layers = Number(LAYERS);
  }
  const dir = path.join(root, name);
  const jsDir = path.join(root, `${name}-transformersjs`);
  const startedBuilding = performance.now();
  if (!existsSync(path.join(dir, 'config.json'))) await buildFolders(dir, jsDir, built);
  process.stdout.write(`\n## ${name}: built in ${((performance.now() - startedBuilding) / 1000).toFixed(1)} s (${dir})\n`);
  const fp32 = await loadModel(dir, { head: 'token-classification', threads: THREADS });
  const int8 = await loadModel(dir, { head: 'token-classification', quantized: true, threads: THREADS });
  const { offsets } = fp32.tokenizer.encodeIdsWithOffsets(prose, { addSpecialTokens: false });
  const count = Math.min(TOKENS, offsets.length / 2);
  const text = prose.slice(0, offsets[2 * (count - 1) + 1]);
  const sentences = sentenceSpans.filter(([, end]) => end <= text.length).map(([start, end]) => text.slice(start, end));
  process.stdout.write(`document: ${count} tokens (${name} tokenizer), ${text.length} characters, ${sentences.length} sentences\n`);
  const pipelineFeeds: Feeds[] = [];
  await recognizeEntities(recording(fp32, pipelineFeeds), text, EDITOR_OPTIONS);
  const windowTokens = pipelineFeeds.reduce((sum, feed) => sum + (feed.attention_mask!.data as BigInt64Array).reduce((a, b) => a + Number(b), 0), 0);
  const paddedTokens = pipelineFeeds.reduce((sum, feed) => sum + feed.attention_mask!.dims.reduce((a, b) => a * b, 1), 0);
  process.stdout.write(`our pipeline: ${pipelineFeeds.length} batches, ${windowTokens} window tokens (${(windowTokens / count).toFixed(2)}× the document's), ${paddedTokens} with padding\n`);

  const transformers = await import('@huggingface/transformers');
  transformers.env.allowRemoteModels = false;
  transformers.env.localModelPath = root;
  const classifier = await transformers.pipeline('token-classification', path.basename(jsDir), { dtype: 'fp32', session_options: { intraOpNumThreads: THREADS } } as never);
  // Its forward over our batches, as transformers.js Tensors (the model adds nothing: the names are HF's).
  const jsFeeds = pipelineFeeds.map((feed) => Object.fromEntries(Object.entries(feed)
    .map(([input, t]) => [input, new transformers.Tensor('int64', t.data as BigInt64Array, t.dims as number[])])));
  const forward = (classifier as unknown as { model: (inputs: unknown) => Promise<{ logits: { dims: number[] } }> }).model;

  // Warm-up (first runs allocate and pick kernels): one sentence through each session; ours fp32 ran above.
  await classifier(sentences[0]!);
  await recognizeEntities(int8, sentences[0]!, EDITOR_OPTIONS);

  const rows: Record<string, number[]> = { 'transformers.js pipeline': [], 'transformers.js forward': [], 'ours forward': [], 'ours fp32': [], 'ours int8': [] };
  for (let round = 0; round < ROUNDS; round++) {
    rows['transformers.js pipeline']!.push(await time(async () => {
      for (const sentence of sentences) await classifier(sentence);
    }));
    rows['transformers.js forward']!.push(await time(async () => {
      for (const feed of jsFeeds) await forward(feed);
    }));
    rows['ours forward']!.push(await time(async () => {
      for (const feed of pipelineFeeds) await fp32.session.run(feed);
    }));
    rows['ours fp32']!.push(await time(() => recognizeEntities(fp32, text, EDITOR_OPTIONS)));
    rows['ours int8']!.push(await time(() => recognizeEntities(int8, text, EDITOR_OPTIONS)));
    process.stdout.write(`round ${round + 1}: ${Object.entries(rows).map(([k, v]) => `${k} ${(v[round]! / 1000).toFixed(2)} s`).join(', ')}\n`);
  }
  const tokensPerSecond = (row: string) => count / (median(rows[row]!) / 1000);
  const lines = ['| row | median time (s) | document tokens/s |', '|---|---|---|'];
  for (const row of Object.keys(rows)) lines.push(`| ${row} | ${(median(rows[row]!) / 1000).toFixed(2)} | ${tokensPerSecond(row).toFixed(0)} |`);
  const ratio = (a: string, b: string) => (tokensPerSecond(a) / tokensPerSecond(b)).toFixed(2);
  lines.push('',
    `ours fp32 ÷ transformers.js pipeline: ${ratio('ours fp32', 'transformers.js pipeline')}× (goal ≥ 1.0)`,
    `ours int8 ÷ transformers.js pipeline: ${ratio('ours int8', 'transformers.js pipeline')}× (goal ≥ 2)`,
    `ours fp32 ÷ transformers.js forward (same windows): ${ratio('ours fp32', 'transformers.js forward')}×`,
    `ours int8 ÷ transformers.js forward (same windows): ${ratio('ours int8', 'transformers.js forward')}×`,
    `ours forward ÷ transformers.js forward (same batches, the session and graph alone): ${ratio('ours forward', 'transformers.js forward')}×`,
    `int8 vs fp32 token labels equal (random seeded weights, not a quality measure): ${(100 * (await agreement(fp32, int8, pipelineFeeds))).toFixed(2)} %`);
  process.stdout.write(`${lines.join('\n')}\n`);
  await classifier.dispose();
  await fp32.session.release();
  await int8.session.release();
  return lines;
}

async function main(): Promise<void> {
  const keep = flag('keep', '');
  const root = keep || mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-family-'));
  const { text: prose, sentenceSpans } = corpus();
  for (const name of MODELS) {
    if (!ARCHITECTURES[name]) throw new Error(`--models: unknown ${name}; known: ${Object.keys(ARCHITECTURES).join(', ')}`);
    await benchmark(name, prose, sentenceSpans, root);
  }
  const trained = path.resolve(flag('agreement-model', path.join(ROOT, 'models', 'ner')));
  if (existsSync(path.join(trained, 'config.json'))) {
    const fp32 = await loadModel(trained, { head: 'token-classification', threads: THREADS });
    const int8 = await loadModel(trained, { head: 'token-classification', quantized: true, threads: THREADS });
    const { offsets } = fp32.tokenizer.encodeIdsWithOffsets(prose, { addSpecialTokens: false });
    const text = prose.slice(0, offsets[2 * (Math.min(TOKENS, offsets.length / 2) - 1) + 1]);
    const feeds: Feeds[] = [];
    await recognizeEntities(recording(fp32, feeds), text, EDITOR_OPTIONS);
    process.stdout.write(`\nint8 vs fp32 token labels equal, trained ${fp32.config.architectures?.[0] ?? fp32.config.model_type} (${path.relative(ROOT, trained) || trained}): ${(100 * (await agreement(fp32, int8, feeds))).toFixed(2)} % (goal ≥ 99 %)\n`);
    await fp32.session.release();
    await int8.session.release();
  }
  if (!keep) rmSync(root, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/family: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
