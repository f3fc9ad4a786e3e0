import { nextSentence } from '../../core/tasks/pipelines';
import type { HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { requiredString } from './taskValidate';
import { modelSpec, record } from './validate';

/** P(B follows A) from a next-sentence (or pretraining) head. */
export const nextSentenceJob: HandlerOf<'nextSentence'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    return { model: modelSpec(body.model), a: requiredString(body.a, 'a'), b: requiredString(body.b, 'b') };
  },
  run({ model: spec, a, b }, context) {
    return withTaskModel(spec, 'next-sentence', context, async (model) => {
      const prediction = await nextSentence(model, a, b, { signal: context.signal });
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), prediction };
    });
  },
};
