// `npm run package`: production build, then a platform-specific .vsix with @vscode/vsce (linux-x64
// unless `--target <t>` (repeatable) or `--all` says otherwise), then a check of what went in (that
// target's native binaries and no other platform's, no dev files) and of its size. Each target's file
// list is .vscodeignore (what every package holds) plus its native binaries from the one table in
// src/core/runtime/nativeBinaries.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NATIVE_BINARIES,
  PACKAGE_TARGETS,
  isPackageTarget,
  nativeFilesOf,
  type PackageTarget,
} from '../../src/core/runtime/nativeBinaries';
import { REPO_ROOT, VSIX_OUT_DIR, VSIX_TARGET } from './layout';
import { run } from './processes';
import { listZipEntries, readZipEntry, type ZipEntry } from './zipEntries';

/** Issue 5's budget for the .vsix, bundled models included. */
export const VSIX_SIZE_BUDGET_BYTES = 40 * 1000 * 1000;

export interface VsixBuild {
  target: PackageTarget;
  path: string;
  sizeBytes: number;
  entries: ZipEntry[];
}

const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/tokenizers/package.json',
  'extension/node_modules/tokenizers/index.js',
];

const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: /\.map$/, why: 'source map' },
  { pattern: /\.d\.ts$/, why: 'type declarations' },
  { pattern: /^extension\/(src|test|webview|scripts|bench|samples|out)\//, why: 'repository sources' },
  { pattern: /^extension\/node_modules\/(?!onnxruntime-(node|common)\/|tokenizers\/)/, why: 'dependency that esbuild already bundled' },
  { pattern: /(^|\/)\.e2e-cache\//, why: 'e2e tool cache' },
];

/** Where native code sits in the packaged dependencies: every file here must be one the target lists. */
const NATIVE_ENTRY = /^extension\/node_modules\/(onnxruntime-node\/bin\/|tokenizers\/[^/]+\.node$)/;

/**
 * Problems with `target`'s .vsix entry list; empty when it is right. `distFiles` are the runtime
 * files of dist/.
 */
export function vsixContentProblems(entryNames: readonly string[], distFiles: readonly string[], target: PackageTarget = VSIX_TARGET): string[] {
  const names = new Set(entryNames);
  const native = new Set(nativeFilesOf(target).map((file) => `extension/${file}`));
  const problems: string[] = [];
  for (const required of [...REQUIRED, ...native]) if (!names.has(required)) problems.push(`missing ${required}`);
  for (const file of distFiles) {
    const entry = `extension/dist/${file}`;
    if (!names.has(entry)) problems.push(`missing ${entry} (in dist/ but not packaged: extend .vscodeignore)`);
  }
  for (const name of entryNames) {
    if (NATIVE_ENTRY.test(name) && !native.has(name)) {
      problems.push(`unexpected ${name} (native file not in the ${target} list of src/core/runtime/nativeBinaries.ts)`);
      continue;
    }
    const hit = FORBIDDEN.find(({ pattern }) => pattern.test(name));
    if (hit) problems.push(`unexpected ${name} (${hit.why})`);
  }
  return problems;
}

/**
 * Problems with the package's extension.vsixmanifest: VS Code installs a package only on the platform
 * its TargetPlatform names, and where ExtensionKind says (the workspace side, for remotes).
 */
export function vsixManifestProblems(manifestXml: string | undefined, target: PackageTarget): string[] {
  if (manifestXml === undefined) return ['missing extension.vsixmanifest'];
  const problems: string[] = [];
  const platform = /<Identity\b[^>]*\bTargetPlatform="([^"]*)"/.exec(manifestXml)?.[1];
  if (platform !== target) problems.push(`extension.vsixmanifest: TargetPlatform is ${platform ?? 'absent'}, not ${target}`);
  const kind = /<Property Id="Microsoft\.VisualStudio\.Code\.ExtensionKind" Value="([^"]*)"/.exec(manifestXml)?.[1];
  if (kind !== 'workspace') problems.push(`extension.vsixmanifest: ExtensionKind is ${kind ?? 'absent'}, not workspace`);
  return problems;
}

/**
 * The ignore file vsce reads for `target`: .vscodeignore (everything ignored, then negations for what
 * every package holds) plus one negation per native file of the target. vsce gives a negation
 * priority over every ignore pattern, so naming exact files keeps out the other platforms'.
 */
export function targetIgnoreFile(commonIgnore: string, target: PackageTarget): string {
  const native = nativeFilesOf(target).map((file) => `!${file}`);
  return `${commonIgnore.trimEnd()}\n# ${target}'s native binaries (src/core/runtime/nativeBinaries.ts)\n${native.join('\n')}\n`;
}

