import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { WorkerClient } from '../../../src/host/workerClient';

export const REPO = path.resolve(__dirname, '../../..');
export const TOKEN_CLASSIFICATION = path.join(REPO, 'test/fixtures/models/token-classification');
export const SEQUENCE_CLASSIFICATION = path.join(REPO, 'test/fixtures/models/sequence-classification');

/**
 * Bundles src/worker/main.ts the way esbuild.mjs bundles dist/worker.js (node, cjs, onnxruntime-node
 * external) into a scratch folder, so the tests run the worker as it ships, as a child process.
 */
export async function bundleWorker(): Promise<{ workerPath: string; dispose(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-worker-'));
  const workerPath = path.join(dir, 'worker.js');
  await build({
    entryPoints: [path.join(REPO, 'src/worker/main.ts')],
    outfile: workerPath,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node', 'onnxruntime-node-darwin-x64'],
    logLevel: 'silent',
  });
  return { workerPath, dispose: () => fs.rm(dir, { recursive: true, force: true }) };
}

export function clientFor(workerPath: string, logs: string[] = []): WorkerClient {
  return new WorkerClient({
    workerPath,
    // The bundle sits outside the repository: onnxruntime-node is found through NODE_PATH.
    env: { ...process.env, NODE_PATH: path.join(REPO, 'node_modules') },
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
}

/** A copy of a fixture model folder that a test may damage. */
export async function copyModel(source: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-model-'));
  await fs.cp(source, dir, { recursive: true });
  return dir;
}
