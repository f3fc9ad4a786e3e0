import type { LoadedModel } from '../../core/runtime/loadModel';
import { fillMask } from '../../core/tasks/pipelines';
import { maskFill } from '../../core/tasks/fillMask/maskFill';
import type { HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { requiredString } from './taskValidate';
import { modelSpec, optionalInteger, record } from './validate';

/** Where the model's mask tokens are in `text` (UTF-16 offsets), in the order fillMask reports them. */
export function maskSpans(model: LoadedModel, text: string): Array<{ start: number; end: number }> {
  const { tokenizer } = model;
  const encoding = tokenizer.encode(text);
  return encoding.ids.flatMap((id, i) => (id === tokenizer.maskTokenId ? [{ start: encoding.offsets[i]![0], end: encoding.offsets[i]![1] }] : []));
}

/** HF FillMaskPipeline on one text, with where each mask is so that the editor can replace it. */
export const fillMaskJob: HandlerOf<'fillMask'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const options = record(body.options ?? {}, 'options');
    return { model: modelSpec(body.model), text: requiredString(body.text, 'text'), options: { topK: optionalInteger(options.topK, 'options.topK', 1) } };
  },
  run({ model: spec, text, options }, context) {
    // A pretraining (MLM + NSP) model serves fill-mask too; loadModel accepts it for 'masked-lm'.
    return withTaskModel(spec, 'masked-lm', context, async (model) => {
      const predictions = await fillMask(model, text, { topK: options.topK, signal: context.signal });
      context.progress({ phase: 'inference', fraction: 1 });
      return {
        model: modelInfo(model),
        maskToken: model.tokenizer.maskToken ?? '[MASK]',
        masks: maskSpans(model, text),
        predictions,
        fills: predictions.map((candidates) => candidates.map((prediction) => maskFill(model.tokenizer, prediction))),
      };
    });
  },
};
