import { nextSentence } from '../../core/tasks/nextSentence/pipeline';
import { booleanFlag, parseArgs, UsageError } from '../args';
import type { Verb } from '../verb';
import { inlineOrFileText, loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens nsp (--a "..." | --a-file FILE) (--b "..." | --b-file FILE) --model DIR|ID [--json]

Next-sentence prediction: the probability that B follows A, from the NSP head of a
BertForNextSentencePrediction or BertForPreTraining model (label 0 = continuation, as in HF).

  --a TEXT, --a-file FILE   sentence A
  --b TEXT, --b-file FILE   sentence B
  --model DIR|ID            folder or hub id (required: none is bundled)
${MODEL_FLAGS_USAGE}

JSON: {isNextProbability, scores: [{label: IsNext|NotNext, score}]}.
`;

const FLAGS = { ...MODEL_FLAGS, a: 'string', 'a-file': 'string', b: 'string', 'b-file': 'string' } as const;

export const nspVerb: Verb = {
  name: 'nsp',
  summary: 'probability that sentence B follows sentence A',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    noExtraPositionals(args.positionals, 0);
    const a = await inlineOrFileText(args, 'a');
    const b = await inlineOrFileText(args, 'b');
    if (a === undefined || b === undefined) throw new UsageError('give both sentences: --a (or --a-file) and --b (or --b-file)');
    const model = await loadModelForVerb(args, 'next-sentence', io);
    const result = await withModel(model, (m) => nextSentence(m, a, b));
    io.stdout(booleanFlag(args, 'json') ? `${JSON.stringify(result)}\n` : `P(B follows A) = ${result.isNextProbability.toFixed(4)}  (${result.scores[0]!.label})\n`);
    return 0;
  },
};
