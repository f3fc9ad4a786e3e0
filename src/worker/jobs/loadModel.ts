import type { HandlerOf } from '../jobHandler';
import { modelInfo, throttledDownloadProgress } from './modelInfo';
import { headKind, modelSpec, record } from './validate';

/** Loads (downloads, converts) a model into the worker's cache without running it: a warm-up. */
export const loadModelJob: HandlerOf<'loadModel'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    return { model: modelSpec(body.model), head: headKind(body.head, 'head') };
  },
  async run({ model, head }, context) {
    context.progress({ phase: 'loading' });
    const lease = await context.models.acquire(model, head, {
      signal: context.signal,
      onProgress: throttledDownloadProgress((progress) => context.progress(progress)),
    });
    try {
      return modelInfo(lease.model);
    } finally {
      lease.release();
    }
  },
};
