import { DEFAULT_SENTENCES_PER_PARAGRAPH, DOCUMENT_LAYOUTS } from '../../core/data/documentLayout';
import { mapEntityTypes, NAMED_ENTITY_TYPE_MAPS } from '../../core/data/entityTypeMap';
import { bundledModelDir, type BundledTask } from '../../core/runtime/bundledModels';
import { evaluateNerDocument, type DocumentEvaluation } from '../../core/train/evaluateDocument';
import { EVAL_HEAD, evaluateModel, type Evaluation } from '../../core/train/evaluateModel';
import { readTaskData } from '../../core/train/trainingData';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, packingFlag, reportDataIssues, requireExamples, segmentationFlag } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const TASKS = ['ner', 'classify', 'qa'] as const;
type EvalTask = (typeof TASKS)[number];

const LAYOUTS = ['sentences', ...DOCUMENT_LAYOUTS] as const;
type Layout = (typeof LAYOUTS)[number];

const USAGE = `usage: bert-lens evaluate --task ner|classify|qa --data FILE [--model DIR|ID] [--max-seq-length N]
                         [--doc-stride N] [--batch-size N] [--json]
                         [--layout sentences|paragraphs|lines] [--sentences-per-paragraph N] [--map-types M]
                         [--segmentation line|sentence|none] [--packing isolated|context]

Scores a model on labelled data (HF's do_eval without training): NER entity precision, recall and F1
per label and micro (seqeval, strict IOB2); classification accuracy and macro F1 (MSE for regression);
QA exact match and F1 (SQuAD). The same features and metrics as \`train --eval-data\`, computed by the
inference runtime. Data formats as for \`train\`. Without --model: the bundled NER or sentiment model.

  --max-seq-length N       tokens per window (default 128, for document layouts the pipeline's 256; capped by the
                           model; longer examples become overlapping windows)
  --doc-stride N           QA window overlap (default 128)
  --batch-size N           windows per run (default 32; 16 for document layouts)
  --layout L               NER only. sentences (default): each sentence its own input, as in training.
                           paragraphs: the sentences written out as one document (words by spaces,
                           sentences by a space, paragraphs by a blank line) and run through the
                           document pipeline the editor's Recognize Entities runs (default 256-token
                           windows, whole words); the entities found are put back on the words (a word
                           any part of which an entity covers takes it) and scored the same way.
                           lines: the same with one sentence per line.
  --sentences-per-paragraph N
                           sentences per paragraph for paragraphs/lines when the data has no -DOCSTART-
                           documents (default ${DEFAULT_SENTENCES_PER_PARAGRAPH}; with them, one paragraph per document)
  --segmentation M --packing P
                           document layouts: the pipeline's segmentation and packing, as for \`ner\`
                           (default line, isolated)
  --map-types M            NER only: rename the data's entity types, types not named becoming O: FROM=TO,...
                           or a known map (wnut17: person → PER, location → LOC, corporation and group → ORG)
${MODEL_FLAGS_USAGE}
`;

const FLAGS = {
  ...MODEL_FLAGS, task: 'string', data: 'string', 'max-seq-length': 'string', 'doc-stride': 'string', 'batch-size': 'string',
  layout: 'string', 'sentences-per-paragraph': 'string', 'map-types': 'string', segmentation: 'string', packing: 'string',
} as const;

/** --map-types: a known map's name or FROM=TO pairs. */
function typeMap(value: string): Readonly<Record<string, string>> {
  if (Object.hasOwn(NAMED_ENTITY_TYPE_MAPS, value)) return NAMED_ENTITY_TYPE_MAPS[value]!;
  const map: Record<string, string> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(pair);
    if (!match) throw new UsageError(`--map-types takes ${Object.keys(NAMED_ENTITY_TYPE_MAPS).join(', ')} or FROM=TO pairs separated by commas, got "${pair}"`);
    map[match[1]!] = match[2]!;
  }
  if (Object.keys(map).length === 0) throw new UsageError('--map-types needs at least one FROM=TO pair');
  return map;
}

