/**
 * The one table of native binaries per platform: which ONNX Runtime npm package (and which of its
 * files) and which tokenizers binary a platform-specific .vsix carries (scripts/e2e/packageVsix.ts
 * builds each package's file list from it), which ONNX Runtime package the worker and the CLI load
 * here (ort.ts), and which file they expect to find (nativeLoad.ts names it when it is missing).
 */

/** vsce `--target` names; each is `${process.platform}-${process.arch}` of the machine it runs on. */
export const PACKAGE_TARGETS = ['win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64', 'linux-x64', 'linux-arm64'] as const;
export type PackageTarget = (typeof PACKAGE_TARGETS)[number];

/**
 * The npm packages of ONNX Runtime that BERT Lens loads, each with the folder of the onnxruntime-common
 * its dist/ requires (Tensor, InferenceSession: one version's objects never meet the other's).
 * onnxruntime-node 1.30.0 has no Intel-mac binary (ONNX Runtime stopped publishing them after 1.23),
 * so darwin-x64 runs 1.23.2, installed under the npm alias onnxruntime-node-darwin-x64; npm nests its
 * onnxruntime-common 1.23.2 inside it because the top-level one is 1.30.0's.
 */
export const ORT_PACKAGES = {
  'onnxruntime-node': { version: '1.30.0', common: 'node_modules/onnxruntime-common' },
  'onnxruntime-node-darwin-x64': { version: '1.23.2', common: 'node_modules/onnxruntime-node-darwin-x64/node_modules/onnxruntime-common' },
} as const;
export type OrtPackage = keyof typeof ORT_PACKAGES;

/** What a platform outside the table would try to load (and fail with a message naming the table's platforms). */
export const DEFAULT_ORT_PACKAGE: OrtPackage = 'onnxruntime-node';

/** ONNX Runtime's binaries live in bin/napi-v6/<platform>/<arch>/ (its dist/binding.js requires from there). */
export const ORT_BINARY_ROOT = 'bin/napi-v6';

export interface OrtBinaries {
  package: OrtPackage;
  /** Under ORT_BINARY_ROOT. */
  dir: string;
  files: readonly string[];
}

export interface NativeBinaries {
  onnxRuntime: OrtBinaries;
  /** tokenizers' (napi-rs) binary, at the root of its npm package, which ships every platform's. */
  tokenizers: string;
}

// Windows: onnxruntime.dll and the binding only. The npm package also holds DirectML.dll (the DirectML
// provider) and dxcompiler.dll/dxil.dll (the WebGPU provider's shader compiler), 18 MB more compressed:
// onnxruntime.dll does not import them (`objdump -p`: neither is in its import table), ORT loads them
// only when a session asks for those providers, and BERT Lens creates CPU sessions. Without them the
// package stays inside the 40 MB budget; Show Runtime Info then reports dml/webgpu as not usable.
// macOS arm64: the package holds the same library twice (libonnxruntime.1.30.0.dylib and
// libonnxruntime.1.dylib, byte for byte); the binding links @rpath/libonnxruntime.1.dylib.
// macOS x64: ONNX Runtime 1.23.2 (see ORT_PACKAGES); its binding links @rpath/libonnxruntime.1.23.2.dylib,
// the folder's only library.
// Linux: only libonnxruntime.so.1 and the binding; the CUDA/TensorRT provider libraries that
// onnxruntime-node's install script can download are never listed, so never shipped.
export const NATIVE_BINARIES: Readonly<Record<PackageTarget, NativeBinaries>> = {
  'win32-x64': {
    onnxRuntime: { package: 'onnxruntime-node', dir: 'win32/x64', files: ['onnxruntime_binding.node', 'onnxruntime.dll'] },
    tokenizers: 'tokenizers.win32-x64-msvc.node',
  },
  'win32-arm64': {
    onnxRuntime: { package: 'onnxruntime-node', dir: 'win32/arm64', files: ['onnxruntime_binding.node', 'onnxruntime.dll'] },
    tokenizers: 'tokenizers.win32-arm64-msvc.node',
  },
  'darwin-x64': {
    onnxRuntime: {
      package: 'onnxruntime-node-darwin-x64',
      dir: 'darwin/x64',
      files: ['onnxruntime_binding.node', 'libonnxruntime.1.23.2.dylib'],
    },
    tokenizers: 'tokenizers.darwin-x64.node',
  },
  'darwin-arm64': {
    onnxRuntime: { package: 'onnxruntime-node', dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'] },
    tokenizers: 'tokenizers.darwin-arm64.node',
  },
  'linux-x64': {
    onnxRuntime: { package: 'onnxruntime-node', dir: 'linux/x64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
    tokenizers: 'tokenizers.linux-x64-gnu.node',
  },
  'linux-arm64': {
    onnxRuntime: { package: 'onnxruntime-node', dir: 'linux/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
    tokenizers: 'tokenizers.linux-arm64-gnu.node',
  },
};

export function isPackageTarget(name: string): name is PackageTarget {
  return (PACKAGE_TARGETS as readonly string[]).includes(name);
}

/** The ONNX Runtime package to require on this platform and architecture. */
export function ortPackageFor(platform: string, arch: string): OrtPackage {
  const target = `${platform}-${arch}`;
  return isPackageTarget(target) ? NATIVE_BINARIES[target].onnxRuntime.package : DEFAULT_ORT_PACKAGE;
}

/** The files, relative to the extension root, that carry `target`'s native code. */
export function nativeFilesOf(target: PackageTarget): string[] {
  const { onnxRuntime, tokenizers } = NATIVE_BINARIES[target];
  return [
    ...onnxRuntime.files.map((file) => `node_modules/${onnxRuntime.package}/${ORT_BINARY_ROOT}/${onnxRuntime.dir}/${file}`),
    `node_modules/tokenizers/${tokenizers}`,
  ];
}
