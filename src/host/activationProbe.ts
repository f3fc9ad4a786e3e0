// Imported first by extension.ts so that this timestamp is taken before the rest of the bundle's
// module code runs: activation time then covers module evaluation as well as activate() itself.
export const bundleEvaluationStart = performance.now();

export function millisecondsSinceBundleStart(): number {
  return performance.now() - bundleEvaluationStart;
}

/** Whether onnxruntime-node has been required yet; it must not be at activation (it loads lazily). */
export function onnxRuntimeLoaded(): boolean {
  return Object.keys(require.cache).some((file) => /[\\/]onnxruntime-node[\\/]/.test(file));
}
