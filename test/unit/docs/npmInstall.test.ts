// onnxruntime-node's postinstall downloads its CUDA provider from NuGet on linux/x64 (hundreds of MB;
// without network it fails, and `npm ci` with it). BERT Lens runs on the CPU, so every project entry
// point that runs `npm ci` sets ONNXRUNTIME_NODE_INSTALL=skip, which the script reads whatever the npm
// version (checked by hand on a fresh clone with npm 10.9 and 11.19: the script runs and exits 0,
// nothing is downloaded). The former `.npmrc` line `onnxruntime-node-install=skip` did the same but
// npm 11 warns on every command that such an unknown project config will stop working.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('npm ci skips the CUDA download of onnxruntime-node without npm warnings', () => {
  it('.npmrc holds no config npm does not know', () => {
    expect(read('.npmrc')).not.toMatch(/onnxruntime/);
  });

  it('.ci/run exports ONNXRUNTIME_NODE_INSTALL=skip before npm ci', () => {
    const run = read('.ci/run');
    const exported = run.indexOf('\nexport ONNXRUNTIME_NODE_INSTALL=skip\n');
    expect(exported).toBeGreaterThan(0);
    expect(run.indexOf('\nnpm ci')).toBeGreaterThan(exported);
  });

  it('scripts/demo.mjs and scripts/ensure-deps.mjs run npm ci with it', () => {
    for (const script of ['scripts/demo.mjs', 'scripts/ensure-deps.mjs']) {
      const source = read(script);
      const calls = source.split('\n').filter((line) => /'npm', \['ci'/.test(line));
      expect(calls, script).toHaveLength(1);
      expect(source, script).toMatch(/ONNXRUNTIME_NODE_INSTALL: 'skip'/);
      // The env object reaches the spawn: either inline or as `env` on the same call.
      expect(calls[0], script).toMatch(/ONNXRUNTIME_NODE_INSTALL: 'skip'|\benv\b/);
    }
  });

  // onnxruntime-node-darwin-x64 is onnxruntime-node 1.23.2 under an alias (the Intel-mac package's
  // runtime): its postinstall is the same script and must skip the same way.
  it.each(['onnxruntime-node', 'onnxruntime-node-darwin-x64'])('the installed %s still honours the variable: its install script exits 0 at once', (pkg) => {
    const script = path.join(ROOT, 'node_modules', pkg, 'script', 'install.js');
    expect(readFileSync(path.join(path.dirname(script), 'install-utils.js'), 'utf8')).toContain('process.env.ONNXRUNTIME_NODE_INSTALL');
    // An endpoint nothing listens on: were a download attempted, it would fail and exit non-zero.
    const result = spawnSync(process.execPath, [script], {
      env: { PATH: process.env.PATH, ONNXRUNTIME_NODE_INSTALL: 'skip', HTTPS_PROXY: 'http://127.0.0.1:9', GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toBe('');
  });
});
