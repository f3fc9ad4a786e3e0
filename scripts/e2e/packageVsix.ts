// `npm run package`: production build, then a linux-x64 .vsix with @vscode/vsce, then a check of
// what went in (only the target's native binaries, no dev files) and of its size.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, VSIX_OUT_DIR, VSIX_TARGET } from './layout';
import { run } from './processes';
import { listZipEntries, type ZipEntry } from './zipEntries';

/** Issue 5's budget for the .vsix, bundled models included. */
export const VSIX_SIZE_BUDGET_BYTES = 40 * 1000 * 1000;

export interface VsixBuild {
  path: string;
  sizeBytes: number;
  entries: ZipEntry[];
}

const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/tokenizers/package.json',
  'extension/node_modules/tokenizers/index.js',
  'extension/node_modules/tokenizers/tokenizers.linux-x64-gnu.node',
];

const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: /\/napi-v6\/(?!linux\/x64\/)/, why: 'native binary of another platform' },
  { pattern: /\/tokenizers\.(?!linux-x64-gnu\.node$)[\w-]+\.node$/, why: 'native binary of another platform' },
  { pattern: /\.map$/, why: 'source map' },
  { pattern: /\.d\.ts$/, why: 'type declarations' },
  { pattern: /^extension\/(src|test|webview|scripts|bench|samples|out)\//, why: 'repository sources' },
  { pattern: /^extension\/node_modules\/(?!onnxruntime-(node|common)\/|tokenizers\/)/, why: 'dependency that esbuild already bundled' },
  { pattern: /(^|\/)\.e2e-cache\//, why: 'e2e tool cache' },
];

/** Problems with a .vsix's entry list; empty when it is right. `distFiles` are the runtime files of dist/. */
export function vsixContentProblems(entryNames: readonly string[], distFiles: readonly string[]): string[] {
  const names = new Set(entryNames);
  const problems: string[] = [];
  for (const required of REQUIRED) if (!names.has(required)) problems.push(`missing ${required}`);
  for (const file of distFiles) {
    const entry = `extension/dist/${file}`;
    if (!names.has(entry)) problems.push(`missing ${entry} (in dist/ but not packaged: extend .vscodeignore)`);
  }
  for (const name of entryNames) {
    const hit = FORBIDDEN.find(({ pattern }) => pattern.test(name));
    if (hit) problems.push(`unexpected ${name} (${hit.why})`);
  }
  return problems;
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

export async function packageVsix(): Promise<VsixBuild> {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsixPath = path.join(VSIX_OUT_DIR, `${manifest.name}-${VSIX_TARGET}-${manifest.version}.vsix`);
  // Written under a private name, then renamed: a concurrent run (the demo, another e2e run)
  // installing the previous .vsix never reads a half-written one.
  const partialPath = `${vsixPath}.${process.pid}.partial.vsix`;
  fs.mkdirSync(VSIX_OUT_DIR, { recursive: true });

  await run('npm', ['run', 'build', '--', '--production'], { cwd: REPO_ROOT });
  const vsce = path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  // --skip-license/--allow-missing-repository: vsce would otherwise stop at an interactive prompt.
  // --no-rewrite-relative-links: without a repository URL vsce refuses a README with a relative image
  // (media/screenshot-ner.png); the packaged README keeps the link relative to the extension.
  await run(
    process.execPath,
    [vsce, 'package', '--target', VSIX_TARGET, '--skip-license', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', partialPath],
    { cwd: REPO_ROOT, timeoutMs: 10 * 60_000 },
  ).catch((error: unknown) => {
    fs.rmSync(partialPath, { force: true });
    throw error;
  });

  const entries = listZipEntries(partialPath);
  const problems = vsixContentProblems(
    entries.map((entry) => entry.name),
    runtimeDistFiles(),
  );
  const sizeBytes = fs.statSync(partialPath).size;
  if (sizeBytes > VSIX_SIZE_BUDGET_BYTES) problems.push(`size ${megabytes(sizeBytes)} is over the budget of ${megabytes(VSIX_SIZE_BUDGET_BYTES)}`);
  if (problems.length > 0) {
    fs.rmSync(partialPath, { force: true });
    throw new Error(`${vsixPath} is not right:\n  ${problems.join('\n  ')}`);
  }
  fs.renameSync(partialPath, vsixPath);
  return { path: vsixPath, sizeBytes, entries };
}

function describe(build: VsixBuild): string {
  const largest = [...build.entries].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 5);
  return [
    `Packaged ${path.relative(REPO_ROOT, build.path)}: ${megabytes(build.sizeBytes)}, ${build.entries.length} entries`,
    ...largest.map((entry) => `  ${megabytes(entry.compressedSize).padStart(9)}  ${entry.name}`),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  packageVsix().then(
    (build) => console.log(describe(build)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
