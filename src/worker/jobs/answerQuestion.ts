import { answerQuestion } from '../../core/tasks/pipelines';
import type { HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { requiredString } from './taskValidate';
import { modelSpec, optionalBoolean, optionalInteger, record } from './validate';

/** HF QuestionAnsweringPipeline over one context of any length (windows with doc_stride). */
export const answerQuestionJob: HandlerOf<'answerQuestion'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const options = record(body.options ?? {}, 'options');
    return {
      model: modelSpec(body.model),
      question: requiredString(body.question, 'question'),
      context: requiredString(body.context, 'context'),
      options: {
        topK: optionalInteger(options.topK, 'options.topK', 1),
        maxAnswerLen: optionalInteger(options.maxAnswerLen, 'options.maxAnswerLen', 1),
        maxSeqLen: optionalInteger(options.maxSeqLen, 'options.maxSeqLen', 3),
        docStride: optionalInteger(options.docStride, 'options.docStride', 0),
        handleImpossibleAnswer: optionalBoolean(options.handleImpossibleAnswer, 'options.handleImpossibleAnswer'),
        batchSize: optionalInteger(options.batchSize, 'options.batchSize', 1),
      },
    };
  },
  run({ model: spec, question, context: text, options }, context) {
    return withTaskModel(spec, 'question-answering', context, async (model) => {
      const answers = await answerQuestion(model, question, text, {
        ...options,
        signal: context.signal,
        onProgress: (fraction) => context.progress({ phase: 'inference', fraction }),
      });
      context.progress({ phase: 'inference', fraction: 1 });
      return { model: modelInfo(model), answers };
    });
  },
};
