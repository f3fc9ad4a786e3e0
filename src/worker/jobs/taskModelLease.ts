import type { HeadKind } from '../../core/bert/heads';
import type { LoadedModel } from '../../core/runtime/loadModel';
import type { JobContext } from '../jobHandler';
import type { ModelLoadProgress, ModelSpec } from '../jobKinds';
import { throttledDownloadProgress } from './modelInfo';

/** What a task job needs of its context to get its model: loading progress goes to the host. */
export type ModelContext = Pick<JobContext<ModelLoadProgress>, 'signal' | 'models' | 'progress'>;

/** Runs `use` with the model from the worker's cache (loading it first if needed) and releases it after. */
export async function withTaskModel<T>(spec: ModelSpec, head: HeadKind, context: ModelContext, use: (model: LoadedModel) => Promise<T>): Promise<T> {
  context.progress({ phase: 'loading' });
  const lease = await context.models.acquire(spec, head, {
    signal: context.signal,
    onProgress: throttledDownloadProgress((progress) => context.progress(progress)),
  });
  try {
    return await use(lease.model);
  } finally {
    lease.release();
  }
}
