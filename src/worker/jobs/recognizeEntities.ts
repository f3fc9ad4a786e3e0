import { recognizeEntities } from '../../core/tasks/tokenClassification/pipeline';
import { AGGREGATION_STRATEGIES, type TokenClassificationResult } from '../../core/tasks/tokenClassification/types';
import { throwIfCancelled } from '../../core/tasks/shared/forward';
import { SEGMENT_PACKINGS, SEGMENTATION_MODES } from '../../core/tasks/shared/segmentation';
import { BadRequestError, type HandlerOf } from '../jobHandler';
import { modelInfo, throttledDownloadProgress } from './modelInfo';
import { modelSpec, oneOf, optionalInteger, record, stringList } from './validate';

/** Token classification (HF TokenClassificationPipeline) over one or more texts with one model. */
export const recognizeEntitiesJob: HandlerOf<'recognizeEntities'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const texts = stringList(body.texts, 'texts');
    const options = record(body.options ?? {}, 'options');
    const maxLength = optionalInteger(options.maxLength, 'options.maxLength', 3);
    const stride = optionalInteger(options.stride, 'options.stride', 0);
    if (maxLength !== undefined && stride !== undefined && stride >= maxLength - 2) {
      throw new BadRequestError(`options.stride (${stride}) must be smaller than options.maxLength − 2 (${maxLength - 2})`);
    }
    return {
      model: modelSpec(body.model),
      texts,
      options: {
        aggregationStrategy: oneOf(options.aggregationStrategy, AGGREGATION_STRATEGIES, 'options.aggregationStrategy'),
        ignoreLabels: options.ignoreLabels === undefined ? undefined : stringList(options.ignoreLabels, 'options.ignoreLabels'),
        maxLength,
        stride,
        batchSize: optionalInteger(options.batchSize, 'options.batchSize', 1),
        segmentation: oneOf(options.segmentation, SEGMENTATION_MODES, 'options.segmentation'),
        packing: oneOf(options.packing, SEGMENT_PACKINGS, 'options.packing'),
      },
    };
  },
  async run({ model: spec, texts, options }, context) {
    context.progress({ phase: 'loading' });
    const lease = await context.models.acquire(spec, 'token-classification', {
      signal: context.signal,
      onProgress: throttledDownloadProgress((progress) => context.progress(progress)),
    });
    try {
      // Progress over all texts, weighted by length (a blank text still counts as one unit).
      const weights = texts.map((text) => Math.max(1, text.length));
      const total = weights.reduce((a, b) => a + b, 0);
      let done = 0;
      const entities: TokenClassificationResult[][] = [];
      for (const [i, text] of texts.entries()) {
        throwIfCancelled(context.signal);
        const before = done;
        entities.push(await recognizeEntities(lease.model, text, {
          ...options,
          signal: context.signal,
          onProgress: (fraction) => context.progress({ phase: 'inference', fraction: (before + fraction * weights[i]!) / total }),
        }));
        done += weights[i]!;
      }
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(lease.model), entities };
    } finally {
      lease.release();
    }
  },
};