function runtimeDistFiles(): string[] {
  const dist = path.join(REPO_ROOT, 'dist');
  return (fs.readdirSync(dist, { recursive: true, encoding: 'utf8' }) as string[])
    .filter((file) => fs.statSync(path.join(dist, file)).isFile() && !file.endsWith('.map'))
    .map((file) => file.split(path.sep).join('/'));
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

export interface PackageOptions {
  /** Skip `npm run build -- --production` (packageVsixes builds once for all targets). */
  built?: boolean;
}

export async function packageVsix(target: PackageTarget = VSIX_TARGET, options: PackageOptions = {}): Promise<VsixBuild> {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsixPath = path.join(VSIX_OUT_DIR, `${manifest.name}-${target}-${manifest.version}.vsix`);
  // Before minutes of building: a target whose ONNX Runtime binary does not exist fails at once.
  const ignore = targetIgnoreFile(fs.readFileSync(path.join(REPO_ROOT, '.vscodeignore'), 'utf8'), target);
  // Written under a private name, then renamed: a concurrent run (the demo, another e2e run)
  // installing the previous .vsix never reads a half-written one.
  const partialPath = `${vsixPath}.${process.pid}.partial.vsix`;
  const ignorePath = path.join(VSIX_OUT_DIR, `.vscodeignore-${target}.${process.pid}`);
  fs.mkdirSync(VSIX_OUT_DIR, { recursive: true });
  fs.writeFileSync(ignorePath, ignore);

  try {
    if (!options.built) await run('npm', ['run', 'build', '--', '--production'], { cwd: REPO_ROOT });
    const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    // --skip-license/--allow-missing-repository: vsce would otherwise stop at an interactive prompt.
    // --no-rewrite-relative-links: without a repository URL vsce refuses a README with a relative image
    // (media/screenshot-ner.png); the packaged README keeps the link relative to the extension.
    await run(
      process.execPath,
      [
        vsce,
        'package',
        '--target',
        target,
        '--ignoreFile',
        ignorePath,
        '--skip-license',
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
        '--out',
        partialPath,
      ],
      { cwd: REPO_ROOT, timeoutMs: 10 * 60_000 },
    );
  } catch (error) {
    fs.rmSync(partialPath, { force: true });
    throw error;
  } finally {
    fs.rmSync(ignorePath, { force: true });
  }

  const entries = listZipEntries(partialPath);
  const problems = vsixContentProblems(
    entries.map((entry) => entry.name),
    runtimeDistFiles(),
    target,
  );
  problems.push(...vsixManifestProblems(readZipEntry(partialPath, 'extension.vsixmanifest')?.toString('utf8'), target));
  const sizeBytes = fs.statSync(partialPath).size;
  if (sizeBytes > VSIX_SIZE_BUDGET_BYTES) problems.push(`size ${megabytes(sizeBytes)} is over the budget of ${megabytes(VSIX_SIZE_BUDGET_BYTES)}`);
  if (problems.length > 0) {
    fs.rmSync(partialPath, { force: true });
    throw new Error(`${vsixPath} is not right:\n  ${problems.join('\n  ')}`);
  }
  fs.renameSync(partialPath, vsixPath);
  return { target, path: vsixPath, sizeBytes, entries };
}

function describe(build: VsixBuild): string {
  const largest = [...build.entries].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 5);
  return [
    `Packaged ${path.relative(REPO_ROOT, build.path)}: ${megabytes(build.sizeBytes)}, ${build.entries.length} entries`,
    ...largest.map((entry) => `  ${megabytes(entry.compressedSize).padStart(9)}  ${entry.name}`),
  ].join('\n');
}

/** `--target <t>` (repeatable), or `--all`: every target whose ONNX Runtime binary exists. */
export function requestedTargets(args: readonly string[]): { targets: PackageTarget[]; skipped: string[] } {
  if (args.includes('--all')) {
    const targets: PackageTarget[] = [];
    const skipped: string[] = [];
    for (const target of PACKAGE_TARGETS) {
      const ort = NATIVE_BINARIES[target].onnxRuntime;
      if (ort.kind === 'shipped') targets.push(target);
      else skipped.push(`${target}: not built: ${ort.why}`);
    }
    return { targets, skipped };
  }
  const targets: PackageTarget[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--target') throw new Error(`unknown argument ${args[i]} (use --target <${PACKAGE_TARGETS.join('|')}> or --all)`);
    const target = args[++i] ?? '';
    if (!isPackageTarget(target)) throw new Error(`--target ${target || '(nothing)'}: not one of ${PACKAGE_TARGETS.join(', ')}`);
    targets.push(target);
  }
  return { targets: targets.length > 0 ? targets : [VSIX_TARGET], skipped: [] };
}

async function main(args: readonly string[]): Promise<number> {
  const { targets, skipped } = requestedTargets(args);
  for (const target of targets) nativeFilesOf(target); // an unavailable one fails before the build
  await run('npm', ['run', 'build', '--', '--production'], { cwd: REPO_ROOT });
  let failed = 0;
  for (const target of targets) {
    try {
      console.log(describe(await packageVsix(target, { built: true })));
    } catch (error) {
      failed++;
      console.error(`${target}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const line of skipped) console.log(line);
  return failed === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
