import type { Tokenizer } from '../../core/runtime/tokenizer/tokenizer';
import { fillMask } from '../../core/tasks/pipelines';
import { maskFill } from '../../core/tasks/fillMask/maskFill';
import type { HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { requiredString } from './taskValidate';
import { modelSpec, optionalInteger, record } from './validate';

/**
 * Where the model's mask tokens are in `text` (UTF-16 offsets), in the order fillMask reports them:
 * the mask token's own characters. A mask with lstrip (XLM-R's, RoBERTa's `<mask>`) swallows the
 * spaces before it, and where the tokenizer keeps them in the offsets (SentencePiece: " <mask>")
 * replacing the whole span would glue the prediction to the word before.
 */
export function maskSpans(tokenizer: Pick<Tokenizer, 'encode' | 'maskTokenId' | 'maskToken'>, text: string): Array<{ start: number; end: number }> {
  const encoding = tokenizer.encode(text);
  const mask = tokenizer.maskToken;
  return encoding.ids.flatMap((id, i) => {
    if (id !== tokenizer.maskTokenId) return [];
    const [start, end] = encoding.offsets[i]!;
    const at = mask === undefined ? -1 : text.slice(start, end).indexOf(mask);
    return [at < 0 ? { start, end } : { start: start + at, end: start + at + mask!.length }];
  });
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
        masks: maskSpans(model.tokenizer, text),
        predictions,
        fills: predictions.map((candidates) => candidates.map((prediction) => maskFill(model.tokenizer, prediction))),
      };
    });
  },
};
