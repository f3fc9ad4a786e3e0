import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestedTargets, targetIgnoreFile, vsixContentProblems, vsixManifestProblems } from '../../../scripts/e2e/packageVsix';
import { peImports } from '../../../scripts/e2e/peImports';
import { NATIVE_BINARIES, ORT_BINARY_ROOT, ORT_PACKAGES, PACKAGE_TARGETS, nativeFilesOf, ortPackageFor, type OrtPackage, type PackageTarget } from '../../../src/core/runtime/nativeBinaries';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const ort = 'extension/node_modules/onnxruntime-node';
const good = [
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/webview.js',
  `${ort}/package.json`,
  `${ort}/dist/index.js`,
  `${ort}/bin/napi-v6/linux/x64/onnxruntime_binding.node`,
  `${ort}/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/tokenizers/package.json',
  'extension/node_modules/tokenizers/index.js',
  'extension/node_modules/tokenizers/tokenizers.linux-x64-gnu.node',
  'extension/models/ner/onnx/model.onnx',
];

describe('vsixContentProblems', () => {
  it('accepts a package with the linux-x64 runtimes (ONNX Runtime, tokenizers), the bundle and models', () => {
    expect(vsixContentProblems(good, ['extension.js', 'webview.js'], 'linux-x64')).toEqual([]);
  });

  it('names every problem: other platforms, dev files, extra dependencies, missing binary and dist files', () => {
    const bad = [
      ...good.filter((name) => !name.endsWith('libonnxruntime.so.1')),
      `${ort}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node`,
      `${ort}/bin/napi-v6/win32/x64/onnxruntime.dll`,
      `${ort}/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so`,
      'extension/node_modules/tokenizers/tokenizers.win32-x64-msvc.node',
      'extension/dist/extension.js.map',
      'extension/node_modules/onnxruntime-common/dist/cjs/index.d.ts',
      'extension/node_modules/adm-zip/package.json',
      'extension/node_modules/onnxruntime-node-darwin-x64/dist/index.js',
      'extension/node_modules/onnxruntime-node-darwin-x64/bin/napi-v6/darwin/x64/onnxruntime_binding.node',
      'extension/src/extension.ts',
    ];
    const notListed = '(native file not in the linux-x64 list of src/core/runtime/nativeBinaries.ts)';
    expect(vsixContentProblems(bad, ['extension.js', 'webview.js', 'worker.js'], 'linux-x64')).toEqual([
      `missing ${ort}/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
      'missing extension/dist/worker.js (in dist/ but not packaged: extend .vscodeignore)',
      `unexpected ${ort}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node ${notListed}`,
      `unexpected ${ort}/bin/napi-v6/win32/x64/onnxruntime.dll ${notListed}`,
      `unexpected ${ort}/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ${notListed}`,
      `unexpected extension/node_modules/tokenizers/tokenizers.win32-x64-msvc.node ${notListed}`,
      'unexpected extension/dist/extension.js.map (source map)',
      'unexpected extension/node_modules/onnxruntime-common/dist/cjs/index.d.ts (type declarations)',
      'unexpected extension/node_modules/adm-zip/package.json (dependency that esbuild already bundled)',
      'unexpected extension/node_modules/onnxruntime-node-darwin-x64/dist/index.js (ONNX Runtime package that linux-x64 does not load)',
      `unexpected extension/node_modules/onnxruntime-node-darwin-x64/bin/napi-v6/darwin/x64/onnxruntime_binding.node ${notListed}`,
      'unexpected extension/src/extension.ts (repository sources)',
    ]);
  });

  it('judges a package by its own target: the linux-x64 binaries are wrong in the win32-arm64 package', () => {
    const problems = vsixContentProblems(good, ['extension.js', 'webview.js'], 'win32-arm64');
    expect(problems).toContain(`missing ${ort}/bin/napi-v6/win32/arm64/onnxruntime.dll`);
    expect(problems).toContain('missing extension/node_modules/tokenizers/tokenizers.win32-arm64-msvc.node');
    expect(problems).toContain(
      `unexpected ${ort}/bin/napi-v6/linux/x64/libonnxruntime.so.1 (native file not in the win32-arm64 list of src/core/runtime/nativeBinaries.ts)`,
    );
  });

  it('darwin-x64: ONNX Runtime 1.23.2 (onnxruntime-node-darwin-x64 with its nested onnxruntime-common), not 1.30.0, and none of its install-time dependencies', () => {
    const alias = 'extension/node_modules/onnxruntime-node-darwin-x64';
    const darwinX64 = [
      ...good.filter((name) => !name.includes('/onnxruntime-') && !name.includes('tokenizers.linux')),
      `${alias}/package.json`,
      `${alias}/dist/index.js`,
      `${alias}/bin/napi-v6/darwin/x64/onnxruntime_binding.node`,
      `${alias}/bin/napi-v6/darwin/x64/libonnxruntime.1.23.2.dylib`,
      `${alias}/node_modules/onnxruntime-common/package.json`,
      `${alias}/node_modules/onnxruntime-common/dist/cjs/index.js`,
      'extension/node_modules/tokenizers/tokenizers.darwin-x64.node',
    ];
    expect(vsixContentProblems(darwinX64, ['extension.js', 'webview.js'], 'darwin-x64')).toEqual([]);
    expect(
      vsixContentProblems(
        [
          ...darwinX64.filter((name) => !name.includes('/onnxruntime-common/')),
          `${alias}/node_modules/adm-zip/package.json`,
          `${alias}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node`,
          `${ort}/dist/index.js`,
          'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
        ],
        ['extension.js', 'webview.js'],
        'darwin-x64',
      ),
    ).toEqual([
      `missing ${alias}/node_modules/onnxruntime-common/package.json`,
      `missing ${alias}/node_modules/onnxruntime-common/dist/cjs/index.js`,
      `unexpected ${alias}/node_modules/adm-zip/package.json (dependency that esbuild already bundled)`,
      `unexpected ${alias}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node (native file not in the darwin-x64 list of src/core/runtime/nativeBinaries.ts)`,
      `unexpected ${ort}/dist/index.js (ONNX Runtime package that darwin-x64 does not load)`,
      'unexpected extension/node_modules/onnxruntime-common/dist/cjs/index.js (ONNX Runtime package that darwin-x64 does not load)',
    ]);
  });
});