const BUNDLED: Partial<Record<EvalTask, BundledTask>> = { ner: 'ner', classify: 'sentiment' };

function percent(x: unknown): string {
  return typeof x === 'number' ? (100 * x).toFixed(2) : '-';
}

/** A table for people; --json prints the metrics object itself. */
function formatEvaluation(task: EvalTask, evaluation: Evaluation | DocumentEvaluation, layout: Layout): string {
  const m = evaluation.metrics;
  const lines = ['windows' in evaluation
    ? `${evaluation.examples} examples, ${evaluation.windows} windows`
    : `${evaluation.examples} sentences as one document of ${evaluation.paragraphs} paragraphs, ${evaluation.characters} characters (layout ${layout})`];
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
  if ('labelIds' in evaluation && evaluation.labelIds) lines.push('gold labels were class ids, read as the model\'s labels (0 → first, ...)');
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
    const layout = (stringFlag(args, 'layout') ?? 'sentences') as Layout;
    if (!LAYOUTS.includes(layout)) throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}, got "${layout}"`);
    if (layout !== 'sentences' && task !== 'ner') throw new UsageError(`--layout ${layout} is for --task ner only`);
    const sentencesPerParagraph = numberFlag(args, 'sentences-per-paragraph', { integer: true, min: 1 });
    if (sentencesPerParagraph !== undefined && layout === 'sentences') throw new UsageError('--sentences-per-paragraph needs --layout paragraphs or lines');
    for (const flag of ['segmentation', 'packing']) {
      if (args.flags.has(flag) && layout === 'sentences') throw new UsageError(`--${flag} needs --layout paragraphs or lines`);
    }
    const segmentation = segmentationFlag(args);
    const packing = packingFlag(args);
    const mapTypes = stringFlag(args, 'map-types');
    if (mapTypes !== undefined && task !== 'ner') throw new UsageError('--map-types is for --task ner only');
    const types = mapTypes === undefined ? undefined : typeMap(mapTypes);
    const options = {
      maxSeqLength: numberFlag(args, 'max-seq-length', { integer: true, min: 8 }),
      docStride: numberFlag(args, 'doc-stride', { integer: true, min: 0 }),
      batchSize: numberFlag(args, 'batch-size', { integer: true, min: 1 }),
    };
    const data = await readTaskData(task, dataFile, { encoding: encodingFlag(args) });
    reportDataIssues(io, data.issues);
    if (types && data.task === 'ner') data.sentences = data.sentences.map((s) => ({ ...s, tags: mapEntityTypes(s.tags, types) }));
    requireExamples(data, dataFile);
    const bundled = BUNDLED[task];
    const model = await loadModelForVerb(args, EVAL_HEAD[task], io, bundled === undefined ? undefined : bundledModelDir(bundled));
    if (layout !== 'sentences' && data.task === 'ner') {
      const evaluation = await withModel(model, (m) => evaluateNerDocument(m, data.sentences, {
        layout,
        sentencesPerParagraph,
        pipeline: { maxLength: options.maxSeqLength, batchSize: options.batchSize, segmentation, packing },
      }));
      if (booleanFlag(args, 'json')) {
        const { examples, paragraphs, characters, unknownLabels } = evaluation;
        io.stdout(`${JSON.stringify({ ...evaluation.metrics, examples, layout, paragraphs, characters, unknown_labels: unknownLabels })}\n`);
      } else {
        io.stdout(formatEvaluation(task, evaluation, layout));
      }
      return 0;
    }
    const evaluation = await withModel(model, (m) => evaluateModel(m, data, options));
    if (booleanFlag(args, 'json')) {
      io.stdout(`${JSON.stringify({ ...evaluation.metrics, examples: evaluation.examples, windows: evaluation.windows, unknown_labels: evaluation.unknownLabels, ...(evaluation.labelIds ? { label_ids: true } : {}) })}\n`);
    } else {
      io.stdout(formatEvaluation(task, evaluation, layout));
    }
    return 0;
  },
};
