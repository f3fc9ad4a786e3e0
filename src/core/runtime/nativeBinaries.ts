/**
 * The one table of native binaries per platform: which files of onnxruntime-node and tokenizers a
 * platform-specific .vsix carries (scripts/e2e/packageVsix.ts builds each package's file list from
 * it) and which file the worker and the CLI expect to find when they load a native addon here
 * (nativeLoad.ts names it when it is missing).
 */

/** vsce `--target` names; each is `${process.platform}-${process.arch}` of the machine it runs on. */
export const PACKAGE_TARGETS = ['win32-x64', 'win32-arm64', 'darwin-x64', 'darwin-arm64', 'linux-x64', 'linux-arm64'] as const;
export type PackageTarget = (typeof PACKAGE_TARGETS)[number];

/** onnxruntime-node's binaries live in bin/napi-v6/<platform>/<arch>/ (its dist/binding.js requires from there). */
export const ORT_BINARY_ROOT = 'bin/napi-v6';

export type OrtBinaries =
  | { kind: 'shipped'; /** Under ORT_BINARY_ROOT. */ dir: string; files: readonly string[] }
  | { kind: 'unavailable'; why: string };

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
// macOS: the package holds the same library twice (libonnxruntime.1.30.0.dylib and
// libonnxruntime.1.dylib, byte for byte); the binding links @rpath/libonnxruntime.1.dylib.
// Linux: only libonnxruntime.so.1 and the binding; the CUDA/TensorRT provider libraries that
// onnxruntime-node's install script can download are never listed, so never shipped.
export const NATIVE_BINARIES: Readonly<Record<PackageTarget, NativeBinaries>> = {
  'win32-x64': {
    onnxRuntime: { kind: 'shipped', dir: 'win32/x64', files: ['onnxruntime_binding.node', 'onnxruntime.dll'] },
    tokenizers: 'tokenizers.win32-x64-msvc.node',
  },
  'win32-arm64': {
    onnxRuntime: { kind: 'shipped', dir: 'win32/arm64', files: ['onnxruntime_binding.node', 'onnxruntime.dll'] },
    tokenizers: 'tokenizers.win32-arm64-msvc.node',
  },
  'darwin-x64': {
    onnxRuntime: {
      kind: 'unavailable',
      why: 'onnxruntime-node 1.30.0 ships no darwin/x64 binary (ONNX Runtime stopped publishing Intel macOS builds after 1.23)',
    },
    tokenizers: 'tokenizers.darwin-x64.node',
  },
  'darwin-arm64': {
    onnxRuntime: { kind: 'shipped', dir: 'darwin/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.1.dylib'] },
    tokenizers: 'tokenizers.darwin-arm64.node',
  },
  'linux-x64': {
    onnxRuntime: { kind: 'shipped', dir: 'linux/x64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
    tokenizers: 'tokenizers.linux-x64-gnu.node',
  },
  'linux-arm64': {
    onnxRuntime: { kind: 'shipped', dir: 'linux/arm64', files: ['onnxruntime_binding.node', 'libonnxruntime.so.1'] },
    tokenizers: 'tokenizers.linux-arm64-gnu.node',
  },
};

export function isPackageTarget(name: string): name is PackageTarget {
  return (PACKAGE_TARGETS as readonly string[]).includes(name);
}

/** The files, relative to the extension root, that carry `target`'s native code; throws when ORT has none. */
export function nativeFilesOf(target: PackageTarget): string[] {
  const { onnxRuntime, tokenizers } = NATIVE_BINARIES[target];
  if (onnxRuntime.kind === 'unavailable') throw new Error(`cannot build the ${target} package: ${onnxRuntime.why}`);
  return [
    ...onnxRuntime.files.map((file) => `node_modules/onnxruntime-node/${ORT_BINARY_ROOT}/${onnxRuntime.dir}/${file}`),
    `node_modules/tokenizers/${tokenizers}`,
  ];
}
