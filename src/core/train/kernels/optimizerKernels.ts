import { OPTIMIZER_WASM_BASE64 } from './optimizerWasm';

/** The float32 scalars of one AdamW update (see adamw.ts for where each comes from). */
export interface AdamWScalars {
  decay: number;
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  biasCorrection2Sqrt: number;
  negStepSize: number;
  eps: number;
  /** Multiplies each gradient as it is read (the clip coefficient; 1 leaves it as it is). */
  gradScale: number;
}

/** The parts of the WebAssembly API used here (this project's TypeScript libs omit the DOM's). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}

interface Exports {
  memory: WasmMemory;
  adamw(p: number, g: number, m: number, v: number, n: number, decay: number, beta1: number, omb1: number, beta2: number, omb2: number, bc2: number, negStep: number, eps: number, gradScale: number): void;
  squareLanes(x: number, n: number, lanes: number): void;
}

/** Values per array and call: four arrays of 256 KiB stay in the L2 cache. */
const CHUNK = 1 << 16;
const BYTES = CHUNK * 4;
const [P, G, M, V, LANES] = [0, BYTES, 2 * BYTES, 3 * BYTES, 4 * BYTES];
const PAGE = 65536;

/**
 * The optimizer loops over every parameter value each step (6.4 M for a small BERT, 110 M for
 * BERT-base); in WebAssembly SIMD they run several times faster than in JavaScript, with the same
 * bits. Chunks are copied through a fixed 1 MiB of linear memory, so any tensor size works and the
 * optimizer state stays in ordinary Float32Arrays (checkpoints, snapshots).
 */
class OptimizerKernels {
  private readonly floats: Float32Array;

  constructor(private readonly exports: Exports) {
    const needed = Math.ceil((LANES + 32) / PAGE) - exports.memory.buffer.byteLength / PAGE;
    if (needed > 0) exports.memory.grow(needed);
    this.floats = new Float32Array(exports.memory.buffer);
  }

  adamw(param: Float32Array, grad: Float32Array, expAvg: Float32Array, expAvgSq: Float32Array, s: AdamWScalars): void {
    const f = this.floats;
    for (let start = 0; start < param.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, param.length);
      f.set(param.subarray(start, end), P / 4);
      f.set(grad.subarray(start, end), G / 4);
      f.set(expAvg.subarray(start, end), M / 4);
      f.set(expAvgSq.subarray(start, end), V / 4);
      this.exports.adamw(P, G, M, V, end - start, s.decay, s.beta1, s.oneMinusBeta1, s.beta2, s.oneMinusBeta2, s.biasCorrection2Sqrt, s.negStepSize, s.eps, s.gradScale);
      const n = end - start;
      param.set(f.subarray(P / 4, P / 4 + n), start);
      expAvg.set(f.subarray(M / 4, M / 4 + n), start);
      expAvgSq.set(f.subarray(V / 4, V / 4 + n), start);
    }
  }

  /** torch's eight float32 accumulator lanes of x·x over values[0, end), end a multiple of 8. */
  squareLanes(values: Float32Array, end: number): Float32Array {
    const f = this.floats;
    f.fill(0, LANES / 4, LANES / 4 + 8);
    for (let start = 0; start < end; start += CHUNK) {
      const stop = Math.min(start + CHUNK, end);
      f.set(values.subarray(start, stop), P / 4);
      this.exports.squareLanes(P, stop - start, LANES);
    }
    return f.slice(LANES / 4, LANES / 4 + 8);
  }
}

let loaded: OptimizerKernels | null | undefined;

/** The WebAssembly kernels, or null where WebAssembly SIMD is unavailable (callers loop in JavaScript). */
export function optimizerKernels(): OptimizerKernels | null {
  if (loaded !== undefined) return loaded;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(OPTIMIZER_WASM_BASE64, 'base64'));
    loaded = new OptimizerKernels(new wasm.Instance(module).exports as Exports);
  } catch {
    loaded = null;
  }
  return loaded;
}
