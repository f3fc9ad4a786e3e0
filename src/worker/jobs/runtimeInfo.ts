import { probeExecutionProviders } from '../../core/runtime/executionProviders';
import { ort } from '../../core/runtime/ort';
import type { HandlerOf } from '../jobHandler';
import { record } from './validate';

/**
 * The ONNX Runtime the worker runs models with, and which execution providers work here. Run in the
 * worker, not the extension host: a provider whose native library misbehaves takes down the worker
 * at worst, and that is where the models run.
 */
export const runtimeInfoJob: HandlerOf<'runtimeInfo'> = {
  validate(payload) {
    record(payload, 'payload');
    return {};
  },
  async run() {
    const runtime = ort();
    return {
      ortVersion: runtime.env.versions.node ?? runtime.env.versions.common,
      platform: `${process.platform}-${process.arch}`,
      nodeVersion: process.versions.node,
      providers: await probeExecutionProviders(runtime),
    };
  },
};
