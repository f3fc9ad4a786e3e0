import { labelProblem } from '../annotation';
import { isPlainObject, parseJsonLines } from '../jsonLines';
import { splitLines, type ExportResult, type ParseIssue, type ParseResult } from '../parseResult';

/**
 * Sequence-classification data for the trainer: TSV `sentence<TAB>label` (GLUE style, header row
 * optional, no quoting) and JSONL `{"text", "label"}`. Labels are names or integers; integers become
 * names when `labelNames` is given, else stay as their decimal text ("0", "1").
 */

export interface ClassificationRecord {
  text: string;
  label: string;
  line: number;
}

export interface ClassificationReadOptions {
  file?: string;
  /** Names of integer labels (index = id). */
  labelNames?: readonly string[];
}

export interface ClassificationTsvOptions extends ClassificationReadOptions {
  /** true: the first line is a header; 'auto' (default): it is when its last column is a label column name. */
  header?: boolean | 'auto';
}

const LABEL_COLUMN = /^(label|labels|class|category|target)$/i;
const TEXT_COLUMN = /^(sentence|text|sentence1|review|content)$/i;

function nameOf(raw: string | number, labelNames: readonly string[] | undefined): string | { error: string } {
  const text = String(raw).trim();
  if (labelNames && /^-?\d+$/.test(text)) {
    const name = labelNames[Number(text)];
    return name ?? { error: `label ${text} is outside the ${labelNames.length} label names` };
  }
  if (labelNames && !labelNames.includes(text)) return { error: `label ${JSON.stringify(text)} is not among the label names` };
  const problem = labelProblem(text);
  return problem ? { error: problem } : text;
}

export function parseClassificationTsv(text: string, options: ClassificationTsvOptions = {}): ParseResult<ClassificationRecord> & { header?: string[] } {
  const file = options.file ?? '<tsv>';
  const lines = splitLines(text);
  const errors: ParseIssue[] = [];
  const records: ClassificationRecord[] = [];
  let header: string[] | undefined;
  let first = 0;
  while (first < lines.length && lines[first]!.text.trim() === '') first++;
  const firstColumns = lines[first]?.text.split('\t');
  if (firstColumns && (options.header === true || ((options.header ?? 'auto') === 'auto' && LABEL_COLUMN.test(firstColumns[firstColumns.length - 1]!.trim())))) {
    header = firstColumns.map((column) => column.trim());
    first++;
  }
  const labelColumn = header ? header.findIndex((name) => LABEL_COLUMN.test(name)) : -1;
  const textColumn = header ? header.findIndex((name) => TEXT_COLUMN.test(name)) : -1;
  for (const { line, text: lineText } of lines.slice(first)) {
    if (lineText.trim() === '') continue;
    const columns = lineText.split('\t');
    if (columns.length < 2) {
      errors.push({ file, line, message: 'expected text<TAB>label' });
      continue;
    }
    if (header && columns.length !== header.length) {
      errors.push({ file, line, message: `${columns.length} columns, the header has ${header.length}` });
      continue;
    }
    const labelAt = labelColumn >= 0 ? labelColumn : columns.length - 1;
    const sentence = textColumn >= 0 && header ? columns[textColumn]! : columns.filter((_, i) => i !== labelAt).join('\t');
    const label = nameOf(columns[labelAt]!, options.labelNames);
    if (typeof label !== 'string') {
      errors.push({ file, line, message: label.error });
      continue;
    }
    records.push({ text: sentence, label, line });
  }
  if (records.length === 0 && errors.length === 0) errors.push({ file, line: 0, message: 'no examples found' });
  const result: ParseResult<ClassificationRecord> & { header?: string[] } = { records, errors, warnings: [] };
  if (header) result.header = header;
  return result;
}

export interface ClassificationJsonlOptions extends ClassificationReadOptions {
  /** Key of the text; default "text", falling back to "sentence". */
  textKey?: string;
  /** Key of the label; default "label". */
  labelKey?: string;
}

export function parseClassificationJsonl(text: string, options: ClassificationJsonlOptions = {}): ParseResult<ClassificationRecord> {
  const file = options.file ?? '<jsonl>';
  const { values, errors } = parseJsonLines(text, file);
  const records: ClassificationRecord[] = [];
  for (const { line, value } of values) {
    if (!isPlainObject(value)) {
      errors.push({ file, line, message: 'a record must be a JSON object' });
      continue;
    }
    const sentence = options.textKey ? value[options.textKey] : value.text ?? value.sentence;
    const raw = value[options.labelKey ?? 'label'];
    if (typeof sentence !== 'string') {
      errors.push({ file, line, message: `"${options.textKey ?? 'text'}" must be a string` });
      continue;
    }
    if (typeof raw !== 'string' && !(typeof raw === 'number' && Number.isInteger(raw))) {
      errors.push({ file, line, message: `"${options.labelKey ?? 'label'}" must be a string or an integer` });
      continue;
    }
    const label = nameOf(raw, options.labelNames);
    if (typeof label !== 'string') {
      errors.push({ file, line, message: label.error });
      continue;
    }
    records.push({ text: sentence, label, line });
  }
  errors.sort((a, b) => a.line - b.line);
  return { records, errors, warnings: [] };
}

/** The label set of examples: numeric order when every label is an integer, else first appearance. */
export function classificationLabels(records: ReadonlyArray<Pick<ClassificationRecord, 'label'>>): string[] {
  const labels = [...new Set(records.map((record) => record.label))];
  return labels.every((label) => /^-?\d+$/.test(label)) ? labels.sort((a, b) => Number(a) - Number(b)) : labels;
}

/** TSV with a `sentence<TAB>label` header; texts with a tab or line break cannot be written and are reported. */
export function writeClassificationTsv(records: ReadonlyArray<Pick<ClassificationRecord, 'text' | 'label'>>): ExportResult {
  const issues: string[] = [];
  const lines = ['sentence\tlabel\n'];
  records.forEach((record, i) => {
    if (/[\t\r\n]/.test(record.text)) {
      issues.push(`example ${i}: its text contains a tab or line break, which TSV cannot hold; left out (use JSONL)`);
      return;
    }
    lines.push(`${record.text}\t${record.label}\n`);
  });
  return { content: lines.join(''), issues };
}

export function writeClassificationJsonl(records: ReadonlyArray<Pick<ClassificationRecord, 'text' | 'label'>>): ExportResult {
  return { content: records.map((record) => `${JSON.stringify({ text: record.text, label: record.label })}\n`).join(''), issues: [] };
}
