import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  inspectModelFolder, isPlainRelativeFile, MODEL_FILES, ModelFolderError, readJsonFile, readShardIndex, type ModelFolder,
} from '../modelFolder';
import { parseBertConfig } from '../../bert/config';
import { IntegrityError, NetworkError, openHubFile, saveHubFile, type OpenedFile } from './download';
import { defaultHubCacheDir, HubRepoCache, isSafeSnapshotName } from './hubCache';
import { HubError } from './hubError';
import { DownloadSizeCap, SizeLimitError } from './sizeCap';
import { parseHubModelId } from './modelId';
import { TOKENIZER_FILES } from '../tokenizer/tokenizerFileNames';

/*
 * Why our own downloader rather than @huggingface/transformers' hub code: importing that package
 * into the extension bundle pulls in onnxruntime-web (~140 MB of wasm) and sharp (a native,
 * per-platform image library) that BERT Lens never uses; its download settings are global mutable
 * state (`env.remoteHost`, `env.cacheDir`, whose default lies inside the package folder and would be
 * wiped by every extension update); it takes no AbortSignal; and it checks neither Content-Length nor
 * sha256 of what arrived. What we need is ~300 lines over Node's fetch, in the cache layout of the
 * Python hub so models downloaded with transformers are reused.
 */

export type WeightFormat = 'onnx' | 'onnx-quantized' | 'safetensors';

export interface DownloadProgress {
  /** Repository-relative file name, e.g. `onnx/model.onnx`. */
  file: string;
  loaded: number;
  /** Bytes expected; undefined when the server does not say. */
  total: number | undefined;
}

