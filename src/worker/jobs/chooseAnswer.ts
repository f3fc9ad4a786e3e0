import { chooseAnswer } from '../../core/tasks/pipelines';
import type { HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { requiredString } from './taskValidate';
import { modelSpec, record, stringList } from './validate';

/** The multiple-choice head's scores for a prompt and its candidate answers. */
export const chooseAnswerJob: HandlerOf<'chooseAnswer'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    return { model: modelSpec(body.model), prompt: requiredString(body.prompt, 'prompt'), choices: stringList(body.choices, 'choices') };
  },
  run({ model: spec, prompt, choices }, context) {
    return withTaskModel(spec, 'multiple-choice', context, async (model) => {
      const scores = await chooseAnswer(model, prompt, choices, { signal: context.signal });
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), scores };
    });
  },
};
