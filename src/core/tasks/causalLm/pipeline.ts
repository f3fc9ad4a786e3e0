import type { LoadedModel } from '../../runtime/loadModel';
import { tensor } from '../../runtime/ort';
import { cleanUpTokenization } from '../../runtime/tokenizer/decode';
import { Random } from '../../util/random';
import { throwIfCancelled } from '../shared/forward';
import { integerOption } from '../shared/numeric';
import { modelInputLimit, requireHead, TaskInputError } from '../shared/taskModel';
import { checkStrategy, greedyToken, sampleTopK, type DecodingStrategy } from './sampling';

export interface GenerateOptions {
  /** Tokens to add at most (default 20). */
  maxNewTokens?: number;
  /** Default greedy. */
  strategy?: DecodingStrategy;
  /** Seed of the sampler (top-k); the same seed gives the same continuation. Default 0. */
  seed?: number;
  /** Stop when the model predicts this token (default the tokenizer's [SEP]); null never stops early. */
  eosTokenId?: number | null;
  signal?: AbortSignal;
  /** Called after each new token, e.g. to stream the continuation into the editor. */
  onToken?: (token: GeneratedToken) => void;
}

export interface GeneratedToken {
  id: number;
  /** The vocabulary entry, e.g. "##ing". */
  token: string;
}

export interface GenerationResult {
  /** HF TextGenerationPipeline's field: the prompt followed by the continuation. */
  generated_text: string;
  /** Only the new text, with the space the WordPiece decoder puts before it (none before a "##" piece). */
  continuation: string;
  tokens: GeneratedToken[];
  /** Why generation stopped: the token budget, the end token, or the model's position limit. */
  finish_reason: 'max_new_tokens' | 'eos' | 'max_length';
}

/**
 * Continues a prompt with a causal-LM BERT (BertLMHeadModel, `is_decoder`: each position attends only
 * to itself and earlier ones, and the MLM head predicts the next token). The prompt is `[CLS] prompt`
 * (the template's closing [SEP] is dropped so that the model continues the text); generation stops at
 * [SEP], after maxNewTokens, or at the model's position limit.
 *
 * The graph has no KV cache: every step re-runs the encoder on the whole growing sequence, O(n²) in
 * the length. Fine for the small models and short continuations this is for.
 */
export async function generate(model: LoadedModel, prompt: string, options: GenerateOptions = {}): Promise<GenerationResult> {
  requireHead(model, 'text generation', ['causal-lm'], () => ['logits']);
  if (!model.config.is_decoder) {
    throw new TaskInputError(`${model.reference} is not a decoder (config is_decoder is false): its attention sees later tokens, so it cannot continue text`);
  }
  const maxNewTokens = integerOption(options.maxNewTokens, 20, 1, 'max_new_tokens', (m) => new TaskInputError(m));
  const strategy = options.strategy ?? { kind: 'greedy' };
  checkStrategy(strategy);
  const { tokenizer } = model;
  const eos = options.eosTokenId === undefined ? tokenizer.sepTokenId : options.eosTokenId ?? undefined;
  const encoding = tokenizer.encode(prompt);
  const ids = encoding.ids.slice();
  if (ids.length > 0 && encoding.specialTokensMask[ids.length - 1] && ids[ids.length - 1] === tokenizer.sepTokenId) ids.pop();
  const limit = modelInputLimit(model);
  if (ids.length >= limit) throw new TaskInputError(`the prompt is ${ids.length} tokens; the model reads at most ${limit}, leaving no room to continue`);
  const promptLength = ids.length;
  const random = new Random(options.seed ?? 0);
  const vocabSize = model.config.vocab_size;
  const tokens: GeneratedToken[] = [];
  let finish: GenerationResult['finish_reason'] = 'max_new_tokens';
  while (tokens.length < maxNewTokens) {
    if (ids.length >= limit) {
      finish = 'max_length';
      break;
    }
    throwIfCancelled(options.signal);
    const logits = await lastPositionLogits(model, ids);
    const next = strategy.kind === 'greedy'
      ? greedyToken(logits, 0, vocabSize)
      : sampleTopK(logits, 0, vocabSize, strategy.topK, strategy.temperature, random);
    if (next === eos) {
      finish = 'eos';
      break;
    }
    ids.push(next);
    const token = { id: next, token: tokenizer.idToToken(next) ?? `[${next}]` };
    tokens.push(token);
    options.onToken?.(token);
  }
  const continuation = continuationText(model, ids.slice(0, promptLength), ids.slice(promptLength));
  return { generated_text: prompt + continuation, continuation, tokens, finish_reason: finish };
}

async function lastPositionLogits(model: LoadedModel, ids: readonly number[]): Promise<Float32Array> {
  const length = ids.length;
  const dims = [1, length];
  const inputs = new Set(model.session.inputNames);
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  if (inputs.has('input_ids')) feeds.input_ids = tensor('int64', BigInt64Array.from(ids, BigInt), dims);
  if (inputs.has('attention_mask')) feeds.attention_mask = tensor('int64', new BigInt64Array(length).fill(1n), dims);
  if (inputs.has('token_type_ids')) feeds.token_type_ids = tensor('int64', new BigInt64Array(length), dims);
  const outputs = await model.session.run(feeds);
  const vocabSize = model.config.vocab_size;
  const row = (outputs.logits!.data as Float32Array).slice((length - 1) * vocabSize, length * vocabSize);
  for (const output of Object.values(outputs)) output.dispose?.();
  return row;
}

/**
 * The new tokens as they extend the prompt's decoded text: the WordPiece decoder puts a space before
 * a token unless it is a "##" piece, so the tokens are decoded after a stand-in for the prompt's last
 * token, which is then removed. Special tokens are skipped, as in HF's decode(skip_special_tokens=True).
 */
export function continuationText(model: LoadedModel, promptIds: readonly number[], newIds: readonly number[]): string {
  const { tokenizer } = model;
  const strings = newIds.filter((id) => !tokenizer.isSpecialId(id)).map((id) => tokenizer.idToToken(id)!);
  if (strings.length === 0) return '';
  const promptHasText = promptIds.some((id) => !tokenizer.isSpecialId(id));
  if (!promptHasText) return tokenizer.decode(newIds, { skipSpecialTokens: true });
  const text = tokenizer.convertTokensToString(['x', ...strings]).slice(1);
  return tokenizer.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
}
