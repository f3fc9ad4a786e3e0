// Our side of bench/train/run.ts, one process per measurement (so that its peak RSS is its own):
//
//   npx tsx bench/train/ours.ts MODEL_DIR DATA.json OUT.json --mode full|top2|head|head-nocache
//       --warmup W --steps N [--batch-size 16] [--threads 2] [--dropout P]
//
// DATA.json: {"sentences": [{"tokens": [...], "tags": [...]}]}. Runs the real trainer (train():
// collate, feeds, dropout masks, the ONNX training graph, accumulation, clipping, AdamW, schedule)
// with shuffling off, and times the optimizer steps after the first W from its log events: the gap
// between two consecutive log events is one whole step. head uses the feature cache (its one-time
// cost is reported as cache_s, not counted in the steps); head-nocache runs the frozen encoder
// every step.
import { mkdtempSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NerSentence } from '../../src/core/data/datasets';
import { train, type TrainLayers } from '../../src/core/train/trainer';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { flags, readJson } from './common';

const LAYERS: Record<string, TrainLayers> = { 'full': 'all', 'top2': 2, 'head': 'head', 'head-nocache': 'head' };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const positional = argv.filter((a, i) => !a.startsWith('--') && !(argv[i - 1] ?? '').startsWith('--'));
  const [modelDir, dataFile, outFile] = positional;
  if (!modelDir || !dataFile || !outFile) throw new Error('usage: ours.ts MODEL_DIR DATA.json OUT.json --mode MODE --warmup W --steps N');
  const option = flags(argv);
  const mode = option.get('mode', 'full');
  const layers = LAYERS[mode];
  if (layers === undefined) throw new Error(`--mode must be one of ${Object.keys(LAYERS).join(', ')}`);
  const warmup = Number(option.get('warmup', '3'));
  const steps = Number(option.get('steps', '20'));
  if (!(warmup >= 1 && steps >= 1)) throw new Error('--warmup and --steps must be at least 1');
  const dropout = option.has('dropout') ? Number(option.get('dropout', '0.1')) : undefined;
  const data = await readJson<{ sentences: Array<{ tokens: string[]; tags: string[] }> }>(dataFile);
  const sentences: NerSentence[] = data.sentences.map((s, i) => ({ ...s, line: i + 1 }));

  const out = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-ours-'));
  const started = performance.now();
  const logTimes: number[] = [];
  const losses: number[] = [];
  let setupS = 0;
  let cacheS: number | null = null;
  let peakRssMb = 0;
  try {
    await train({
      task: 'ner',
      modelDir,
      train: { task: 'ner', sentences, issues: [] },
      outputDir: out,
      trainLayers: layers,
      featureCache: mode !== 'head-nocache',
      shuffle: false,
      dropout,
      maxSteps: warmup + steps,
      threads: Number(option.get('threads', '2')),
      args: { per_device_train_batch_size: Number(option.get('batch-size', '16')), learning_rate: 5e-5, num_train_epochs: 1, seed: 42 },
      onEvent: (event) => {
        if (event.type === 'start') setupS = (performance.now() - started) / 1000;
        if (event.type === 'info') {
          const match = /cached the frozen encoder's .* in ([\d.]+) s/.exec(event.message);
          if (match) cacheS = Number(match[1]);
        }
        if (event.type === 'log') {
          logTimes.push(performance.now());
          losses.push(event.loss);
          // The peak so far, taken before the final save (which is not part of training steps).
          if (event.step === warmup + steps) peakRssMb = process.resourceUsage().maxRSS / 1024;
        }
      },
    });
  } finally {
    await fs.rm(out, { recursive: true, force: true });
  }
  if (logTimes.length < warmup + steps) throw new Error(`only ${logTimes.length} steps ran; the data has too few rows for ${warmup + steps} batches`);
  const stepS = logTimes.slice(warmup).map((t, i) => (t - logTimes[warmup - 1 + i]!) / 1000);
  const total = stepS.reduce((a, b) => a + b, 0);
  await writeFileAtomic(outFile, JSON.stringify({ step_s: stepS, steps_per_s: stepS.length / total, peak_rss_mb: peakRssMb, losses, setup_s: setupS, cache_s: cacheS }) + '\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