export interface ResolveModelOptions {
  /** Hub URL; default `$HF_ENDPOINT`, else https://huggingface.co. */
  endpoint?: string;
  /** Branch, tag or commit; default the `@revision` of the id, else `main`. */
  revision?: string;
  /** Default: see defaultHubCacheDir (`$HF_HUB_CACHE`, `$HF_HOME/hub`, `~/.cache/huggingface/hub`). */
  cacheDir?: string;
  /** Access token for private or gated models; default `$HF_TOKEN` (or `$HUGGING_FACE_HUB_TOKEN`). */
  token?: string;
  /** Weight formats in order of preference; the first one the model has is used. Default ['onnx', 'safetensors']. */
  weights?: WeightFormat[];
  /** Use only the cache; default true when `$HF_HUB_OFFLINE` is 1/true/yes/on. */
  offline?: boolean;
  /** Ignore what is cached and download again. */
  forceDownload?: boolean;
  /**
   * The most bytes any one file may have (default: what the file type can be, see DownloadSizeCap);
   * a download beyond it stops, and nothing of it is cached.
   */
  maxDownloadBytes?: number;
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Environment to read the defaults from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedModel {
  source: 'local' | 'hub';
  /** The folder to load from: the local folder, or the cache snapshot of the hub model. */
  dir: string;
  folder: ModelFolder;
  /** The first format of `weights` that the model has. */
  weightFormat: WeightFormat;
  /** Hub only: the model id, the revision asked for and the commit it resolved to. */
  id?: string;
  revision?: string;
  commit?: string;
  /** Hub only: repository-relative files fetched in this call, and those taken from the cache. */
  downloaded: string[];
  cached: string[];
  /** Hub only: optional files the repository does not have (e.g. special_tokens_map.json). */
  absent: string[];
}

const DEFAULT_ENDPOINT = 'https://huggingface.co';
const DEFAULT_WEIGHTS: WeightFormat[] = ['onnx', 'safetensors'];
const WEIGHT_FILE: Record<WeightFormat, string> = {
  onnx: MODEL_FILES.onnx,
  'onnx-quantized': MODEL_FILES.onnxQuantized,
  safetensors: MODEL_FILES.safetensors,
};

/**
 * A local folder path is used as it is; anything else that reads as a hub id (`owner/name`,
 * `owner/name@revision`) is taken from the cache or downloaded into it.
 */
export async function resolveModel(idOrPath: string, options: ResolveModelOptions = {}): Promise<ResolvedModel> {
  const weights = options.weights && options.weights.length > 0 ? options.weights : DEFAULT_WEIGHTS;
  const localPath = idOrPath.startsWith('~') ? path.join(os.homedir(), idOrPath.slice(1)) : idOrPath;
  const stat = await fs.stat(localPath).catch(() => undefined);
  if (stat?.isDirectory()) {
    const folder = await inspectModelFolder(localPath);
    return { source: 'local', dir: folder.dir, folder, weightFormat: pickLocalFormat(folder, weights), downloaded: [], cached: [], absent: [] };
  }
  // Something exists at the path but it is not a folder: never ask the hub for a name that is a local file.
  if (stat) throw new ModelFolderError(path.resolve(localPath), `Not a model folder (a file, not a directory): ${path.resolve(localPath)}`);
  const ref = looksLikePath(idOrPath) ? undefined : parseHubModelId(idOrPath);
  if (!ref) {
    const resolved = path.resolve(localPath);
    throw new ModelFolderError(resolved, looksLikePath(idOrPath)
      ? `Model folder not found: ${resolved}`
      : `Model folder not found: ${resolved} (and "${idOrPath}" is not a hub id such as owner/name)`);
  }
  try {
    return await new HubModelResolver(ref.id, options.revision ?? ref.revision ?? 'main', weights, options).resolve();
  } catch (error) {
    // `models/base` reads as a hub id; when the hub cannot serve it and a local folder `models` exists,
    // the user most likely meant a path: say that it does not exist either.
    const owner = ref.id.includes('/') ? ref.id.slice(0, ref.id.indexOf('/')) : undefined;
    const ownerIsFolder = owner !== undefined && (await fs.stat(owner).catch(() => undefined))?.isDirectory();
    if (ownerIsFolder && error instanceof HubError && (error.code === 'repo-not-found' || error.code === 'unavailable')) {
      throw new HubError(error.code, error.modelId, `${error.message} (nor is there a local folder ${path.resolve(localPath)})`, error.files);
    }
    throw error;
  }
}

/**
 * The rule that tells a path from a hub id when nothing exists at the path: a text starting with
 * `/`, `./`, `../`, `.`, `~` or a drive letter, or containing `\\`, is a path (a missing one gives
 * "Model folder not found"). Anything else that parseHubModelId accepts (`name`, `org/name`,
 * `org/name@revision`: at most one `/`) is a hub id; two or more `/` cannot be a hub id, so such a
 * text is a missing folder too. An existing file or folder always wins over the hub.
 */
function looksLikePath(text: string): boolean {
  return path.isAbsolute(text) || text.startsWith('.') || text.startsWith('~') || text.includes('\\') || /^[A-Za-z]:/.test(text);
}

function pickLocalFormat(folder: ModelFolder, weights: WeightFormat[]): WeightFormat {
  const has: Record<WeightFormat, boolean> = {
    onnx: folder.files.onnx !== undefined,
    'onnx-quantized': folder.files.onnxQuantized !== undefined,
    safetensors: folder.files.safetensors !== undefined || folder.files.pytorch !== undefined,
  };
  const format = weights.find((w) => has[w]);
  if (!format) {
    throw new ModelFolderError(path.join(folder.dir, WEIGHT_FILE[weights[0]!]),
      `${folder.dir} has none of the requested weights (${weights.map((w) => WEIGHT_FILE[w]).join(', ')})`);
  }
  return format;
}

type FileState = 'cached' | 'downloaded' | 'absent' | 'unavailable';

class HubModelResolver {
  private readonly cache: HubRepoCache;
  private readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly offline: boolean;
  private commit: string | undefined;
  /** Set by the first transport failure: every later file is looked up in the cache only. */
  private networkProblem: string | undefined;
  private readonly downloaded: string[] = [];
  private readonly cached: string[] = [];
  private readonly absent: string[] = [];

