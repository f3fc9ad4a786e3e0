import { bundledModelDir } from '../../core/runtime/bundledModels';
import { classifyParagraphs, classifyText, type ParagraphClassification } from '../../core/tasks/textClassification/pipeline';
import type { FunctionToApply, LabelScore } from '../../core/tasks/textClassification/postprocess';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { Verb } from '../verb';
import { encodingFlag, readTextFile, segmentationFlag } from './common';
import { loadModelForVerb, MODEL_FLAGS, MODEL_FLAGS_USAGE, noExtraPositionals, withModel } from './taskModelFlags';

const USAGE = `usage: bert-lens classify FILE [--model DIR|ID] [--text-pair FILE2] [--per-paragraph] [--top-k N]
                         [--function-to-apply softmax|sigmoid|none] [--threshold P] [--max-length N]
                         [--segmentation line|sentence|none] [--json]

Text classification (HF TextClassificationPipeline semantics; problem_type single-label, multi-label
or regression from the model's config). FILE may be - for standard input. A text longer than the
model's limit is read in windows of whole segments (sentences, lines) whose logits are averaged,
weighted by their tokens.

  --model DIR|ID           sequence-classification BERT (default: the bundled SST-2 sentiment model, see models/README.md)
  --text-pair FILE2        classify the pair (FILE, FILE2), e.g. for entailment models
  --per-paragraph          one result per paragraph (blank-line separated): UTF-16 offsets, first words, labels
  --top-k N                labels to print, best first (default: all; more than the label count prints all)
  --function-to-apply F    softmax, sigmoid or none (default: from problem_type and the label count, as HF)
  --threshold P            print only labels scoring at least P (multi-label decisions)
  --max-length N           tokens per window (default: the model's limit)
  --segmentation M         how a text longer than one window is cut: line (line breaks and sentence
                           ends, the default), sentence (blank lines and sentence ends), none (windows
                           over the whole text sharing a quarter of their tokens, equal weights)
${MODEL_FLAGS_USAGE}
`;

const FLAGS = {
  ...MODEL_FLAGS, 'text-pair': 'string', 'per-paragraph': 'boolean', 'top-k': 'string', 'function-to-apply': 'string',
  threshold: 'string', 'max-length': 'string', segmentation: 'string',
} as const;

const FUNCTIONS: readonly FunctionToApply[] = ['softmax', 'sigmoid', 'none'];

export function formatLabelScores(results: readonly LabelScore[], indent = ''): string {
  return results.map((r) => `${indent}${r.label.padEnd(16)} ${r.score.toFixed(4)}`).join('\n');
}

const EXCERPT_WORDS = 6;
const EXCERPT_CHARS = 40;

/**
 * The first words of a paragraph, safe to print on a terminal: control characters (C0, DEL, C1,
 * which include ESC sequences) and bidirectional overrides are dropped, whitespace runs become one space.
 */
export function paragraphExcerpt(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  const words = clean.split(' ');
  let excerpt = words.slice(0, EXCERPT_WORDS).join(' ');
  if (excerpt.length > EXCERPT_CHARS) excerpt = Array.from(excerpt).slice(0, EXCERPT_CHARS).join('');
  return excerpt.length < clean.length ? `${excerpt}…` : excerpt;
}

function formatParagraphs(paragraphs: readonly ParagraphClassification[], text: string): string {
  if (paragraphs.length === 0) return '(no paragraphs)\n';
  return paragraphs
    .map((p) => {
      const [best, ...rest] = p.results;
      const others = rest.map((r) => `${r.label} ${r.score.toFixed(3)}`).join(', ');
      const scores = `${best ? `${best.label} ${best.score.toFixed(3)}` : '(no label)'}${others ? `  (${others})` : ''}`;
      return `${`${p.start}-${p.end}`.padEnd(13)} "${paragraphExcerpt(text.slice(p.start, p.end))}"  ${scores}`;
    })
    .join('\n') + '\n';
}

export const classifyVerb: Verb = {
  name: 'classify',
  summary: 'classify a text file (or each paragraph)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [file] = args.positionals;
    if (!file) throw new UsageError('missing FILE (try --help)');
    noExtraPositionals(args.positionals, 1);
    const fn = stringFlag(args, 'function-to-apply');
    if (fn !== undefined && !FUNCTIONS.includes(fn as FunctionToApply)) throw new UsageError(`--function-to-apply must be one of ${FUNCTIONS.join(', ')}, got "${fn}"`);
    const pairFile = stringFlag(args, 'text-pair');
    const perParagraph = booleanFlag(args, 'per-paragraph');
    if (pairFile !== undefined && perParagraph) throw new UsageError('--text-pair and --per-paragraph cannot be combined');
    const threshold = numberFlag(args, 'threshold', { min: 0 });
    if (threshold !== undefined && threshold > 1) throw new UsageError(`--threshold must be within [0, 1], got ${threshold}`);
    const options = {
      // The CLI prints every label by default (HF's pipeline default is the best one only).
      topK: numberFlag(args, 'top-k', { integer: true, min: 1 }) ?? null,
      functionToApply: fn as FunctionToApply | undefined,
      threshold,
      maxLength: numberFlag(args, 'max-length', { integer: true, min: 3 }),
      segmentation: segmentationFlag(args),
    };
    const encoding = encodingFlag(args);
    const text = await readTextFile(file, encoding);
    const textPair = pairFile === undefined ? undefined : await readTextFile(pairFile, encoding);
    const model = await loadModelForVerb(args, 'sequence-classification', io, bundledModelDir('sentiment'));
    const json = booleanFlag(args, 'json');
    if (perParagraph) {
      const paragraphs = await withModel(model, (m) => classifyParagraphs(m, text, options));
      io.stdout(json ? `${JSON.stringify(paragraphs)}\n` : formatParagraphs(paragraphs, text));
    } else {
      const results = await withModel(model, (m) => classifyText(m, text, { ...options, textPair }));
      io.stdout(json ? `${JSON.stringify(results)}\n` : `${formatLabelScores(results)}\n`);
    }
    return 0;
  },
};
