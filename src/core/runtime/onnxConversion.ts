import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkWeights, exportInferenceOnnx } from '../bert/buildGraph';
import type { HeadKind } from '../bert/heads';
import { canonicalName } from '../bert/weightNames';
import { writeFileAtomic } from '../util/atomicWrite';
import { checkpointFiles, loadSafetensorsWeights, type ModelFolder } from './modelFolder';

/** Bumped whenever the graph builder changes what it emits, so stale cached graphs are rebuilt. */
export const CONVERTER_VERSION = '1';

async function sha256OfFiles(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    await new Promise<void>((resolve, reject) => {
      createReadStream(file)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', () => resolve())
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}

export interface ConversionOptions {
  head: HeadKind;
  quantize: boolean;
  /** A graph with packed rows (exportInferenceOnnx `packed`): a `position_ids` input, several examples per row. */
  packed?: boolean;
  /** Where converted graphs are kept, keyed by the weights' content hash. */
  cacheDir: string;
}

/**
 * Builds the ONNX graph of a folder that has only model.safetensors (most hub BERTs), and caches
 * it under the sha256 of the weights + config: changed weights produce a new key, so a stale graph
 * is never used.
 */
export async function convertedOnnxPath(folder: ModelFolder, options: ConversionOptions): Promise<string> {
  const sources = checkpointFiles(folder);
  if (!sources?.length) throw new Error(`${folder.dir} has no model.safetensors or pytorch_model.bin to convert`);
  const weightsHash = await sha256OfFiles([folder.files.config, ...sources]);
  const variant = `${options.quantize ? 'int8' : 'fp32'}${options.packed ? '-packed' : ''}`;
  const target = path.join(options.cacheDir, 'onnx', `${weightsHash.slice(0, 32)}-${options.head}-${variant}-v${CONVERTER_VERSION}.onnx`);
  if (await fs.stat(target).catch(() => undefined)) return target;

  const weights = await loadSafetensorsWeights(folder);
  const lookup = (name: string): Float32Array => weights.float32(weights.has(name) ? name : canonicalName(folder.config, name));
  checkWeights(folder.config, options.head, (n) => weights.has(n) || weights.has(canonicalName(folder.config, n)), (n) => weights.info(weights.has(n) ? n : canonicalName(folder.config, n)).shape);
  const bytes = exportInferenceOnnx(folder.config, options.head, lookup, {
    quantize: options.quantize ? 'int8' : undefined,
    packed: options.packed,
    metadata: { source: folder.dir, weights_sha256: weightsHash, converter: `bert-lens ${CONVERTER_VERSION}` },
  });
  await writeFileAtomic(target, bytes);
  return target;
}