  constructor(
    private readonly id: string,
    private readonly revision: string,
    private readonly weights: WeightFormat[],
    private readonly options: ResolveModelOptions,
  ) {
    const env = options.env ?? process.env;
    this.cache = new HubRepoCache(options.cacheDir ?? defaultHubCacheDir(env), id);
    this.endpoint = (options.endpoint ?? env.HF_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
    this.token = options.token ?? env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN;
    this.offline = options.offline ?? /^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE ?? '');
  }

  async resolve(): Promise<ResolvedModel> {
    if (!this.options.forceDownload) this.commit = await this.cache.readRef(this.revision);
    const missing: string[] = [];

    const config = await this.obtain(MODEL_FILES.config);
    if (config === 'absent') throw this.notFound([MODEL_FILES.config], 'is not a transformers model: it has no config.json');
    if (config === 'unavailable') missing.push(MODEL_FILES.config);
    // Before any weights are fetched: a config that cannot be loaded is refused at once.
    else await checkConfigFile(this.cache.filePath(this.commit!, MODEL_FILES.config));

    // The tokenizer of the first type the repository has, in AutoTokenizer's order: tokenizer.json /
    // vocab.txt, then vocab.json + merges.txt (byte-level BPE), then a SentencePiece model.
    const tokenizerKinds: string[][] = [
      [MODEL_FILES.tokenizerJson, MODEL_FILES.vocab],
      [TOKENIZER_FILES.vocabJson, TOKENIZER_FILES.merges],
      ...TOKENIZER_FILES.sentencePiece.map((name) => [name]),
    ];
    let tokenizerFound = false;
    const tokenizerUnavailable: string[] = [];
    for (const [k, kind] of tokenizerKinds.entries()) {
      const states: FileState[] = [];
      for (const file of kind) states.push(await this.obtain(file));
      // The first kind's files are alternatives; the other kinds need all of theirs.
      const complete = k === 0 ? states.some(isPresent) : states.every(isPresent);
      if (complete) {
        tokenizerFound = true;
        // A slow tokenizer's files (no tokenizer.json) may come with the tokens added to it.
        if (k > 0) await this.obtain(TOKENIZER_FILES.addedTokens);
        break;
      }
      // Without the network the later kinds are unknowable too: report this one and stop asking.
      if (states.includes('unavailable')) {
        tokenizerUnavailable.push(kind.join(k === 0 ? ' or ' : ' + '));
        break;
      }
    }
    if (!tokenizerFound) {
      if (tokenizerUnavailable.length > 0) missing.push(tokenizerUnavailable.join(' or '));
      else throw this.notFound(tokenizerKinds.flat(), 'has no tokenizer (no tokenizer.json, vocab.txt, vocab.json + merges.txt or SentencePiece model)');
    }
    for (const file of [MODEL_FILES.tokenizerConfig, MODEL_FILES.specialTokensMap]) await this.obtain(file);

    const weights = await this.obtainWeights();
    missing.push(...weights.missing);

    if (missing.length > 0 || !weights.format || !this.commit) throw this.unavailable(missing);
    const dir = this.cache.snapshotDir(this.commit);
    const folder = await inspectModelFolder(dir);
    return {
      source: 'hub', dir, folder, weightFormat: weights.format, id: this.id, revision: this.revision, commit: this.commit,
      downloaded: this.downloaded, cached: this.cached, absent: this.absent,
    };
  }

  /**
   * The first preferred format the repo has. When an earlier format cannot be checked (network
   * down) but a later one is cached, the cached one is used rather than failing.
   */
  private async obtainWeights(): Promise<{ format?: WeightFormat; missing: string[] }> {
    const unreachable: string[] = [];
    for (const format of this.weights) {
      const { state, missing } = format === 'safetensors'
        ? await this.obtainSafetensors()
        : { state: await this.obtain(WEIGHT_FILE[format]), missing: [WEIGHT_FILE[format]] };
      if (isPresent(state)) return { format, missing: [] };
      if (state === 'unavailable') unreachable.push(missing.join(' and '));
    }
    if (unreachable.length > 0) return { missing: [unreachable.join(' or ')] };
    const names = this.weights.map((w) => WEIGHT_FILE[w]);
    throw this.notFound(names, `has none of the requested weight files (${names.join(', ')})`);
  }

