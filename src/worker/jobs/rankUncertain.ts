import { paragraphUncertainties, sentenceUncertainties } from '../../core/active/scoreUnits';
import { rankMostUncertain, UNCERTAINTY_MEASURES, UNCERTAINTY_REDUCTIONS } from '../../core/active/uncertainty';
import { throwIfCancelled } from '../../core/tasks/shared/forward';
import { SEGMENT_PACKINGS } from '../../core/tasks/shared/segmentation';
import { BadRequestError, type HandlerOf } from '../jobHandler';
import type { UncertainUnitResult } from '../jobKinds';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { modelSpec, oneOf, optionalInteger, record, stringList } from './validate';

const TASKS = ['ner', 'classification'] as const;
const FUNCTIONS = ['default', 'sigmoid', 'softmax', 'none'] as const;

/**
 * Scores every sentence (NER: a token-classification model) or paragraph (classification) of the
 * texts by the model's uncertainty, one model load for all texts, and ranks them most uncertain first.
 */
export const rankUncertainJob: HandlerOf<'rankUncertain'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const task = oneOf(body.task, TASKS, 'task');
    if (!task) throw new BadRequestError('task is required (ner or classification)');
    const options = record(body.options ?? {}, 'options');
    const maxLength = optionalInteger(options.maxLength, 'options.maxLength', 3);
    const stride = optionalInteger(options.stride, 'options.stride', 0);
    if (maxLength !== undefined && stride !== undefined && stride >= maxLength - 2) {
      throw new BadRequestError(`options.stride (${stride}) must be smaller than options.maxLength − 2 (${maxLength - 2})`);
    }
    return {
      model: modelSpec(body.model),
      task,
      texts: stringList(body.texts, 'texts'),
      options: {
        measure: oneOf(options.measure, UNCERTAINTY_MEASURES, 'options.measure'),
        reduction: oneOf(options.reduction, UNCERTAINTY_REDUCTIONS, 'options.reduction'),
        maxLength,
        stride,
        batchSize: optionalInteger(options.batchSize, 'options.batchSize', 1),
        packing: oneOf(options.packing, SEGMENT_PACKINGS, 'options.packing'),
        functionToApply: oneOf(options.functionToApply, FUNCTIONS, 'options.functionToApply'),
      },
    };
  },
  run({ model: spec, task, texts, options }, context) {
    const head = task === 'ner' ? 'token-classification' : 'sequence-classification';
    return withTaskModel(spec, head, context, async (model) => {
      const weights = texts.map((text) => Math.max(1, text.length));
      const total = weights.reduce((a, b) => a + b, 0);
      let done = 0;
      const units: UncertainUnitResult[] = [];
      for (const [i, text] of texts.entries()) {
        throwIfCancelled(context.signal);
        const before = done;
        const common = {
          measure: options.measure ?? 'entropy',
          reduction: options.reduction,
          maxLength: options.maxLength,
          stride: options.stride,
          batchSize: options.batchSize,
          signal: context.signal,
          onProgress: (fraction: number) => context.progress({ phase: 'inference', fraction: (before + fraction * weights[i]!) / total }),
        };
        const scored = task === 'ner'
          ? await sentenceUncertainties(model, text, { ...common, packing: options.packing })
          : await paragraphUncertainties(model, text, { ...common, functionToApply: options.functionToApply });
        for (const unit of scored) units.push({ text: i, ...unit });
        done += weights[i]!;
      }
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), units, ranking: rankMostUncertain(units.map((unit) => unit.score)) };
    });
  },
};
