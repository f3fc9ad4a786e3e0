#!/usr/bin/env node
// Quick start, step 1 of 2: `npm run demo` (or `node scripts/demo.mjs`) on a fresh Debian machine
// with Node 20 and npm. Installs what is missing (Debian packages, npm dependencies, then Node 24 and
// code-server into .e2e-cache/), builds and packages the extension, and runs it in VS Code
// (code-server) until Ctrl-C. Options: --port N (default: a free port).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Kept in step with DEBIAN_PACKAGES in scripts/e2e/layout.ts (this file must run before npm ci).
const debianPackages = ['chromium', 'libkrb5-dev', 'pkg-config', 'libsecret-1-dev', 'libx11-dev', 'libxkbfile-dev', 'g++', 'make', 'python3'];

function step(message) {
  console.log(`[demo] ${message}`);
}

function runOrExit(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repoRoot, ...options });
  if (result.status !== 0) {
    console.error(`[demo] \`${[command, ...args].join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`})`);
    process.exit(1);
  }
}

function missingDebianPackages() {
  return debianPackages.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

function installDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const aptGet = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  step(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  runOrExit(aptGet[0], [...aptGet.slice(1), 'update'], { env });
  runOrExit(aptGet[0], [...aptGet.slice(1), 'install', '-y', '--no-install-recommends', ...missing], { env });
}

function installNpmDependencies() {
  const installedLock = path.join(repoRoot, 'node_modules', '.package-lock.json');
  const lock = path.join(repoRoot, 'package-lock.json');
  if (fs.existsSync(installedLock) && fs.statSync(installedLock).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  step('installing npm dependencies (npm ci)');
  // ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would download its CUDA provider
  // (hundreds of MB, failing offline); BERT Lens runs on the CPU. See .ci/run.
  runOrExit('npm', ['ci', '--no-audit', '--no-fund'], { env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`[demo] Node 20 or newer is needed, this is ${process.version}`);
  process.exit(1);
}
installDebianPackages();
installNpmDependencies();

// The rest is TypeScript shared with the e2e harness; tsx runs it in this same Node.
const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'e2e', 'demo.ts'), ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
});
// Ctrl-C reaches the child too (same process group); it stops code-server and exits by itself.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
