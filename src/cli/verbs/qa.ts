import { answerQuestion } from '../../core/tasks/questionAnswering/pipeline';
import type { QuestionAnswer } from '../../core/tasks/questionAnswering/types';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, readTextFile } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens qa FILE --question "..." --model DIR|ID [--top-k N] [--max-answer-len N]
                   [--doc-stride N] [--max-seq-len N] [--max-question-len N]
                   [--handle-impossible-answer] [--no-align-to-words] [--json]

Extractive question answering (HF QuestionAnsweringPipeline semantics) over the text of FILE (- for
standard input), of any length: the text is read in overlapping windows. Offsets are UTF-16 code
units into the file's text (after a BOM).

  --question TEXT             the question (required)
  --model DIR|ID              a question-answering BERT, folder or hub id (required: none is bundled)
  --top-k N                   answers to print (default 1)
  --max-answer-len N          tokens per answer at most (default 15)
  --max-seq-len N             tokens per window (default 384, capped by the model)
  --doc-stride N              context tokens shared by consecutive windows (default min(max-seq-len/2, 128))
  --max-question-len N        question tokens kept (default 64)
  --handle-impossible-answer  let the empty answer compete (SQuAD 2.0 models)
  --no-align-to-words         keep the answer to its tokens instead of widening it to whole words
${MODEL_FLAGS_USAGE}
`;

const FLAGS = {
  ...MODEL_FLAGS, question: 'string', 'top-k': 'string', 'max-answer-len': 'string', 'doc-stride': 'string',
  'max-seq-len': 'string', 'max-question-len': 'string', 'handle-impossible-answer': 'boolean', 'no-align-to-words': 'boolean',
} as const;

export function formatAnswers(answers: readonly QuestionAnswer[]): string {
  if (answers.length === 0) return '(no answer)\n';
  return answers.map((a) => `${a.score.toFixed(3)}  ${`${a.start}-${a.end}`.padEnd(13)} ${a.answer === '' ? '(no answer in the text)' : a.answer}`).join('\n') + '\n';
}

export const qaVerb: Verb = {
  name: 'qa',
  summary: 'answer a question from a text file',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [file] = args.positionals;
    if (!file) throw new UsageError('missing FILE (try --help)');
    noExtraPositionals(args.positionals, 1);
    const question = stringFlag(args, 'question');
    if (question === undefined) throw new UsageError('missing --question "..."');
    const options = {
      topK: numberFlag(args, 'top-k', { integer: true, min: 1 }),
      maxAnswerLen: numberFlag(args, 'max-answer-len', { integer: true, min: 1 }),
      docStride: numberFlag(args, 'doc-stride', { integer: true, min: 0 }),
      maxSeqLen: numberFlag(args, 'max-seq-len', { integer: true, min: 4 }),
      maxQuestionLen: numberFlag(args, 'max-question-len', { integer: true, min: 1 }),
      handleImpossibleAnswer: booleanFlag(args, 'handle-impossible-answer'),
      alignToWords: !booleanFlag(args, 'no-align-to-words'),
    };
    const context = await readTextFile(file, encodingFlag(args));
    const answers = await withModel(await loadModelForVerb(args, 'question-answering', io), (model) => answerQuestion(model, question, context, options));
    io.stdout(booleanFlag(args, 'json') ? `${JSON.stringify(answers)}\n` : formatAnswers(answers));
    return 0;
  },
};
