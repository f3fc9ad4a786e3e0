import type { LoadedModel } from '../../core/runtime/loadModel';
import { classifyText } from '../../core/tasks/pipelines';
import { labelList } from '../../core/tasks/shared/labels';
import { throwIfCancelled } from '../../core/tasks/shared/forward';
import { defaultFunctionToApply, type LabelScore } from '../../core/tasks/textClassification/postprocess';
import type { HandlerOf } from '../jobHandler';
import type { ClassifyOptionsPayload, ScoreKind } from '../taskJobKinds';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { classifyOptions } from './taskValidate';
import { modelSpec, record, stringList } from './validate';

/** The function the scores went through: the one asked for, else HF's default for the model's problem_type. */
export function scoreKindOf(model: LoadedModel, options: ClassifyOptionsPayload): ScoreKind {
  const asked = options.functionToApply;
  if (asked !== undefined && asked !== 'default') return asked;
  return defaultFunctionToApply(model.config.problem_type, labelList(model.config.id2label).length);
}

/** HF TextClassificationPipeline on several texts (e.g. one per selection) with one model. */
export const classifyTextsJob: HandlerOf<'classifyTexts'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    return { model: modelSpec(body.model), texts: stringList(body.texts, 'texts'), options: classifyOptions(body.options) };
  },
  run({ model: spec, texts, options }, context) {
    return withTaskModel(spec, 'sequence-classification', context, async (model) => {
      const weights = texts.map((text) => Math.max(1, text.length));
      const total = weights.reduce((a, b) => a + b, 0);
      let done = 0;
      const results: LabelScore[][] = [];
      for (const [i, text] of texts.entries()) {
        throwIfCancelled(context.signal);
        const before = done;
        results.push(await classifyText(model, text, {
          ...options,
          signal: context.signal,
          onProgress: (fraction) => context.progress({ phase: 'inference', fraction: (before + fraction * weights[i]!) / total }),
        }));
        done += weights[i]!;
      }
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), results, scoreKind: scoreKindOf(model, options) };
    });
  },
};
