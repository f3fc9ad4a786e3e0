// Training speed: our trainer against PyTorch on this CPU, same machine, same run:
//
//   npx tsx bench/train/run.ts [--rounds 3] [--warmup 3] [--steps 20] [--modes full,top2,head,head-nocache]
//       [--batch-size 16] [--seq 128] [--threads 2] [--dropout P] [--python /usr/bin/python3] [--keep DIR]
//       [--data synthetic|wikiann] [--arch bert|distilbert|roberta]
//
// --arch distilbert / roberta: the same BERT-small shape as a DistilBERT (dim 256, 4 layers, 4
// heads, hidden_dim 1024) or a RoBERTa (514 positions, pad id 1, one token type), trained by our
// trainer and, on the PyTorch side, by the ports (scripts/reference/distilbert_torch.py,
// roberta_torch.py via family_training.py); synthetic rows, modes full and top2.
//
// Model: BERT-small (4 layers, hidden 256, 4 heads, intermediate 1024, vocab 30522) for token
// classification (9 labels), seeded weights written by our code and loaded by PyTorch
// (scripts/reference/bert_torch.py, float32). Data: (warmup + steps + 1) × batch-size sentences of
// seq − 2 one-piece words, so every row is exactly `seq` tokens; both sides take the same batches
// in the same order. Both run 2 threads (ORT intra-op / torch.set_num_threads), dropout 0.1 (the
// config's; --dropout overrides it on both sides), AdamW lr 5e-5 with decay / no-decay groups,
// linear schedule, max_grad_norm 1.0.
//
// --data wikiann: real rows of mixed length instead, the first sentences of ../shared/data WikiANN-en
// train (in file order) with their tags, and a 12,000-piece cased WordPiece vocabulary trained on
// that file. PyTorch pads each batch to its longest row (HF DataCollatorForTokenClassification); ours
// packs the batch's rows (collatePacked), which is where the two differ in work.
//
// Rows (steps/s = timed steps ÷ their wall time; a step is the whole optimizer step: batch, forward,
// loss, backward, clipping, AdamW, schedule):
//   full           every parameter trained
//   top2           the top 2 encoder layers + classifier; embeddings and layers 0-1 frozen
//   head           classifier only. Ours: on cached frozen features (cache built once, its time in
//                  the cache_s column, not in steps/s). PyTorch: encoder in eval mode under
//                  torch.no_grad() every step, classifier trained.
//   head-nocache   ours running the frozen encoder every step (the same work as PyTorch's head row)
// Each (mode, side) runs in its own process, so peak RSS is that process's own. Rounds alternate
// which side goes first, and every row is the median over rounds, so load from other jobs on the
// machine hits both sides alike.
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBertConfig } from '../../src/core/bert/config';
import { initWeights } from '../../src/core/bert/init';
import { saveModelFolder } from '../../src/core/bert/saveFolder';
import { weightSpecs } from '../../src/core/bert/weightNames';
import { loadBertTokenizer } from '../../src/core/runtime/tokenizer/tokenizerFiles';
import { saveTokenizer } from '../../src/core/runtime/tokenizer/tokenizerWriter';
import { specFromTrained, trainWordPiece } from '../../src/core/runtime/tokenizer/wordpieceTrainer';
import { readTaskData } from '../../src/core/train/trainingData';
import { nerFeatures } from '../../src/core/train/features';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { Random } from '../../src/core/util/random';
import { bertSmallConfig, DATA, flags, median, readJson, runChild, torchEnv, TORCH_SCRIPT, TSX, WIKIANN_LABELS } from './common';

const option = flags(process.argv.slice(2));
const ROUNDS = Number(option.get('rounds', '3'));
const WARMUP = Number(option.get('warmup', '3'));
const STEPS = Number(option.get('steps', '20'));
const BATCH = Number(option.get('batch-size', '16'));
const SEQ = Number(option.get('seq', '128'));
const THREADS = option.get('threads', '2');
const PYTHON = option.get('python', '/usr/bin/python3');
const MODES = option.get('modes', 'full,top2,head,head-nocache').split(',');
const DROPOUT = option.has('dropout') ? option.get('dropout', '0.1') : undefined;
const SOURCE = option.get('data', 'synthetic');
const ARCH = option.get('arch', 'bert');
if (ARCH !== 'bert' && ARCH !== 'distilbert' && ARCH !== 'roberta') throw new Error('--arch must be bert, distilbert or roberta');
if (ARCH !== 'bert' && (SOURCE !== 'synthetic' || MODES.some((m) => m.startsWith('head')))) throw new Error(`--arch ${ARCH} runs synthetic rows in modes full and top2 only`);
if (SOURCE !== 'synthetic' && SOURCE !== 'wikiann') throw new Error('--data must be synthetic or wikiann');
const LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];
const VOCAB = 30522;
// [PAD] at the architecture's pad_token_id (RoBERTa's is 1).
const SPECIALS = ARCH === 'roberta' ? ['[CLS]', '[PAD]', '[SEP]', '[UNK]', '[MASK]'] : ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const FULL_SIZE = { rounds: 3, warmup: 3, steps: 20 };

