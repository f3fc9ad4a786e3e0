import type { FillMaskPrediction } from '../../core/tasks/fillMask/postprocess';
import { fillMask } from '../../core/tasks/fillMask/pipeline';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, readTextFile, splitList } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens fill-mask FILE|--text "..." --model DIR|ID [--top-k N] [--targets a,b,c] [--json]

Masked-word prediction (HF FillMaskPipeline semantics) with a masked-LM or pretraining model. The text
must contain the model's mask token ([MASK], <mask> for RoBERTa); with several masks each gets its own predictions.
FILE may be - for standard input.

  --text TEXT         the text, instead of FILE
  --model DIR|ID      a masked LM, folder or hub id (required: none is bundled): BertForMaskedLM,
                      BertForPreTraining, DistilBertForMaskedLM, RobertaForMaskedLM, ElectraForMaskedLM,
                      DebertaV2ForMaskedLM, ModernBertForMaskedLM
  --top-k N           predictions per mask (default 5)
  --targets LIST      comma-separated candidate tokens to score instead of the whole vocabulary
${MODEL_FLAGS_USAGE}

JSON: one list per mask of {score, token, token_str, sequence}.
`;

const FLAGS = { ...MODEL_FLAGS, text: 'string', 'top-k': 'string', targets: 'string' } as const;

function formatPredictions(rows: readonly FillMaskPrediction[][]): string {
  return rows
    .map((row, m) => [`mask ${m + 1}:`, ...row.map((p) => `  ${p.score.toFixed(4)}  ${p.token_str.padEnd(14)} ${p.sequence}`)].join('\n'))
    .join('\n') + '\n';
}

export const fillMaskVerb: Verb = {
  name: 'fill-mask',
  summary: 'predict the words hidden by [MASK]',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [file] = args.positionals;
    noExtraPositionals(args.positionals, 1);
    const inline = stringFlag(args, 'text');
    if ((file === undefined) === (inline === undefined)) throw new UsageError('give FILE or --text "...", exactly one (try --help)');
    const topK = numberFlag(args, 'top-k', { integer: true, min: 1 });
    const targets = splitList(stringFlag(args, 'targets'));
    if (targets !== undefined && targets.length === 0) throw new UsageError('--targets is empty');
    const text = inline ?? (await readTextFile(file!, encodingFlag(args)));
    const json = booleanFlag(args, 'json');
    const model = await loadModelForVerb(args, 'masked-lm', io);
    const rows = await withModel(model, (m) => fillMask(m, text, { topK, targets, onWarning: (w) => io.stderr(`warning: ${w}\n`) }));
    io.stdout(json ? `${JSON.stringify(rows)}\n` : formatPredictions(rows));
    return 0;
  },
};
