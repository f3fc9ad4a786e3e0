import { chooseAnswer } from '../../core/tasks/multipleChoice/pipeline';
import { booleanFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, readTextFile } from './common';
import { inlineOrFileText, loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens choice (--prompt "..." | --prompt-file FILE) (--choices FILE | --choice A --choice B ...)
                       --model DIR|ID [--json]

Multiple choice with a …ForMultipleChoice model (BERT, DistilBERT, RoBERTa, XLM-RoBERTa, CamemBERT, ELECTRA): the prompt is paired with each choice and the
choices are scored together (softmax over the choices), best first.

  --prompt TEXT, --prompt-file FILE   the question or context
  --choices FILE                      one choice per non-empty line
  --choice TEXT                       a choice (repeat the flag)
  --model DIR|ID                      folder or hub id (required: none is bundled)
${MODEL_FLAGS_USAGE}

JSON: [{index, choice, score}] sorted by score; index is the choice's position (0-based).
`;

const FLAGS = { ...MODEL_FLAGS, prompt: 'string', 'prompt-file': 'string', choices: 'string' } as const;

/** `--choice` may repeat; parseArgs keeps one value per flag, so the repeated ones are collected here. */
function splitRepeatedChoices(argv: readonly string[]): { rest: string[]; choices: string[] } {
  const rest: string[] = [];
  const choices: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--choice') {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError('--choice needs a value');
      choices.push(value);
      i++;
    } else if (arg.startsWith('--choice=')) {
      choices.push(arg.slice('--choice='.length));
    } else {
      rest.push(arg);
    }
  }
  return { rest, choices };
}

export const choiceVerb: Verb = {
  name: 'choice',
  summary: 'score candidate answers with a multiple-choice BERT',
  usage: USAGE,
  async run(argv, io) {
    const { rest, choices: inlineChoices } = splitRepeatedChoices(argv);
    const args = parseArgs(rest, FLAGS);
    noExtraPositionals(args.positionals, 0);
    const prompt = await inlineOrFileText(args, 'prompt');
    if (prompt === undefined) throw new UsageError('missing --prompt "..." (or --prompt-file FILE)');
    const choicesFile = stringFlag(args, 'choices');
    if (choicesFile !== undefined && inlineChoices.length > 0) throw new UsageError('give --choices FILE or --choice flags, not both');
    const choices = choicesFile !== undefined
      ? (await readTextFile(choicesFile, encodingFlag(args))).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '')
      : inlineChoices;
    if (choices.length < 2) throw new UsageError(`multiple choice needs at least two choices, got ${choices.length}`);
    const model = await loadModelForVerb(args, 'multiple-choice', io);
    const scores = await withModel(model, (m) => chooseAnswer(m, prompt, choices));
    io.stdout(booleanFlag(args, 'json') ? `${JSON.stringify(scores)}\n` : scores.map((s) => `${s.score.toFixed(4)}  [${s.index + 1}] ${s.choice}`).join('\n') + '\n');
    return 0;
  },
};
