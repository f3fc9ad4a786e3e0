import { computeAgreement, isCategoryDisagreement, type AgreementReport, type Disagreement, type SpanScores, type SpanSide } from '../../core/data/agreement';
import { AGREEMENT_FORMATS, AgreementInputError, readAgreementInput, type AgreementFormat, type AgreementInput } from '../../core/data/agreementInput';
import type { KappaResult } from '../../core/data/agreementKappa';
import { parseLabelNames } from '../../core/data/formats/labelNames';
import { booleanFlag, numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliIO, Verb } from '../verb';
import { ENCODING_FLAG, ENCODING_USAGE, encodingFlag, readTextFile, reportDataIssues } from './common';
import { noExtraPositionals } from './taskModelFlags';

const USAGE = `usage: bert-lens agreement A B [--json] [--show N] [--format F] [--format-a F] [--format-b F]
                          [--label-names FILE] [--encoding NAME]

Agreement of two annotators over the same documents, A the reference: span precision, recall and F1
per label and overall, exact (same start, end and label) and overlapping (same label, sharing a
character; one to one); Cohen's κ on the IOB2 tags of every word (BERT's basic word split of the
text) and on text categories (per offered label yes/no, and the exclusive choice); the disagreements
with their document, offsets and line:column. Documents are paired by meta.path, else by their text;
documents only in one file are listed. A and B: the store (.bert-lens/annotations.jsonl), Prodigy
span or textcat JSONL, HF token or {"text","label"} JSONL, CoNLL, Label Studio JSON, CSV/TSV.

  --json              the whole report as JSON (every disagreement)
  --show N            disagreements listed (default 20; 0 for none)
  --format F          both files' format: auto (default: from the name and first record) or
                      ${AGREEMENT_FORMATS.join(', ')}
  --format-a F        A's format (instead of --format)
  --format-b F        B's format (instead of --format)
  --label-names FILE  names of integer tags or labels (HF formats): JSON list, dataset_info.json,
                      config.json with id2label, or one per line
${ENCODING_USAGE}
`;

const FLAGS = {
  ...ENCODING_FLAG, json: 'boolean', show: 'string', format: 'string', 'format-a': 'string', 'format-b': 'string', 'label-names': 'string',
} as const;

