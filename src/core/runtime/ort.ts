import type * as OrtModule from 'onnxruntime-node';
import type { DType, TypedArray } from '../graph/dtype';
import { ORT_TYPE } from '../graph/dtype';
import { ortPackageFor, type OrtPackage } from './nativeBinaries';
import { nativeLoadError } from './nativeLoad';

let ortModule: typeof OrtModule | undefined;

// One literal require per package, so that esbuild sees each name (both stay external) and a package
// added to ORT_PACKAGES without its loader fails to type-check. The 1.23.2 API that BERT Lens uses
// (InferenceSession, Tensor, env, listSupportedBackends) is 1.30's; its types are 1.30's.
/* eslint-disable @typescript-eslint/no-require-imports */
const LOADERS: Record<OrtPackage, () => typeof OrtModule> = {
  'onnxruntime-node': () => require('onnxruntime-node') as typeof OrtModule,
  'onnxruntime-node-darwin-x64': () => require('onnxruntime-node-darwin-x64') as typeof OrtModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * ONNX Runtime, from the package the native binaries table names for this platform (1.23.2 on Intel
 * macOS, 1.30.0 elsewhere). Every Tensor and InferenceSession in BERT Lens comes from here, never
 * from an onnxruntime-common of its own: a binding accepts only its own version's Tensor class.
 * It is a native addon of tens of MB: loaded on first use, never at extension activation, so
 * opening VS Code stays fast.
 */
export function ort(): typeof OrtModule {
  if (!ortModule) {
    const name = ortPackageFor(process.platform, process.arch);
    try {
      ortModule = LOADERS[name]();
    } catch (error) {
      // Its JavaScript is plain; what fails here is the platform's binary (absent from this package,
      // or not linkable), so the user learns which platform and which file.
      throw nativeLoadError('onnxruntime-node', process.platform, process.arch, error);
    }
  }
  return ortModule;
}

export interface SessionOptions {
  /** Threads for one operator (ORT intra-op pool); 0 lets ORT pick. */
  intraOpNumThreads?: number;
  /** ORT graph optimization level; 'all' enables the fusions, 'disabled' is for debugging. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Writes the optimized graph here (debugging ORT fusions). */
  optimizedModelFilePath?: string;
}

export async function createSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<OrtModule.InferenceSession> {
  const sessionOptions: OrtModule.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    executionMode: 'sequential',
    intraOpNumThreads: options.intraOpNumThreads ?? 0,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
  };
  if (options.optimizedModelFilePath) sessionOptions.optimizedModelFilePath = options.optimizedModelFilePath;
  if (typeof model === 'string') return ort().InferenceSession.create(model, sessionOptions);
  return ort().InferenceSession.create(model, sessionOptions);
}

export function tensor(dtype: DType, data: TypedArray, dims: readonly number[]): OrtModule.Tensor {
  const T = ort().Tensor;
  return new T(ORT_TYPE[dtype] as 'float32', data as Float32Array, dims);
}
