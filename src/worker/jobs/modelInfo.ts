import type { LoadedModel } from '../../core/runtime/loadModel';
import { labelList } from '../../core/tasks/shared/labels';
import type { ModelInfo, ModelLoadProgress } from '../jobKinds';
import type { DownloadProgress } from '../../core/runtime/hub/resolveModel';

export function modelInfo(model: LoadedModel): ModelInfo {
  const info: ModelInfo = {
    reference: model.reference,
    dir: model.dir,
    source: model.resolved.source,
    head: model.head,
    labels: labelList(model.config.id2label),
    quantized: model.quantized,
    graphSource: model.graphSource,
  };
  if (model.resolved.commit) info.commit = model.resolved.commit;
  return info;
}

/**
 * Download progress arrives per network chunk; the host needs a few updates a second. The last
 * chunk of each file always goes through so that a bar reaches 100%.
 */
export function throttledDownloadProgress(report: (progress: ModelLoadProgress) => void, intervalMs = 100): (progress: DownloadProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    const finished = progress.total !== undefined && progress.loaded >= progress.total;
    if (!finished && now - last < intervalMs) return;
    last = now;
    report({ phase: 'download', file: progress.file, loaded: progress.loaded, total: progress.total });
  };
}
