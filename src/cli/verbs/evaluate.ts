import { bundledModelDir, type BundledTask } from '../../core/runtime/bundledModels';
import { EVAL_HEAD, evaluateModel, type Evaluation } from '../../core/train/evaluateModel';
import { readTaskData } from '../../core/train/trainingData';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, reportDataIssues, requireExamples } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const TASKS = ['ner', 'classify', 'qa'] as const;
type EvalTask = (typeof TASKS)[number];

const USAGE = `usage: bert-lens evaluate --task ner|classify|qa --data FILE [--model DIR|ID] [--max-seq-length N]
                         [--doc-stride N] [--batch-size N] [--json]

Scores a model on labelled data (HF's do_eval without training): NER entity precision, recall and F1
per label and micro (seqeval, strict IOB2); classification accuracy and macro F1 (MSE for regression);
QA exact match and F1 (SQuAD). The same features and metrics as \`train --eval-data\`, computed by the
inference runtime. Data formats as for \`train\`. Without --model: the bundled NER or sentiment model.

  --max-seq-length N       tokens per window (default 128; longer examples become overlapping windows)
  --doc-stride N           QA window overlap (default 128)
  --batch-size N           windows per run (default 32)
${MODEL_FLAGS_USAGE}
`;

const FLAGS = { ...MODEL_FLAGS, task: 'string', data: 'string', 'max-seq-length': 'string', 'doc-stride': 'string', 'batch-size': 'string' } as const;

const BUNDLED: Partial<Record<EvalTask, BundledTask>> = { ner: 'ner', classify: 'sentiment' };

function percent(x: unknown): string {
  return typeof x === 'number' ? (100 * x).toFixed(2) : '-';
}

/** A table for people; --json prints the metrics object itself. */
function formatEvaluation(task: EvalTask, evaluation: Evaluation): string {
  const m = evaluation.metrics;
  const lines = [`${evaluation.examples} examples, ${evaluation.windows} windows`];
  if (task === 'ner') {
    lines.push(`entity F1 ${percent(m.f1)}  precision ${percent(m.precision)}  recall ${percent(m.recall)}  (micro, strict IOB2)`);
    const perLabel = (m.per_label ?? {}) as Record<string, { precision: number; recall: number; f1: number; support: number }>;
    for (const [label, s] of Object.entries(perLabel)) {
      lines.push(`  ${label.padEnd(10)} F1 ${percent(s.f1).padStart(6)}  P ${percent(s.precision).padStart(6)}  R ${percent(s.recall).padStart(6)}  support ${s.support}`);
    }
  } else if (task === 'classify') {
    lines.push(typeof m.mse === 'number' ? `MSE ${m.mse.toFixed(6)}` : `accuracy ${percent(m.accuracy)}  macro F1 ${percent(m.macro_f1)}`);
  } else {
    lines.push(`exact match ${percent(m.exact_match)}  F1 ${percent(m.f1)}`);
  }
  if (evaluation.labelIds) lines.push('gold labels were class ids, read as the model\'s labels (0 → first, ...)');
  if (evaluation.unknownLabels.length > 0) lines.push(`labels in the data that the model cannot predict (counted as misses): ${evaluation.unknownLabels.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export const evaluateVerb: Verb = {
  name: 'evaluate',
  summary: 'score a model on labelled NER, classification or QA data',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    noExtraPositionals(args.positionals, 0);
    const task = stringFlag(args, 'task') as EvalTask | undefined;
    if (!task) throw new UsageError('--task is required (try --help)');
    if (!TASKS.includes(task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}`);
    const dataFile = stringFlag(args, 'data');
    if (!dataFile) throw new UsageError('--data FILE is required (try --help)');
    const options = {
      maxSeqLength: numberFlag(args, 'max-seq-length', { integer: true, min: 8 }),
      docStride: numberFlag(args, 'doc-stride', { integer: true, min: 0 }),
      batchSize: numberFlag(args, 'batch-size', { integer: true, min: 1 }),
    };
    const data = await readTaskData(task, dataFile, { encoding: encodingFlag(args) });
    reportDataIssues(io, data.issues);
    requireExamples(data, dataFile);
    const bundled = BUNDLED[task];
    const model = await loadModelForVerb(args, EVAL_HEAD[task], io, bundled === undefined ? undefined : bundledModelDir(bundled));
    const evaluation = await withModel(model, (m) => evaluateModel(m, data, options));
    if (booleanFlag(args, 'json')) {
      io.stdout(`${JSON.stringify({ ...evaluation.metrics, examples: evaluation.examples, windows: evaluation.windows, unknown_labels: evaluation.unknownLabels, ...(evaluation.labelIds ? { label_ids: true } : {}) })}\n`);
    } else {
      io.stdout(formatEvaluation(task, evaluation));
    }
    return 0;
  },
};
