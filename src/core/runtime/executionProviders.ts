import type * as OrtModule from 'onnxruntime-node';
import { Graph } from '../graph/graph';
import { addScalar } from '../graph/ops/elementwise';
import { writeOnnx } from '../graph/onnxWriter';
import { ort as loadOrt } from './ort';

/** What trying one ONNX Runtime execution provider showed. */
export interface ProviderProbe {
  name: string;
  /** onnxruntime-node ships this provider's library (listSupportedBackends). */
  bundled: boolean;
  /** A session restricted to this provider was created and computed 2 + 1 = 3. */
  usable: boolean;
  /** Why not, when not usable: the first line of ORT's error. */
  reason?: string;
}

/** y = x + 1 on one float: the smallest graph every provider can take. */
function tinyModel(): Uint8Array {
  const graph = new Graph();
  const x = graph.input('x', 'float32', [1]);
  graph.output(addScalar(x, 1), 'y');
  return writeOnnx(graph);
}

/**
 * Which execution providers actually work here. listSupportedBackends() names what the build knows
 * (cpu, webgpu, cuda, tensorrt on Linux x64) whether or not a GPU, its driver or the CUDA libraries
 * exist; so each one is tried: a session on a tiny model with only that provider, run once. A
 * provider that registers can still leave operators to the CPU; "usable" means it registered and the
 * run gave the right number, not that a BERT would run on it.
 */
export async function probeExecutionProviders(ort: typeof OrtModule = loadOrt()): Promise<ProviderProbe[]> {
  const model = tinyModel();
  const probes: ProviderProbe[] = [];
  for (const backend of ort.listSupportedBackends()) {
    const probe: ProviderProbe = { name: backend.name, bundled: backend.bundled, usable: false };
    try {
      const session = await ort.InferenceSession.create(model, { executionProviders: [backend.name] });
      try {
        const output = await session.run({ x: new ort.Tensor('float32', new Float32Array([2]), [1]) });
        const y = output.y?.data as Float32Array | undefined;
        if (y?.[0] === 3) probe.usable = true;
        else probe.reason = `the test run gave ${String(y?.[0])} instead of 3`;
      } finally {
        await session.release();
      }
    } catch (error) {
      probe.reason = firstLine(error instanceof Error ? error.message : String(error));
    }
    probes.push(probe);
  }
  return probes;
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? 'unknown error';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