interface SideResult {
  step_s: number[];
  steps_per_s: number;
  peak_rss_mb: number;
  losses: number[];
  cache_s?: number | null;
  setup_s?: number;
}

/** WikiANN rows: a vocabulary trained on the file, and its first sentences with their tags. */
async function writeWikiannModelAndData(modelDir: string, dataFile: string, rowsFile: string): Promise<void> {
  const data = await readTaskData('ner', path.join(DATA, 'wikiann-en', 'train.txt'));
  if (data.task !== 'ner') throw new Error('unexpected data');
  const trained = trainWordPiece(data.sentences.map((s) => s.tokens.join(' ')), { vocabSize: 12_000, lowercase: false, minFrequency: 2 });
  await fs.mkdir(modelDir, { recursive: true });
  await saveTokenizer(modelDir, specFromTrained(trained, 512));
  const config = bertSmallConfig(trained.vocab.length, WIKIANN_LABELS);
  const tokenizerFiles: Record<string, string> = {};
  for (const name of ['tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json']) tokenizerFiles[name] = await fs.readFile(path.join(modelDir, name), 'utf8');
  await saveModelFolder(modelDir, { config, head: 'token-classification', weights: initWeights(weightSpecs(config, 'token-classification'), config, 7), tokenizerFiles, onnx: false });
  const sentences = data.sentences.slice(0, (WARMUP + STEPS + 1) * BATCH);
  const tokenizer = await loadBertTokenizer(modelDir);
  const label2id = Object.fromEntries(WIKIANN_LABELS.map((l, i) => [l, i]));
  const { features } = nerFeatures(sentences, tokenizer, label2id, { maxSeqLength: SEQ });
  if (features.length !== sentences.length) throw new Error('a bench sentence was split into windows');
  const lengths = features.map((f) => f.inputIds.length);
  console.log(`WikiANN rows: ${lengths.length}, mean ${(lengths.reduce((a, b) => a + b, 0) / lengths.length).toFixed(1)} tokens, longest ${Math.max(...lengths)}`);
  await writeFileAtomic(dataFile, JSON.stringify({ sentences: sentences.map(({ tokens, tags }) => ({ tokens, tags })) }));
  await writeFileAtomic(rowsFile, JSON.stringify({ rows: features.map((f) => ({ input_ids: f.inputIds, labels: f.tokenLabels })) }));
}

/** The seeded model folder both sides start from: vocab.txt of one-piece words w5 … w30521. */
async function writeModel(dir: string): Promise<void> {
  const id2label = Object.fromEntries(LABELS.map((l, i) => [String(i), l]));
  const config = ARCH === 'distilbert'
    ? parseBertConfig({ model_type: 'distilbert', vocab_size: VOCAB, dim: 256, n_layers: 4, n_heads: 4, hidden_dim: 1024, id2label })
    : ARCH === 'roberta'
      ? parseBertConfig({ model_type: 'roberta', vocab_size: VOCAB, hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, id2label })
      : bertSmallConfig(VOCAB, LABELS);
  const vocab = [...SPECIALS, ...Array.from({ length: VOCAB - SPECIALS.length }, (_, i) => `w${i + SPECIALS.length}`)];
  await saveModelFolder(dir, {
    config,
    head: 'token-classification',
    weights: initWeights(weightSpecs(config, 'token-classification'), config, 7),
    tokenizerFiles: { 'vocab.txt': vocab.join('\n') + '\n' },
    onnx: false,
  });
}

/** Sentences of seq − 2 random words with random tags, and the same rows as token ids for PyTorch. */
async function writeData(modelDir: string, dataFile: string, rowsFile: string): Promise<void> {
  const random = new Random(11);
  const count = (WARMUP + STEPS + 1) * BATCH;
  const sentences = Array.from({ length: count }, (_, i) => ({
    tokens: Array.from({ length: SEQ - 2 }, () => `w${SPECIALS.length + random.int(VOCAB - SPECIALS.length)}`),
    tags: Array.from({ length: SEQ - 2 }, () => LABELS[random.int(LABELS.length)]!),
    line: i + 1,
  }));
  const tokenizer = await loadBertTokenizer(modelDir);
  const label2id = Object.fromEntries(LABELS.map((l, i) => [l, i]));
  const { features } = nerFeatures(sentences, tokenizer, label2id, { maxSeqLength: SEQ });
  if (features.length !== count || features.some((f) => f.inputIds.length !== SEQ)) throw new Error(`the bench rows are not all ${SEQ} tokens long`);
  await writeFileAtomic(dataFile, JSON.stringify({ sentences: sentences.map(({ tokens, tags }) => ({ tokens, tags })) }));
  await writeFileAtomic(rowsFile, JSON.stringify({ rows: features.map((f) => ({ input_ids: f.inputIds, labels: f.tokenLabels })) }));
}