function formatFlag(value: string | undefined, name: string): AgreementFormat | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!(AGREEMENT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--${name} must be auto or one of ${AGREEMENT_FORMATS.join(', ')}, got "${value}"`);
  return value as AgreementFormat;
}

/** Refuses a file with unreadable records (listed on stderr): agreement over part of a file would mislead. */
function requireReadable(input: AgreementInput, io: CliIO): void {
  for (const warning of input.warnings.slice(0, 20)) io.stderr(`${warning.file}:${warning.line}: warning: ${warning.message}\n`);
  if (input.errors.length === 0) return;
  reportDataIssues(io, input.errors);
  const [first] = input.errors;
  const more = input.errors.length > 1 ? ` (and ${input.errors.length - 1} more problem(s), listed above)` : '';
  throw new AgreementInputError(`${first!.file}:${first!.line}: ${first!.message}${more}`);
}

const percent = (x: number | null): string => (x === null ? '-' : (100 * x).toFixed(2));
const kappa = (k: KappaResult): string =>
  k.kappa === null ? (k.items === 0 ? 'n/a (no items)' : `undefined (one category only; ${k.items} items)`) : `${k.kappa.toFixed(4)} (${k.items} items, po ${k.observed!.toFixed(4)}, pe ${k.expected!.toFixed(4)})`;

function scoreRow(label: string, exact: SpanScores, overlap: SpanScores): string {
  const cells = (s: SpanScores): string => [s.precision, s.recall, s.f1].map((x) => percent(x).padStart(7)).join('');
  return `  ${label.padEnd(14)}${String(exact.a).padStart(6)}${String(exact.b).padStart(6)}  ${cells(exact)}   ${cells(overlap)}`;
}

function describeDisagreement(d: Disagreement): string {
  const where = `${d.path}${d.pathB ? ` (B: ${d.pathB})` : ''}`;
  if (isCategoryDisagreement(d)) {
    const said = (labels: string[] | undefined): string => (labels === undefined ? 'no decision' : labels.length === 0 ? 'none' : labels.join('+'));
    return `${where}:${d.line}:${d.column}  ${d.kind.padEnd(18)} ${d.scope} [${d.start}, ${d.end})  A ${said(d.a)}  B ${said(d.b)}`;
  }
  const first = (d.a ?? d.b)!;
  const side = (name: string, s: SpanSide | undefined): string => (s ? `${name} ${s.label} ${JSON.stringify(s.text.length > 40 ? `${s.text.slice(0, 37)}...` : s.text)} [${s.start}, ${s.end})` : `${name} -`);
  return `${where}:${first.line}:${first.column}  ${d.kind.padEnd(18)} ${side('A', d.a)}  ${side('B', d.b)}`;
}

function formatReport(report: AgreementReport, show: number): string {
  const { documents: docs, spans } = report;
  const lines = [
    `documents: A ${docs.a}, B ${docs.b}; compared ${docs.matchedByPath + docs.matchedByText} (${docs.matchedByPath} by meta.path, ${docs.matchedByText} by text), ` +
      `only in A ${docs.onlyInA.length}, only in B ${docs.onlyInB.length}, same path with another text ${docs.textDiffers.length}`,
  ];
  for (const [name, list] of [['only in A', docs.onlyInA], ['only in B', docs.onlyInB]] as const) {
    for (const ref of list.slice(0, 10)) lines.push(`  ${name}: ${ref.path}${ref.line ? ` (line ${ref.line})` : ''}`);
    if (list.length > 10) lines.push(`  ${name}: ${list.length - 10} more (--json lists all)`);
  }
  for (const d of docs.textDiffers.slice(0, 10)) lines.push(`  text differs: ${d.path} (A line ${d.lineA}, B line ${d.lineB}); not compared`);
  const heads = ['P', 'R', 'F1'].map((h) => h.padStart(7)).join('');
  lines.push(
    '',
    `spans, A the reference (counts; precision, recall, F1 in %):`,
    `  ${''.padEnd(26)}  ${'exact'.padEnd(21)}   overlapping`,
    `  ${'label'.padEnd(14)}${'A'.padStart(6)}${'B'.padStart(6)}  ${heads}   ${heads}`,
  );
  for (const label of Object.keys(spans.exact.perLabel)) lines.push(scoreRow(label, spans.exact.perLabel[label]!, spans.overlap.perLabel[label]!));
  lines.push(scoreRow('overall', spans.exact.overall, spans.overlap.overall), '');
  const tokens = report.kappa.tokens;
  lines.push(`Cohen's κ, word tags (IOB2 per word): ${kappa(tokens)}`);
  if (tokens.conflicts.a + tokens.conflicts.b > 0) lines.push(`  words touched by several spans (the first span tags them): A ${tokens.conflicts.a}, B ${tokens.conflicts.b}`);
  const c = report.categories;
  if (c.compared + c.onlyInA + c.onlyInB > 0) {
    lines.push(`text categories: ${c.compared} decisions compared, ${c.agreed} the same; only in A ${c.onlyInA}, only in B ${c.onlyInB}`);
    lines.push(`Cohen's κ, text categories per label (yes/no): ${kappa(report.kappa.categories.labels)}`);
    for (const [label, k] of Object.entries(report.kappa.categories.perLabel)) lines.push(`  ${label}: ${kappa(k)}`);
    lines.push(`Cohen's κ, exclusive choices: ${kappa(report.kappa.categories.exclusive)}`);
  }
  const total = report.disagreements.length;
  if (show > 0 && total > 0) {
    lines.push('', `disagreements (${Math.min(show, total)} of ${total}; path:line:column):`);
    for (const d of report.disagreements.slice(0, show)) lines.push(`  ${describeDisagreement(d)}`);
  } else lines.push('', `disagreements: ${total}`);
  return `${lines.join('\n')}\n`;
}

export const agreementVerb: Verb = {
  name: 'agreement',
  summary: 'annotator agreement of two annotation files: span F1, Cohen\'s κ, disagreements',
  usage: USAGE,
  async run(argv, io) {
    const args = parseArgs(argv, FLAGS);
    const [fileA, fileB] = args.positionals;
    if (fileA === undefined || fileB === undefined) throw new UsageError('two files are needed: bert-lens agreement A B (try --help)');
    noExtraPositionals(args.positionals, 2);
    const both = formatFlag(stringFlag(args, 'format'), 'format');
    const formats = [formatFlag(stringFlag(args, 'format-a'), 'format-a'), formatFlag(stringFlag(args, 'format-b'), 'format-b')].map((f) => (f === 'auto' ? both : f));
    const show = numberFlag(args, 'show', { integer: true, min: 0 }) ?? 20;
    const encoding = encodingFlag(args);
    const labelFile = stringFlag(args, 'label-names');
    let labelNames: string[] | undefined;
    if (labelFile !== undefined) {
      const parsed = parseLabelNames(await readTextFile(labelFile, encoding), labelFile);
      if (parsed.errors.length > 0) throw new AgreementInputError(`${labelFile}:${parsed.errors[0]!.line}: ${parsed.errors[0]!.message}`);
      labelNames = parsed.labelNames;
    }
    const inputs: AgreementInput[] = [];
    for (const [i, file] of [fileA, fileB].entries()) {
      const input = readAgreementInput(await readTextFile(file, encoding), { file, format: formats[i], ...(labelNames ? { labelNames } : {}) });
      requireReadable(input, io);
      inputs.push(input);
    }
    const [a, b] = inputs as [AgreementInput, AgreementInput];
    const report = computeAgreement(a.documents, b.documents);
    if (booleanFlag(args, 'json')) io.stdout(`${JSON.stringify({ files: { a: fileA, b: fileB }, formats: { a: a.format, b: b.format }, ...report })}\n`);
    else io.stdout(`A ${fileA} (${a.format}), B ${fileB} (${b.format})\n${formatReport(report, show)}`);
    return 0;
  },
};
