// `npm run package`: production build, then a platform-specific .vsix with @vscode/vsce (linux-x64
// unless `--target <t>` (repeatable) or `--all` says otherwise), then a check of what went in (that
// target's native binaries and no other platform's, no dev files) and of its size. Each target's file
// list is .vscodeignore (what every package holds) plus its ONNX Runtime package (JavaScript, the
// onnxruntime-common it requires, that platform's binaries) and tokenizers binary, from the one table
// in src/core/runtime/nativeBinaries.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NATIVE_BINARIES,
  ORT_BINARY_ROOT,
  ORT_PACKAGES,
  PACKAGE_TARGETS,
  isPackageTarget,
  nativeFilesOf,
  type OrtPackage,
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

/** The ONNX Runtime package `target` loads: its JavaScript and the onnxruntime-common that requires. */
function ortPackageOf(target: PackageTarget): { name: OrtPackage; dir: string; common: string } {
  const name = NATIVE_BINARIES[target].onnxRuntime.package;
  return { name, dir: `node_modules/${name}`, common: ORT_PACKAGES[name].common };
}

function requiredEntries(target: PackageTarget): string[] {
  const ort = ortPackageOf(target);
  return [
    'package.json',
    'dist/extension.js',
    `${ort.dir}/package.json`,
    `${ort.dir}/dist/index.js`,
    `${ort.common}/package.json`,
    `${ort.common}/dist/cjs/index.js`,
    'node_modules/tokenizers/package.json',
    'node_modules/tokenizers/index.js',
  ].map((file) => `extension/${file}`);
}

/**
 * Why a packaged file under node_modules/ should not be there, or undefined: only the target's ONNX
 * Runtime package (not its nested install-time dependencies: adm-zip, global-agent…), the
 * onnxruntime-common it requires, and tokenizers are loaded at run time; esbuild bundled the rest.
 */
function dependencyProblem(name: string, target: PackageTarget): string | undefined {
  if (!name.startsWith('extension/node_modules/')) return undefined;
  const file = name.slice('extension/'.length);
  const ort = ortPackageOf(target);
  const root = [`${ort.common}/`, `${ort.dir}/`, 'node_modules/tokenizers/']
    .filter((prefix) => file.startsWith(prefix))
    .sort((a, b) => b.length - a.length)[0];
  if (root !== undefined && !file.slice(root.length).includes('node_modules/')) return undefined;
  const otherOrt = (Object.keys(ORT_PACKAGES) as OrtPackage[])
    .filter((other) => other !== ort.name)
    .some((other) => file.startsWith(`node_modules/${other}/`) || file.startsWith(`${ORT_PACKAGES[other].common}/`));
  return otherOrt ? `ONNX Runtime package that ${target} does not load` : 'dependency that esbuild already bundled';
}

const FORBIDDEN: { problem: (name: string, target: PackageTarget) => string | undefined }[] = [
  { problem: (name) => (/\.map$/.test(name) ? 'source map' : undefined) },
  { problem: (name) => (/\.d\.ts$/.test(name) ? 'type declarations' : undefined) },
  { problem: (name) => (/^extension\/(src|test|webview|scripts|bench|samples|out)\//.test(name) ? 'repository sources' : undefined) },
  { problem: dependencyProblem },
  { problem: (name) => (/(^|\/)\.e2e-cache\//.test(name) ? 'e2e tool cache' : undefined) },
];

/** Where native code sits in the packaged dependencies: every file here must be one the target lists. */
const NATIVE_ENTRY = new RegExp(
  `^extension/node_modules/(${Object.keys(ORT_PACKAGES).join('|')})/${ORT_BINARY_ROOT}/|^extension/node_modules/tokenizers/[^/]+\\.node$`,
);

/**
 * Problems with `target`'s .vsix entry list; empty when it is right. `distFiles` are the runtime
 * files of dist/.
 */
export function vsixContentProblems(entryNames: readonly string[], distFiles: readonly string[], target: PackageTarget = VSIX_TARGET): string[] {
  const names = new Set(entryNames);
  const native = new Set(nativeFilesOf(target).map((file) => `extension/${file}`));
  const problems: string[] = [];
  for (const required of [...requiredEntries(target), ...native]) if (!names.has(required)) problems.push(`missing ${required}`);
  for (const file of distFiles) {
    const entry = `extension/dist/${file}`;
    if (!names.has(entry)) problems.push(`missing ${entry} (in dist/ but not packaged: extend .vscodeignore)`);
  }
  for (const name of entryNames) {
    if (NATIVE_ENTRY.test(name) && !native.has(name)) {
      problems.push(`unexpected ${name} (native file not in the ${target} list of src/core/runtime/nativeBinaries.ts)`);
      continue;
    }
    const why = FORBIDDEN.map(({ problem }) => problem(name, target)).find((found) => found !== undefined);
    if (why) problems.push(`unexpected ${name} (${why})`);
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
 * every package holds) plus negations for the target's ONNX Runtime package (its JavaScript and its
 * onnxruntime-common) and one per native file of the target. vsce gives a negation priority over
 * every ignore pattern, so naming exact files keeps out the other platforms' (and the other ONNX
 * Runtime package altogether).
 */
export function targetIgnoreFile(commonIgnore: string, target: PackageTarget): string {
  const ort = ortPackageOf(target);
  const javascript = [
    `${ort.dir}/package.json`,
    `${ort.dir}/dist/*.js`,
    `${ort.common}/package.json`,
    `${ort.common}/dist/cjs/package.json`,
    `${ort.common}/dist/cjs/**/*.js`,
  ];
  return [
    commonIgnore.trimEnd(),
    `# ${target}'s ONNX Runtime package, ${ort.name} ${ORT_PACKAGES[ort.name].version} (src/core/runtime/nativeBinaries.ts)`,
    ...javascript.map((file) => `!${file}`),
    `# ${target}'s native binaries`,
    ...nativeFilesOf(target).map((file) => `!${file}`),
    '',
  ].join('\n');
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

/** `--target <t>` (repeatable), or `--all`: every target. */
export function requestedTargets(args: readonly string[]): PackageTarget[] {
  if (args.includes('--all')) return [...PACKAGE_TARGETS];
  const targets: PackageTarget[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--target') throw new Error(`unknown argument ${args[i]} (use --target <${PACKAGE_TARGETS.join('|')}> or --all)`);
    const target = args[++i] ?? '';
    if (!isPackageTarget(target)) throw new Error(`--target ${target || '(nothing)'}: not one of ${PACKAGE_TARGETS.join(', ')}`);
    targets.push(target);
  }
  return targets.length > 0 ? targets : [VSIX_TARGET];
}

async function main(args: readonly string[]): Promise<number> {
  const targets = requestedTargets(args);
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