  /**
   * model.safetensors, or the sharded form: the index plus every shard it names; when the repository
   * has neither, pytorch_model.bin or its sharded form (as transformers falls back to it).
   */
  private async obtainSafetensors(): Promise<{ state: FileState; missing: string[] }> {
    const safetensors = await this.obtainCheckpoint(MODEL_FILES.safetensors, MODEL_FILES.safetensorsIndex);
    if (safetensors.state !== 'absent') return safetensors;
    return this.obtainCheckpoint(MODEL_FILES.pytorch, MODEL_FILES.pytorchIndex);
  }

  private async obtainCheckpoint(singleFile: string, indexFile: string): Promise<{ state: FileState; missing: string[] }> {
    const single = await this.obtain(singleFile);
    if (single !== 'absent') return { state: single, missing: [singleFile] };
    const index = await this.obtain(indexFile);
    if (!isPresent(index) || !this.commit) return { state: index, missing: [indexFile] };
    const { weight_map: weightMap } = await readShardIndex(this.cache.filePath(this.commit, indexFile));
    const unavailableShards: string[] = [];
    for (const shard of new Set(Object.values(weightMap))) {
      const state = await this.obtain(shard);
      if (state === 'absent') throw this.notFound([shard], `lists ${shard} in ${indexFile} but does not have it`);
      if (state === 'unavailable') unavailableShards.push(shard);
    }
    return unavailableShards.length > 0 ? { state: 'unavailable', missing: unavailableShards } : { state: 'cached', missing: [] };
  }

  private async obtain(file: string): Promise<FileState> {
    if (this.commit && !this.options.forceDownload) {
      if (await this.cache.has(this.commit, file)) {
        this.cached.push(file);
        return 'cached';
      }
      if (await this.cache.isKnownMissing(this.commit, file)) {
        this.absent.push(file);
        return 'absent';
      }
    }
    if (this.offline || this.networkProblem !== undefined) return 'unavailable';
    return this.download(file);
  }

  private async download(file: string): Promise<FileState> {
    if (!isPlainRelativeFile(file)) throw new HubError('http', this.id, `Model "${this.id}" names an unsafe file path "${file}"`, [file]);
    const url = `${this.endpoint}/${this.id}/resolve/${encodeURIComponent(this.pinnedRevision ?? this.revision)}/${file}`;
    let opened: OpenedFile;
    try {
      opened = await openHubFile(url, { token: this.token, signal: this.options.signal });
    } catch (error) {
      return this.transportFailure(file, error);
    }
    const commit = this.adoptCommit(opened.info.commit);
    if (opened.status === 'http-error') return this.httpError(file, opened, commit);
    try {
      await saveHubFile(opened, this.cache.filePath(commit, file),
        (loaded, total) => this.options.onProgress?.({ file, loaded, total }), this.options.signal,
        new DownloadSizeCap(file, this.options.maxDownloadBytes));
    } catch (error) {
      return this.transportFailure(file, error);
    }
    await this.cache.writeRef(this.revision, commit);
    this.downloaded.push(file);
    return 'downloaded';
  }

  /**
   * The first response fixes the snapshot; later requests ask for that commit so that all files
   * match. A server that sends no X-Repo-Commit (not the real hub) gets a snapshot named after the
   * revision.
   */
  private adoptCommit(fromHeader: string | undefined): string {
    if (!this.commit) {
      const fromServer = fromHeader !== undefined && isSafeSnapshotName(fromHeader);
      this.commit = fromServer ? fromHeader : encodeURIComponent(this.revision);
    }
    return this.commit;
  }

  /** Once a commit is known, from the cache or from a response, requests ask for it. */
  private get pinnedRevision(): string | undefined {
    return this.commit !== undefined && this.commit !== encodeURIComponent(this.revision) ? this.commit : undefined;
  }

