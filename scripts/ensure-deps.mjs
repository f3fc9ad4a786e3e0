// `npm test` on a fresh clone: install the locked dependencies first (npm ci) when node_modules is
// missing or older than package-lock.json, so the README's test command is one command.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const marker = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  process.stdout.write('Installing the locked npm dependencies (npm ci)...\n');
  // ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would download its CUDA provider
  // (hundreds of MB, failing offline); BERT Lens runs on the CPU. See .ci/run.
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; the tests cannot run without the dependencies.\n');
    process.exit(result.status ?? 1);
  }
}
