import * as os from 'node:os';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { canPackInference } from '../bert/architecture';
import { MissingWeightError } from '../bert/buildGraph';
import { headClassName, headFromArchitecture, type HeadKind } from '../bert/heads';
import type { BertConfig } from '../bert/config';
import { resolveModel, type DownloadProgress, type ResolvedModel } from './hub/resolveModel';
import { convertedOnnxPath } from './onnxConversion';
import { checkpointFiles } from './modelFolder';
import { createSession } from './ort';
import type { Tokenizer } from './tokenizer/tokenizer';
import { loadTokenizer } from './tokenizer/loadTokenizer';
import { UserError } from '../util/userError';

export class HeadMismatchError extends UserError {}

export interface LoadModelOptions {
  /** The head the task needs; loading fails with a clear message when the model has another. */
  head: HeadKind;
  /** Prefer int8 weights (onnx/model_quantized.onnx, or quantize while converting). */
  quantized?: boolean;
  /** Convert with packed rows where the head and architecture allow (LoadedModel.packedRows); default true. */
  packedRows?: boolean;
  /** ORT intra-op threads; 0 = ORT's choice. */
  threads?: number;
  /** Converted graphs and hub downloads live here; default ~/.cache/bert-lens. */
  cacheDir?: string;
  hubCacheDir?: string;
  endpoint?: string;
  offline?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadedModel {
  /** What the user asked for: a folder path or a hub id. */
  reference: string;
  dir: string;
  config: BertConfig;
  head: HeadKind;
  tokenizer: Tokenizer;
  session: Ort.InferenceSession;
  onnxPath: string;
  /** 'folder': the folder's own ONNX file; 'converted': built from model.safetensors. */
  graphSource: 'folder' | 'converted';
  quantized: boolean;
  /**
   * The graph takes packed rows (exportInferenceOnnx `packed`: a `position_ids` input and a
   * block-diagonal mask), so several windows can share a row, each attending only to itself
   * (forwardPackedRows). Graphs converted here for a token-classification head of an architecture
   * where that is exact (canPackInference); a folder's own ONNX file never (one window per row).
   */
  packedRows: boolean;
  resolved: ResolvedModel;
}

/** Heads whose converted graph takes packed rows where the architecture allows (the NER document pipeline packs windows). */
const PACKED_ROW_HEADS: readonly HeadKind[] = ['token-classification'];

export function defaultCacheDir(): string {
  return process.env.BERT_LENS_CACHE ?? path.join(os.homedir(), '.cache', 'bert-lens');
}

const HEAD_DESCRIPTION: Record<HeadKind, string> = {
  'base': 'a bare encoder',
  'token-classification': 'a token-classification head',
  'sequence-classification': 'a sequence-classification head',
  'question-answering': 'a question-answering head',
  'masked-lm': 'a masked-LM head',
  'next-sentence': 'a next-sentence-prediction head',
  'pretraining': 'a pretraining (MLM + NSP) head',
  'multiple-choice': 'a multiple-choice head',
  'causal-lm': 'a causal-LM head',
};

/** Heads whose graph can serve another head's task (a pretraining model has the MLM and NSP heads). */
function canServe(modelHead: HeadKind, wanted: HeadKind): boolean {
  if (modelHead === wanted) return true;
  if (modelHead === 'pretraining') return wanted === 'masked-lm' || wanted === 'next-sentence';
  return false;
}

/** The head a folder's config declares (config.json `architectures`). */
export function declaredHead(config: BertConfig): HeadKind | undefined {
  const architecture = config.architectures?.[0];
  return architecture ? headFromArchitecture(architecture) : undefined;
}

/**
 * Resolves (and downloads) a model, checks it has the head the task needs, obtains its ONNX graph
 * (the folder's own, or converted from safetensors and cached) and opens an ORT session.
 */
export async function loadModel(reference: string, options: LoadModelOptions): Promise<LoadedModel> {
  const resolved = await resolveModel(reference, {
    weights: options.quantized ? ['onnx-quantized', 'onnx', 'safetensors'] : ['onnx', 'safetensors', 'onnx-quantized'],
    cacheDir: options.hubCacheDir,
    endpoint: options.endpoint,
    offline: options.offline,
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const { folder } = resolved;
  const declared = declaredHead(folder.config);
  const name = folder.config.architectures?.[0] ?? 'no architectures entry';
  if (declared && !canServe(declared, options.head)) {
    throw new HeadMismatchError(
      `${reference} is a ${name} (${HEAD_DESCRIPTION[declared]}); this needs ${HEAD_DESCRIPTION[options.head]} (${headClassName(folder.config, options.head)}). ` +
        'Fine-tune it for the task or pick another model.',
    );
  }
  const graphHead = declared ?? options.head;
  let onnxPath: string;
  let graphSource: LoadedModel['graphSource'] = 'folder';
  let quantized = false;
  let packedRows = false;
  if (resolved.weightFormat === 'onnx-quantized' && folder.files.onnxQuantized) {
    onnxPath = folder.files.onnxQuantized;
    quantized = true;
  } else if (resolved.weightFormat === 'onnx' && folder.files.onnx && !(options.quantized && folder.files.safetensors)) {
    onnxPath = folder.files.onnx;
  } else if (checkpointFiles(folder)) {
    try {
      packedRows = (options.packedRows ?? true) && PACKED_ROW_HEADS.includes(graphHead) && canPackInference(folder.config);
      onnxPath = await convertedOnnxPath(folder, { head: graphHead, quantize: options.quantized ?? false, packed: packedRows, cacheDir: options.cacheDir ?? defaultCacheDir() });
    } catch (error) {
      // Weights without the head (a folder with no `architectures` entry): name the model and the class it would need to be.
      if (!(error instanceof MissingWeightError)) throw error;
      throw new HeadMismatchError(`${reference} cannot serve as a ${graphHead} model (${headClassName(folder.config, graphHead)}): ${error.message}`);
    }
    graphSource = 'converted';
    quantized = options.quantized ?? false;
  } else if (folder.files.onnx) {
    onnxPath = folder.files.onnx;
  } else {
    throw new Error(`${folder.dir} has no ONNX graph and no model.safetensors or pytorch_model.bin to build one from`);
  }
  const tokenizer = await loadTokenizer(folder.dir, { cacheDir: options.cacheDir ?? defaultCacheDir() });
  const session = await createSession(onnxPath, { intraOpNumThreads: options.threads ?? 0 });
  return { reference, dir: folder.dir, config: folder.config, head: graphHead, tokenizer, session, onnxPath, graphSource, quantized, packedRows, resolved };
}
