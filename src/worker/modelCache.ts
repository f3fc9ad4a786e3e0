import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { HeadKind } from '../core/bert/heads';
import type { DownloadProgress } from '../core/runtime/hub/resolveModel';
import type { LoadedModel, LoadModelOptions } from '../core/runtime/loadModel';
import { MODEL_FILES } from '../core/runtime/modelFolder';
import { CancelledError } from '../core/tasks/shared/forward';
import { loadTaskModel } from '../core/tasks/shared/taskModel';
import type { ModelSpec } from './jobKinds';

export type ModelLoader = (reference: string, options: LoadModelOptions) => Promise<LoadedModel>;

export interface AcquireOptions {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

/** A model lent to a job; `release()` when the job is done so an evicted session can be freed. */
export interface ModelLease {
  model: LoadedModel;
  release(): void;
}

interface Entry {
  key: string;
  loading: Promise<LoadedModel>;
  /** Aborts the shared load once every job waiting for it has been cancelled. */
  controller: AbortController;
  waiters: number;
  progressListeners: Set<(progress: DownloadProgress) => void>;
  model?: LoadedModel;
  leases: number;
  evicted: boolean;
}

/** Files whose change means a local model folder must be loaded again (e.g. after fine-tuning into it). */
const FINGERPRINT_FILES = [
  MODEL_FILES.config, MODEL_FILES.tokenizerJson, MODEL_FILES.vocab, MODEL_FILES.safetensors, MODEL_FILES.onnx, MODEL_FILES.onnxQuantized,
];

export async function folderFingerprint(reference: string): Promise<string> {
  const stat = await fs.stat(reference).catch(() => undefined);
  if (!stat?.isDirectory()) return '';
  const parts = await Promise.all(FINGERPRINT_FILES.map(async (file) => {
    const fileStat = await fs.stat(path.join(reference, file)).catch(() => undefined);
    return fileStat ? `${fileStat.size}:${fileStat.mtimeMs}` : '-';
  }));
  return parts.join('|');
}

function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; dispose(): void } {
  if (!signal) return { promise: new Promise<never>(() => {}), dispose: () => {} };
  let onAbort = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CancelledError());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/**
 * Loaded models (ORT sessions) kept between jobs, keyed by (reference, head, quantized, threads) and,
 * for local folders, by the size and mtime of their weight/config files. Jobs asking for a model that
 * is still loading share that load; the least recently used models beyond `capacity` are released
 * once no job holds them. A failed load is not cached, so fixing the folder and retrying works.
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    // loadTaskModel: weights lacking the head report a HeadMismatchError naming the model and the head.
    private readonly load: ModelLoader = loadTaskModel,
    private readonly capacity = 3,
    private readonly fingerprint: (reference: string) => Promise<string> = folderFingerprint,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async acquire(spec: ModelSpec, head: HeadKind, options: AcquireOptions = {}): Promise<ModelLease> {
    if (options.signal?.aborted) throw new CancelledError();
    const key = JSON.stringify([spec.reference, head, spec.quantized ?? false, spec.threads ?? 0, await this.fingerprint(spec.reference)]);
    let entry = this.entries.get(key);
    if (entry?.controller.signal.aborted) entry = undefined; // a load being abandoned: start afresh
    if (entry) {
      // Most recently used goes last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      entry = this.startLoad(key, spec, head);
    }
    const current = entry;
    current.waiters++;
    if (options.onProgress) current.progressListeners.add(options.onProgress);
    const abort = abortPromise(options.signal);
    try {
      const model = await Promise.race([current.loading, abort.promise]);
      current.leases++;
      let released = false;
      return {
        model,
        release: () => {
          if (released) return;
          released = true;
          current.leases--;
          if (current.evicted && current.leases === 0) void model.session.release().catch(() => {});
        },
      };
    } finally {
      abort.dispose();
      current.waiters--;
      if (options.onProgress) current.progressListeners.delete(options.onProgress);
      if (current.waiters === 0 && !current.model) current.controller.abort();
    }
  }

  /** Releases every session (worker shutdown). */
  async dispose(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    for (const entry of entries) entry.controller.abort();
    await Promise.all(entries.map(async (entry) => {
      const model = await entry.loading.catch(() => undefined);
      await model?.session.release().catch(() => {});
    }));
  }

  private startLoad(key: string, spec: ModelSpec, head: HeadKind): Entry {
    const controller = new AbortController();
    const entry: Entry = {
      key, controller, waiters: 0, leases: 0, evicted: false, progressListeners: new Set(),
      loading: Promise.resolve() as unknown as Promise<LoadedModel>,
    };
    entry.loading = this.load(spec.reference, {
      head,
      quantized: spec.quantized,
      threads: spec.threads,
      cacheDir: spec.cacheDir,
      hubCacheDir: spec.hubCacheDir,
      endpoint: spec.endpoint,
      offline: spec.offline,
      signal: controller.signal,
      onProgress: (progress) => {
        for (const listener of entry.progressListeners) listener(progress);
      },
    }).then(
      (model) => {
        entry.model = model;
        this.evictBeyondCapacity();
        return model;
      },
      (error: unknown) => {
        // Only this entry: a later acquire may already have replaced an abandoned load with a new one.
        if (this.entries.get(key) === entry) this.entries.delete(key);
        throw controller.signal.aborted ? new CancelledError() : error;
      },
    );
    // The rejection is observed by the waiters; this keeps an unobserved one from crashing the worker.
    entry.loading.catch(() => {});
    this.entries.set(key, entry);
    return entry;
  }

  private evictBeyondCapacity(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return;
      // Still loading, or loaded but not yet handed to the jobs waiting for it.
      if (!entry.model || entry.waiters > 0) continue;
      this.entries.delete(key);
      entry.evicted = true;
      if (entry.leases === 0) void entry.model.session.release().catch(() => {});
    }
  }
}
