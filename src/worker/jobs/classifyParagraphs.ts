import { classifyParagraphs } from '../../core/tasks/pipelines';
import type { HandlerOf } from '../jobHandler';
import { scoreKindOf } from './classifyTexts';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { classifyOptions, requiredString } from './taskValidate';
import { modelSpec, record } from './validate';

/** Classification of every paragraph (text between blank lines) of one text, in one batched run. */
export const classifyParagraphsJob: HandlerOf<'classifyParagraphs'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    return { model: modelSpec(body.model), text: requiredString(body.text, 'text'), options: classifyOptions(body.options) };
  },
  run({ model: spec, text, options }, context) {
    return withTaskModel(spec, 'sequence-classification', context, async (model) => {
      const paragraphs = await classifyParagraphs(model, text, {
        ...options,
        signal: context.signal,
        onProgress: (fraction) => context.progress({ phase: 'inference', fraction }),
      });
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), paragraphs, scoreKind: scoreKindOf(model, options) };
    });
  },
};
