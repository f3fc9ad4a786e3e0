import { NATIVE_BINARIES, ORT_BINARY_ROOT, PACKAGE_TARGETS, isPackageTarget, ortPackageFor } from './nativeBinaries';

/** 'onnxruntime-node': ONNX Runtime, from whichever package ORT_PACKAGES gives this platform. */
export type NativeLibrary = 'onnxruntime-node' | 'tokenizers';

/**
 * The one line a user gets when a native addon does not load on this platform: which platform,
 * which file was expected, and which BERT Lens package carries it. `cause` is the loader's own error
 * (kept as `cause`; its first line is appended because it tells a missing file from a failed link).
 */
export function nativeLoadError(library: NativeLibrary, platform: string, arch: string, cause?: unknown): Error {
  const detail = causeLine(cause);
  const error = new Error(`${missingNativeMessage(library, platform, arch)}${detail ? ` (${detail})` : ''}`);
  if (cause !== undefined) error.cause = cause;
  return error;
}

export function missingNativeMessage(library: NativeLibrary, platform: string, arch: string): string {
  const target = `${platform}-${arch}`;
  const what = library === 'onnxruntime-node' ? `ONNX Runtime's native binary (${ortPackageFor(platform, arch)})` : "the tokenizers library's native binary";
  const prefix = `BERT Lens: cannot load ${what} on ${target}`;
  if (!isPackageTarget(target)) return `${prefix}: BERT Lens is built for ${PACKAGE_TARGETS.join(', ')} only`;
  const binaries = NATIVE_BINARIES[target];
  if (library === 'onnxruntime-node') {
    const ort = binaries.onnxRuntime;
    const dir = `node_modules/${ort.package}/${ORT_BINARY_ROOT}/${ort.dir}`;
    return `${prefix}: expected ${ort.files.map((file) => `${dir}/${file}`).join(' and ')}, which the ${target} package of BERT Lens carries`;
  }
  return `${prefix}: expected node_modules/tokenizers/${binaries.tokenizers}, which the ${target} package of BERT Lens carries`;
}

/**
 * The first line of the loader's error. napi-rs loaders (tokenizers) throw a generic "Cannot find
 * native binding. npm has a bug…" whose chain of causes ends at the first thing tried: the require of
 * the binary beside index.js, the one a BERT Lens package ships.
 */
function causeLine(cause: unknown): string | undefined {
  let error = cause;
  if (error instanceof Error && /^Cannot find native binding/.test(error.message)) {
    while (error instanceof Error && error.cause !== undefined) error = error.cause;
  }
  const message = error instanceof Error ? error.message : error === undefined ? undefined : String(error);
  const line = message?.split('\n').map((part) => part.trim()).find((part) => part !== '');
  if (line === undefined) return undefined;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
