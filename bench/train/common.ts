// Helpers shared by bench/train/run.ts, bench/train/ours.ts and bench/train/quality.ts.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig, type BertConfig } from '../../src/core/bert/config';

export const REPO = path.resolve(__dirname, '..', '..');
export const DATA = path.resolve(REPO, '..', 'shared', 'data');
export const TORCH_SCRIPT = path.join(__dirname, 'torch_train.py');
export const WIKIANN_LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC'];

/** BERT-small of the issue: 4 layers, hidden 256, 4 heads, intermediate 1024 (HF defaults otherwise). */
export function bertSmallConfig(vocabSize: number, labels: readonly string[]): BertConfig {
  return parseBertConfig({
    vocab_size: vocabSize,
    hidden_size: 256,
    num_hidden_layers: 4,
    num_attention_heads: 4,
    intermediate_size: 1024,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
  });
}

export function flags(argv: readonly string[]): { get(name: string, fallback: string): string; has(name: string): boolean } {
  return {
    get(name, fallback) {
      const at = argv.indexOf(`--${name}`);
      if (at < 0) return fallback;
      const value = argv[at + 1];
      if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
      return value;
    },
    has: (name) => argv.includes(`--${name}`),
  };
}

/**
 * The environment for PyTorch, without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE: OpenBLAS then picks
 * its kernels and blocking for this CPU itself instead of values that may have been set for another
 * program (the timings of the issue are meant with OpenBLAS as installed).
 */
export function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Runs a command to completion; rejects with its stderr tail on a non-zero exit. */
export function runChild(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; echo?: boolean } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => options.echo && process.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.echo) process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} ${args.slice(0, 2).join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-8).join('\n')}`));
    });
  });
}

export const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await fs.readFile(file, 'utf8')) as T;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
