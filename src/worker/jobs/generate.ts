import type { LoadedModel } from '../../core/runtime/loadModel';
import { continuationText } from '../../core/tasks/causalLm/pipeline';
import type { DecodingStrategy } from '../../core/tasks/causalLm/sampling';
import { generate, modelInputLimit } from '../../core/tasks/pipelines';
import { BadRequestError, type HandlerOf } from '../jobHandler';
import { modelInfo } from './modelInfo';
import { withTaskModel } from './taskModelLease';
import { optionalNumber, requiredString } from './taskValidate';
import { modelSpec, optionalInteger, record } from './validate';

const DEFAULT_MAX_NEW_TOKENS = 20;

/**
 * Where a prompt must start so that the model reads it whole and still has room to write: the
 * editor sends the text before the cursor, which may be far longer than the model's positions.
 * The kept part leaves min(maxNewTokens, half the positions) free and starts at a word (the first
 * token of a pre-tokenized word, never a later piece of one). 0 when the whole prompt fits.
 */
export function promptStartFor(model: LoadedModel, prompt: string, maxNewTokens: number): number {
  const { tokenizer } = model;
  const { ids, offsets, wordIds } = tokenizer.encode(prompt, { addSpecialTokens: false });
  const limit = modelInputLimit(model);
  // [CLS] + prompt tokens + the new ones must fit (the template's closing [SEP] is dropped by generate).
  const room = Math.min(maxNewTokens, Math.floor((limit - 1) / 2));
  const keep = Math.max(1, limit - 1 - room);
  if (ids.length <= keep) return 0;
  let first = ids.length - keep;
  // A word's later pieces share its word id, whatever the tokenizer type ("##" pieces of WordPiece,
  // byte-level BPE and SentencePiece pieces without a leading space).
  while (first < ids.length - 1 && wordIds[first] !== null && wordIds[first] === wordIds[first - 1]) first++;
  return offsets[first]![0];
}

function strategyOf(value: unknown): DecodingStrategy | undefined {
  if (value === undefined) return undefined;
  const strategy = record(value, 'options.strategy');
  if (strategy.kind === 'greedy') return { kind: 'greedy' };
  if (strategy.kind === 'top-k') {
    return {
      kind: 'top-k',
      topK: optionalInteger(strategy.topK, 'options.strategy.topK', 1) ?? 50,
      temperature: optionalNumber(strategy.temperature, 'options.strategy.temperature', 1e-6, 1e6) ?? 1,
    };
  }
  throw new BadRequestError(`options.strategy.kind must be "greedy" or "top-k", got ${JSON.stringify(strategy.kind)}`);
}

/** Continues a prompt with a causal-LM BERT, reporting the continuation after every token. */
export const generateJob: HandlerOf<'generate'> = {
  validate(payload) {
    const body = record(payload, 'payload');
    const options = record(body.options ?? {}, 'options');
    return {
      model: modelSpec(body.model),
      prompt: requiredString(body.prompt, 'prompt'),
      options: {
        maxNewTokens: optionalInteger(options.maxNewTokens, 'options.maxNewTokens', 1),
        strategy: strategyOf(options.strategy),
        seed: optionalInteger(options.seed, 'options.seed', 0),
      },
    };
  },
  run({ model: spec, prompt, options }, context) {
    return withTaskModel(spec, 'causal-lm', context, async (model) => {
      const maxNewTokens = options.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS;
      const promptStart = promptStartFor(model, prompt, maxNewTokens);
      const read = prompt.slice(promptStart);
      const promptIds = model.tokenizer.encode(read).ids;
      const newIds: number[] = [];
      const generation = await generate(model, read, {
        ...options,
        maxNewTokens,
        signal: context.signal,
        onToken: (token) => {
          newIds.push(token.id);
          context.progress({ phase: 'token', continuation: continuationText(model, promptIds, newIds), count: newIds.length, maxNewTokens });
        },
      });
      return { model: modelInfo(model), generation, promptStart };
    });
  },
};