  private async httpError(file: string, opened: Extract<OpenedFile, { status: 'http-error' }>, commit: string): Promise<FileState> {
    const { httpStatus, info } = opened;
    const local = `To use a model folder instead, give its path (a folder with config.json, a tokenizer and model.safetensors or onnx/model.onnx).`;
    if (info.errorCode === 'RepoNotFound' || (httpStatus === 401 && info.errorCode !== 'GatedRepo')) {
      const auth = this.token ? 'the token given has no access to it' : 'if it is private, set HF_TOKEN (or the token option)';
      throw new HubError(httpStatus === 401 ? 'unauthorized' : 'repo-not-found', this.id,
        `Model "${this.id}" was not found on ${this.endpoint} (HTTP ${httpStatus}), nor is there a local folder of that name: ` +
        `check the id; ${auth}. ${local}`, [file]);
    }
    if (info.errorCode === 'GatedRepo' || httpStatus === 403) {
      throw new HubError('gated', this.id,
        `Model "${this.id}" is gated on ${this.endpoint} (HTTP ${httpStatus}): accept its terms on the model page and set HF_TOKEN (or the token option) to a token of that account. ${local}`, [file]);
    }
    if (info.errorCode === 'RevisionNotFound') {
      throw new HubError('revision-not-found', this.id, `Model "${this.id}" has no revision "${this.revision}" on ${this.endpoint}`, [file]);
    }
    if (httpStatus === 404) {
      this.absent.push(file);
      await this.cache.markMissing(commit, file).catch(() => undefined);
      return 'absent';
    }
    if (httpStatus >= 500 || httpStatus === 429) {
      return this.transportFailure(file, new NetworkError(`${this.endpoint} answered HTTP ${httpStatus} for ${file}`));
    }
    throw new HubError('http', this.id, `Downloading ${file} of model "${this.id}" failed: HTTP ${httpStatus} from ${opened.url}`, [file]);
  }

  private transportFailure(file: string, error: unknown): FileState {
    if (this.options.signal?.aborted) throw this.options.signal.reason ?? error;
    if (error instanceof SizeLimitError) {
      throw new HubError('integrity', this.id, `Download of ${file} for model "${this.id}" stopped: ${error.message}; nothing was cached`, [file]);
    }
    if (error instanceof IntegrityError) {
      throw new HubError('integrity', this.id, `Download of ${file} for model "${this.id}" is corrupt (${error.message}); nothing was cached, try again`, [file]);
    }
    if (!(error instanceof NetworkError)) throw error;
    this.networkProblem = `downloading ${file} failed: ${error.message}`;
    return 'unavailable';
  }

  private notFound(files: string[], what: string): HubError {
    return new HubError('file-not-found', this.id, `Model "${this.id}" (revision ${this.revision}) ${what}`, files);
  }

  private unavailable(missing: string[]): HubError {
    const reason = this.offline
      ? 'offline mode is on (offline option or HF_HUB_OFFLINE)'
      : `${this.endpoint} is unreachable: ${this.networkProblem ?? 'no response'}`;
    return new HubError('unavailable', this.id,
      `Cannot load model "${this.id}" (revision ${this.revision}): ${reason}. ` +
      `Not in the cache (${this.cache.repoDir}): ${missing.join(', ')}. ` +
      `To work without the network, put config.json, tokenizer.json or vocab.txt, and model.safetensors or onnx/model.onnx ` +
      `in a folder and use that folder's path as the model.`,
      missing.flatMap((m) => m.split(' or ')));
  }
}

async function checkConfigFile(file: string): Promise<void> {
  try {
    parseBertConfig(await readJsonFile(file), file);
  } catch (error) {
    throw error instanceof ModelFolderError ? error : new ModelFolderError(file, (error as Error).message);
  }
}

function isPresent(state: FileState): boolean {
  return state === 'cached' || state === 'downloaded';
}