async function runOurs(modelDir: string, dataFile: string, mode: string, out: string): Promise<SideResult> {
  const args = [path.join(__dirname, 'ours.ts'), modelDir, dataFile, out, '--mode', mode, '--warmup', String(WARMUP), '--steps', String(STEPS), '--batch-size', String(BATCH), '--threads', THREADS];
  if (DROPOUT !== undefined) args.push('--dropout', DROPOUT);
  await runChild(TSX, args);
  return readJson<SideResult>(out);
}

async function runTorch(modelDir: string, rowsFile: string, mode: string, out: string): Promise<SideResult> {
  const args = [TORCH_SCRIPT, 'bench', modelDir, rowsFile, out, '--mode', mode, '--warmup', String(WARMUP), '--steps', String(STEPS), '--batch-size', String(BATCH), '--threads', THREADS];
  if (DROPOUT !== undefined) args.push('--dropout', DROPOUT);
  await runChild(PYTHON, args, { env: torchEnv() });
  return readJson<SideResult>(out);
}

const fmt = (value: number | undefined, digits = 2): string => (value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits));

async function main(): Promise<void> {
  const keep = option.has('keep') ? path.resolve(option.get('keep', '')) : undefined;
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-train-'));
  await fs.mkdir(dir, { recursive: true });
  const modelDir = path.join(dir, 'model');
  const dataFile = path.join(dir, 'data.json');
  const rowsFile = path.join(dir, 'rows.json');
  console.log(`${ARCH === 'bert' ? 'BERT' : ARCH === 'distilbert' ? 'DistilBERT' : 'RoBERTa'}-small token classification, ${SOURCE} rows, seq ${SEQ}, batch ${BATCH}, ${THREADS} threads, dropout ${DROPOUT ?? '0.1 (config)'}; ${WARMUP} warm-up + ${STEPS} timed steps, ${ROUNDS} rounds; work dir ${dir}`);
  if (SOURCE === 'wikiann') await writeWikiannModelAndData(modelDir, dataFile, rowsFile);
  else {
    await writeModel(modelDir);
    await writeData(modelDir, dataFile, rowsFile);
  }

  const torchMode = (mode: string) => (mode === 'head-nocache' ? 'head' : mode);
  const ours = new Map<string, SideResult[]>();
  const torch = new Map<string, SideResult[]>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of MODES) {
        const sides = [
          async () => ours.set(mode, [...(ours.get(mode) ?? []), await runOurs(modelDir, dataFile, mode, path.join(dir, `ours-${mode}-${round}.json`))]),
          async () => {
            // PyTorch's head row serves both of our head rows: run it once per round.
            if (mode === 'head-nocache' && MODES.includes('head')) return;
            torch.set(torchMode(mode), [...(torch.get(torchMode(mode)) ?? []), await runTorch(modelDir, rowsFile, torchMode(mode), path.join(dir, `torch-${mode}-${round}.json`))]);
          },
        ];
        // Alternate which side goes first, so that a slow phase of the machine hits both alike.
        for (const side of round % 2 === 0 ? sides : sides.reverse()) await side();
        const o = ours.get(mode)!.at(-1)!;
        const t = torch.get(torchMode(mode))?.at(-1);
        console.log(`round ${round + 1} ${mode.padEnd(12)} ours ${fmt(o.steps_per_s, 3)} steps/s (${fmt(o.peak_rss_mb, 0)} MB)   torch ${fmt(t?.steps_per_s, 3)} steps/s (${fmt(t?.peak_rss_mb, 0)} MB)`);
      }
    }
  } finally {
    if (!keep) await fs.rm(dir, { recursive: true, force: true });
  }

  console.log('\nmedians over rounds (steps/s; peak RSS in MB)');
  console.log('| mode | ours steps/s | PyTorch steps/s | ours ÷ PyTorch | ours peak RSS | PyTorch peak RSS | ours cache build (s) | first-step loss ours / PyTorch |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const mode of MODES) {
    const o = ours.get(mode) ?? [];
    const t = torch.get(torchMode(mode)) ?? [];
    const os_ = median(o.map((r) => r.steps_per_s));
    const ts = median(t.map((r) => r.steps_per_s));
    const cache = o.map((r) => r.cache_s).filter((c): c is number => typeof c === 'number');
    console.log(`| ${mode} | ${fmt(os_, 3)} | ${fmt(ts, 3)} | ${fmt(os_ / ts)} | ${fmt(median(o.map((r) => r.peak_rss_mb)), 0)} | ${fmt(median(t.map((r) => r.peak_rss_mb)), 0)} | ${cache.length ? fmt(median(cache)) : '-'} | ${fmt(o[0]?.losses[0], 4)} / ${fmt(t[0]?.losses[0], 4)} |`);
  }
  const reduced = ROUNDS < FULL_SIZE.rounds || WARMUP < FULL_SIZE.warmup || STEPS < FULL_SIZE.steps || SEQ !== 128 || BATCH !== 16;
  if (reduced) console.log(`\nreduced size: the full benchmark is \`npx tsx bench/train/run.ts\` (${FULL_SIZE.rounds} rounds, ${FULL_SIZE.warmup} warm-up + ${FULL_SIZE.steps} timed steps, seq 128, batch 16)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  process.exit(1);
});