// The table against what npm really installed: node_modules/onnxruntime-node and tokenizers as they are.
function filesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  return (fs.readdirSync(full, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => fs.statSync(path.join(full, file)).isFile())
    .map((file) => `${dir}/${file.split(path.sep).join('/')}`);
}

const ortBin = `node_modules/onnxruntime-node/${ORT_BINARY_ROOT}`;
const binOf = (name: OrtPackage) => `node_modules/${name}/${ORT_BINARY_ROOT}`;

/** The files of the npm package the table leaves out on purpose, each with its reason in nativeBinaries.ts. */
const LEFT_OUT: Partial<Record<PackageTarget, string[]>> = {
  'win32-x64': ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll'],
  'win32-arm64': ['DirectML.dll', 'dxcompiler.dll', 'dxil.dll'],
  'darwin-arm64': ['libonnxruntime.1.30.0.dylib'],
};

describe('the native binaries table against node_modules', () => {
  it('each target names a platform folder of its ONNX Runtime package and lists that folder file by file', () => {
    for (const target of PACKAGE_TARGETS) {
      const entry = NATIVE_BINARIES[target].onnxRuntime;
      // The CUDA/TensorRT providers appear on linux-x64 only when onnxruntime-node's install script was
      // not told to skip them (script/install-metadata.js); they are never listed, so never shipped.
      const inFolder = fs
        .readdirSync(path.join(ROOT, binOf(entry.package), entry.dir))
        .filter((file) => !/^libonnxruntime_providers_(cuda|shared|tensorrt)\.so$/.test(file))
        .sort();
      expect([...entry.files, ...(LEFT_OUT[target] ?? [])].sort(), target).toEqual(inFolder);
    }
  });

  it('onnxruntime-node (1.30.0) serves every platform folder it has; darwin-x64, which it lacks, gets onnxruntime-node-darwin-x64', () => {
    const installed = [...new Set(filesUnder(ortBin).map((file) => path.posix.dirname(file.slice(ortBin.length + 1))))].sort();
    const fromMain = PACKAGE_TARGETS.filter((target) => NATIVE_BINARIES[target].onnxRuntime.package === 'onnxruntime-node');
    expect(installed).toEqual(fromMain.map((target) => NATIVE_BINARIES[target].onnxRuntime.dir).sort());
    expect(PACKAGE_TARGETS.filter((target) => !fromMain.includes(target))).toEqual(['darwin-x64']);
    expect(fs.existsSync(path.join(ROOT, ortBin, 'darwin/x64'))).toBe(false);
    expect(ortPackageFor('darwin', 'x64')).toBe('onnxruntime-node-darwin-x64');
    expect(ortPackageFor('darwin', 'arm64')).toBe('onnxruntime-node');
    expect(ortPackageFor('linux', 'riscv64')).toBe('onnxruntime-node');
  });

  it('ORT_PACKAGES: each version is the installed one, and its onnxruntime-common is the one its dist/ requires, of the same version', () => {
    for (const [name, { version, common }] of Object.entries(ORT_PACKAGES)) {
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(manifest.version, name).toBe(version);
      // Its main entry (the package's exports hide package.json): <folder>/dist/cjs/index.js.
      const entry = createRequire(path.join(ROOT, 'node_modules', name, 'dist', 'index.js')).resolve('onnxruntime-common');
      const folder = entry.slice(0, entry.lastIndexOf(`${path.sep}onnxruntime-common${path.sep}`) + '/onnxruntime-common'.length);
      // Node resolves through symlinks (a worktree's node_modules may be one): relative to the real folder.
      const relative = path.relative(fs.realpathSync(path.join(ROOT, 'node_modules')), fs.realpathSync(folder));
      expect(`node_modules/${relative.split(path.sep).join('/')}`, name).toBe(common);
      expect((JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as { version: string }).version, name).toBe(version);
    }
  });

  it('darwin-x64: the binding links the one library shipped beside it', () => {
    const dir = path.join(ROOT, binOf('onnxruntime-node-darwin-x64'), 'darwin/x64');
    expect(fs.readFileSync(path.join(dir, 'onnxruntime_binding.node')).includes('@rpath/libonnxruntime.1.23.2.dylib')).toBe(true);
  });

  it('leaves out only files the shipped ones do not need: the second macOS dylib is the same bytes as the linked one', () => {
    const dir = path.join(ROOT, ortBin, 'darwin/arm64');
    const linked = fs.readFileSync(path.join(dir, 'libonnxruntime.1.dylib'));
    expect(linked.equals(fs.readFileSync(path.join(dir, 'libonnxruntime.1.30.0.dylib')))).toBe(true);
    // The binding names the one it loads (its LC_LOAD_DYLIB), the other is never opened.
    expect(fs.readFileSync(path.join(dir, 'onnxruntime_binding.node')).includes('@rpath/libonnxruntime.1.dylib')).toBe(true);
  });

  it('Windows: every DLL of the npm package that a shipped file loads at start is shipped; the left-out ones are delay-loaded or never imported', () => {
    for (const target of ['win32-x64', 'win32-arm64'] as const) {
      const entry = NATIVE_BINARIES[target].onnxRuntime;
      const dir = path.join(ROOT, ortBin, entry.dir);
      const inPackage = new Map(fs.readdirSync(dir).map((file) => [file.toLowerCase(), file]));
      const shipped = new Set(entry.files);
      const loadedAtStart = new Set<string>();
      const delayLoaded = new Set<string>();
      for (const file of entry.files) {
        const { imports, delayImports } = peImports(path.join(dir, file));
        for (const name of imports) {
          const own = inPackage.get(name.toLowerCase());
          if (own !== undefined) loadedAtStart.add(own);
        }
        for (const name of delayImports) delayLoaded.add(name.toLowerCase());
      }
      // The binding loads onnxruntime.dll at start, and onnxruntime.dll none of the package's other DLLs.
      expect([...loadedAtStart], target).toEqual(['onnxruntime.dll']);
      expect([...loadedAtStart].every((file) => shipped.has(file)), target).toBe(true);
      expect(delayLoaded.has('directml.dll'), target).toBe(true);
      for (const file of LEFT_OUT[target] ?? []) expect(shipped.has(file)).toBe(false);
    }
    // The tokenizers binary imports system DLLs only: nothing of another npm package.
    const tokenizersImports = peImports(path.join(ROOT, 'node_modules/tokenizers', NATIVE_BINARIES['win32-x64'].tokenizers)).imports;
    expect(tokenizersImports.filter((name) => !/^(api-ms-win-|kernel32|ntdll|bcryptprimitives|vcruntime140)/i.test(name))).toEqual([]);
  });

  it('names tokenizers binaries that exist, one per target, all different', () => {
    const names = PACKAGE_TARGETS.map((target) => NATIVE_BINARIES[target].tokenizers);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(fs.existsSync(path.join(ROOT, 'node_modules/tokenizers', name)), name).toBe(true);
  });
});

