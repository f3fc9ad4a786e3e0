import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PACKAGE_TARGETS } from '../../../src/core/runtime/nativeBinaries';
import { missingNativeMessage, nativeLoadError } from '../../../src/core/runtime/nativeLoad';

const ROOT = path.resolve(__dirname, '..', '..', '..');

describe('missingNativeMessage', () => {
  it('names the platform, the expected files and the package that carries them, for each target', () => {
    expect(missingNativeMessage('onnxruntime-node', 'win32', 'arm64')).toBe(
      "BERT Lens: cannot load ONNX Runtime's native binary (onnxruntime-node) on win32-arm64: expected " +
        'node_modules/onnxruntime-node/bin/napi-v6/win32/arm64/onnxruntime_binding.node and ' +
        'node_modules/onnxruntime-node/bin/napi-v6/win32/arm64/onnxruntime.dll, which the win32-arm64 package of BERT Lens carries',
    );
    expect(missingNativeMessage('tokenizers', 'linux', 'arm64')).toBe(
      "BERT Lens: cannot load the tokenizers library's native binary on linux-arm64: expected " +
        'node_modules/tokenizers/tokenizers.linux-arm64-gnu.node, which the linux-arm64 package of BERT Lens carries',
    );
    for (const target of PACKAGE_TARGETS) {
      const [platform, arch] = target.split('-') as [string, string];
      for (const library of ['onnxruntime-node', 'tokenizers'] as const) {
        const message = missingNativeMessage(library, platform, arch);
        expect(message).toContain(` on ${target}: `);
        expect(message).not.toContain('\n');
      }
    }
  });

  it('names the ONNX Runtime package of the platform (1.23.2 under its alias on Intel macOS), and which platforms exist for any other', () => {
    expect(missingNativeMessage('onnxruntime-node', 'darwin', 'x64')).toBe(
      "BERT Lens: cannot load ONNX Runtime's native binary (onnxruntime-node-darwin-x64) on darwin-x64: expected " +
        'node_modules/onnxruntime-node-darwin-x64/bin/napi-v6/darwin/x64/onnxruntime_binding.node and ' +
        'node_modules/onnxruntime-node-darwin-x64/bin/napi-v6/darwin/x64/libonnxruntime.1.23.2.dylib, which the darwin-x64 package of BERT Lens carries',
    );
    expect(missingNativeMessage('onnxruntime-node', 'darwin', 'arm64')).toMatch(/^BERT Lens: cannot load ONNX Runtime's native binary \(onnxruntime-node\) on darwin-arm64: expected node_modules\/onnxruntime-node\//);
    expect(missingNativeMessage('tokenizers', 'freebsd', 'x64')).toBe(
      "BERT Lens: cannot load the tokenizers library's native binary on freebsd-x64: BERT Lens is built for " +
        'win32-x64, win32-arm64, darwin-x64, darwin-arm64, linux-x64, linux-arm64 only',
    );
  });
});

describe('nativeLoadError', () => {
  it("appends the loader's first line and keeps the error as its cause", () => {
    const cause = new Error("Cannot find module '../bin/napi-v6/linux/arm64/onnxruntime_binding.node'\nRequire stack:\n- dist/binding.js");
    const error = nativeLoadError('onnxruntime-node', 'linux', 'arm64', cause);
    expect(error.message).toMatch(/on linux-arm64: expected .* \(Cannot find module '\.\.\/bin\/napi-v6\/linux\/arm64\/onnxruntime_binding\.node'\)$/);
    expect(error.cause).toBe(cause);
  });

  it("reports napi-rs's first attempt (the binary beside index.js), not its generic npm advice", () => {
    const first = new Error("Cannot find module './tokenizers.win32-x64-msvc.node'");
    const second = Object.assign(new Error("Cannot find module 'tokenizers-win32-x64-msvc'"), { cause: first });
    const generic = new Error('Cannot find native binding. npm has a bug related to optional dependencies', { cause: second });
    expect(nativeLoadError('tokenizers', 'win32', 'x64', generic).message).toMatch(/\(Cannot find module '\.\/tokenizers\.win32-x64-msvc\.node'\)$/);
  });
});

// The real loaders, made to miss: ONNX Runtime in a Node process that reports another platform,
// tokenizers pointed at a binary that does not exist (napi-rs's NAPI_RS_NATIVE_LIBRARY_PATH).
function ortLoadAs(platform: string, arch: string): string {
  const script = [
    `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} });`,
    `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} });`,
    "const { ort } = require('./src/core/runtime/ort.ts');",
    "try { ort(); console.log('loaded'); } catch (error) { console.log(error.message); }",
  ].join('\n');
  return execFileSync(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' }).trim();
}

describe('loading the native addons', () => {
  it('ort(): a platform without its binary gets the one line, a present one loads', () => {
    // Intel macOS requires onnxruntime-node-darwin-x64, whose darwin/x64 binding is here but is a
    // Mach-O file, which this Linux loader refuses (not a missing file: the package was picked).
    expect(ortLoadAs('darwin', 'x64')).toMatch(
      /^BERT Lens: cannot load ONNX Runtime's native binary \(onnxruntime-node-darwin-x64\) on darwin-x64: expected node_modules\/onnxruntime-node-darwin-x64\/bin\/napi-v6\/darwin\/x64\/onnxruntime_binding\.node and .* \(.*onnxruntime-node-darwin-x64\/bin\/napi-v6\/darwin\/x64\/onnxruntime_binding\.node: invalid ELF header\)$/,
    );
    expect(ortLoadAs('darwin', 'arm64')).toMatch(/\(onnxruntime-node\) on darwin-arm64: .*onnxruntime-node\/bin\/napi-v6\/darwin\/arm64\/onnxruntime_binding\.node: invalid ELF header\)$/);
    expect(ortLoadAs('linux', 'riscv64')).toMatch(/on linux-riscv64: BERT Lens is built for win32-x64, .* only \(Cannot find module/);
    expect(ortLoadAs(process.platform, process.arch)).toBe('loaded');
  });

  const saved = process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.NAPI_RS_NATIVE_LIBRARY_PATH;
    else process.env.NAPI_RS_NATIVE_LIBRARY_PATH = saved;
  });

  it('SyncEncoder: a missing tokenizers binary gets the one line naming this platform and the expected file', async () => {
    // The library thread copies the environment when it starts: set before the first SyncEncoder of this file.
    process.env.NAPI_RS_NATIVE_LIBRARY_PATH = path.join(ROOT, 'no-such-dir', 'tokenizers.node');
    const { SyncEncoder } = await import('../../../src/core/runtime/tokenizer/library/syncEncoder');
    const json = JSON.stringify({ version: '1.0', model: { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' } });
    expect(() => new SyncEncoder(json)).toThrow(
      new RegExp(
        `^BERT Lens: cannot load the tokenizers library's native binary on ${process.platform}-${process.arch}: .*` +
          "\\(Cannot find module '.*no-such-dir/tokenizers\\.node'",
      ),
    );
  });
});
