import type { DecodingStrategy } from '../../core/tasks/causalLm/sampling';
import { generate } from '../../core/tasks/causalLm/pipeline';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, readTextFile } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens generate FILE|--prompt "..." --model DIR|ID [--max-new-tokens N]
                         [--strategy greedy|top-k] [--top-k K] [--temperature T] [--seed S] [--json]

Continues a text with a causal-LM BERT (BertLMHeadModel, is_decoder). Each new token re-runs the
model on the whole sequence (no cache): meant for small models and short continuations.

  --prompt TEXT        the text to continue, instead of FILE (- for standard input)
  --model DIR|ID       BertLMHeadModel folder or hub id (required: none is bundled)
  --max-new-tokens N   tokens to add at most (default 20); stops earlier at [SEP] or the model's length limit
  --strategy S         greedy (default) or top-k sampling
  --top-k K            candidates kept when sampling (default 50)
  --temperature T      logits divided by T before sampling (default 1.0)
  --seed S             sampler seed (default 0): the same seed gives the same text
${MODEL_FLAGS_USAGE}

JSON: {generated_text, continuation, tokens: [{id, token}], finish_reason}.
`;

const FLAGS = {
  ...MODEL_FLAGS, prompt: 'string', 'max-new-tokens': 'string', strategy: 'string', 'top-k': 'string', temperature: 'string', seed: 'string',
} as const;

export const generateVerb: Verb = {
  name: 'generate',
  summary: 'continue a text with a causal-LM BERT',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [file] = args.positionals;
    noExtraPositionals(args.positionals, 1);
    const inline = stringFlag(args, 'prompt');
    if ((file === undefined) === (inline === undefined)) throw new UsageError('give FILE or --prompt "...", exactly one (try --help)');
    const kind = stringFlag(args, 'strategy') ?? 'greedy';
    if (kind !== 'greedy' && kind !== 'top-k') throw new UsageError(`--strategy must be greedy or top-k, got "${kind}"`);
    const topK = numberFlag(args, 'top-k', { integer: true, min: 1 });
    const temperature = numberFlag(args, 'temperature');
    if (kind === 'greedy' && (topK !== undefined || temperature !== undefined)) throw new UsageError('--top-k and --temperature need --strategy top-k');
    if (temperature !== undefined && !(temperature > 0)) throw new UsageError(`--temperature must be > 0, got ${temperature}`);
    const strategy: DecodingStrategy = kind === 'greedy' ? { kind } : { kind, topK: topK ?? 50, temperature: temperature ?? 1 };
    const options = { maxNewTokens: numberFlag(args, 'max-new-tokens', { integer: true, min: 1 }), strategy, seed: numberFlag(args, 'seed', { integer: true }) };
    const prompt = inline ?? (await readTextFile(file!, encodingFlag(args)));
    const model = await loadModelForVerb(args, 'causal-lm', io);
    const result = await withModel(model, (m) => generate(m, prompt, options));
    io.stdout(booleanFlag(args, 'json') ? `${JSON.stringify(result)}\n` : `${result.generated_text}\n`);
    return 0;
  },
};