// vsce's own selection (its collectFiles: patterns, the folder variants it adds, negations first),
// with its own minimatch, over the real files of the three packaged dependencies.
const vsceRequire = createRequire(require.resolve('@vscode/vsce/package.json'));
const { minimatch } = vsceRequire('minimatch') as { minimatch: (file: string, pattern: string, options: { dot: boolean }) => boolean };

function vsceSelects(ignoreFile: string, files: readonly string[]): string[] {
  const lines = ignoreFile
    .split(/[\n\r]/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const patterns = [...lines, ...lines.filter((line) => !/(^|\/)[^/]*\*[^/]*$/.test(line)).map((line) => (line.endsWith('/') ? `${line}**` : `${line}/**`))];
  const ignore = patterns.filter((line) => !line.startsWith('!'));
  const negate = patterns.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
  const options = { dot: true };
  return files.filter((file) => !ignore.some((pattern) => minimatch(file, pattern, options)) || negate.some((pattern) => minimatch(file, pattern, options)));
}

describe('each target’s file list (.vscodeignore plus the table)', () => {
  const common = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  const dependencies = [
    ...['node_modules/onnxruntime-node', 'node_modules/onnxruntime-common', 'node_modules/onnxruntime-node-darwin-x64', 'node_modules/tokenizers'].flatMap(
      filesUnder,
    ),
    // What an install without ONNXRUNTIME_NODE_INSTALL=skip adds (script/install-metadata.js): never selected.
    `${ortBin}/linux/x64/libonnxruntime_providers_cuda.so`,
    `${ortBin}/linux/x64/libonnxruntime_providers_shared.so`,
  ];
  const NATIVE = /^node_modules\/(onnxruntime-node(-darwin-x64)?\/bin\/|tokenizers\/[^/]+\.node$)/;
  const ORT_FILE = /^node_modules\/(onnxruntime-|[^/]+\/node_modules\/onnxruntime-)/;

  it('.vscodeignore alone selects no native binary and no ONNX Runtime package', () => {
    const selected = vsceSelects(common, dependencies);
    expect(selected.filter((file) => NATIVE.test(file) || ORT_FILE.test(file))).toEqual([]);
    expect(selected).toContain('node_modules/tokenizers/index.js');
  });

  for (const target of PACKAGE_TARGETS) {
    it(`${target}: vsce selects exactly its binaries and its ONNX Runtime package, and the package check accepts the result`, () => {
      const selected = vsceSelects(targetIgnoreFile(common, target), dependencies);
      expect(selected.filter((file) => NATIVE.test(file)).sort()).toEqual(nativeFilesOf(target).sort());
      const ortPackage = NATIVE_BINARIES[target].onnxRuntime.package;
      const ortRoots = [`node_modules/${ortPackage}/`, `${ORT_PACKAGES[ortPackage].common}/`];
      const ortFiles = selected.filter((file) => ORT_FILE.test(file));
      expect(ortFiles.filter((file) => !ortRoots.some((root) => file.startsWith(root)))).toEqual([]);
      for (const root of ortRoots) expect(ortFiles.some((file) => file.startsWith(`${root}dist/`)), root).toBe(true);
      const entries = ['extension/package.json', 'extension/dist/extension.js', ...selected.map((file) => `extension/${file}`)];
      expect(vsixContentProblems(entries, ['extension.js'], target)).toEqual([]);
    });
  }

  it('darwin-x64 takes no install-time dependency of onnxruntime-node-darwin-x64 (adm-zip, global-agent…)', () => {
    const selected = vsceSelects(targetIgnoreFile(common, 'darwin-x64'), dependencies);
    const nested = selected.filter((file) => file.startsWith('node_modules/onnxruntime-node-darwin-x64/node_modules/'));
    expect(nested.length).toBeGreaterThan(0);
    expect(nested.filter((file) => !file.startsWith('node_modules/onnxruntime-node-darwin-x64/node_modules/onnxruntime-common/'))).toEqual([]);
    expect(dependencies.some((file) => file.startsWith('node_modules/onnxruntime-node-darwin-x64/node_modules/adm-zip/'))).toBe(true);
  });
});

describe('requestedTargets', () => {
  it('builds linux-x64 by default, named targets with --target, every available one with --all', () => {
    expect(requestedTargets([])).toEqual(['linux-x64']);
    expect(requestedTargets(['--target', 'win32-arm64', '--target', 'linux-arm64'])).toEqual(['win32-arm64', 'linux-arm64']);
    expect(requestedTargets(['--target', 'darwin-x64'])).toEqual(['darwin-x64']);
    expect(requestedTargets(['--all'])).toEqual(['win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64', 'linux-x64', 'linux-arm64']);
  });

  it('refuses an unknown target or argument with the valid ones', () => {
    expect(() => requestedTargets(['--target', 'linux-riscv64'])).toThrow(/--target linux-riscv64: not one of win32-x64, win32-arm64/);
    expect(() => requestedTargets(['--target'])).toThrow(/--target \(nothing\)/);
    expect(() => requestedTargets(['--platform', 'x'])).toThrow(/unknown argument --platform/);
  });
});

describe('package.json extensionKind', () => {
  it('is ["workspace"]: the extension (its worker reading the files, loading native code) runs where the workspace is', () => {
    // Remote SSH, WSL, containers: VS Code then installs the package of the remote's platform there.
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { extensionKind?: unknown };
    expect(manifest.extensionKind).toEqual(['workspace']);
  });
});

describe('vsixManifestProblems', () => {
  // The lines vsce 3.9.2 writes (seen in the darwin-arm64 package of 2026-12-03).
  const manifest = (platform: string, kind: string) =>
    `<Identity Language="en-US" Id="bert-lens" Version="0.1.0" Publisher="bert-lens" TargetPlatform="${platform}"/>\n` +
    `<Property Id="Microsoft.VisualStudio.Code.ExtensionKind" Value="${kind}" />`;

  it('accepts the target platform with extension kind workspace, and names each mismatch', () => {
    expect(vsixManifestProblems(manifest('darwin-arm64', 'workspace'), 'darwin-arm64')).toEqual([]);
    expect(vsixManifestProblems(manifest('linux-x64', 'ui'), 'linux-arm64')).toEqual([
      'extension.vsixmanifest: TargetPlatform is linux-x64, not linux-arm64',
      'extension.vsixmanifest: ExtensionKind is ui, not workspace',
    ]);
    expect(vsixManifestProblems('<Identity Id="bert-lens"/>', 'win32-x64')).toEqual([
      'extension.vsixmanifest: TargetPlatform is absent, not win32-x64',
      'extension.vsixmanifest: ExtensionKind is absent, not workspace',
    ]);
    expect(vsixManifestProblems(undefined, 'win32-x64')).toEqual(['missing extension.vsixmanifest']);
  });
});
