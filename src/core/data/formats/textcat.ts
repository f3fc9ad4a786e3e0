import { labelProblem, type AnnotatedDocument, type TextCategories } from '../annotation';
import { isPlainObject, parseJsonLines } from '../jsonLines';
import type { ExportResult, ParseIssue, ParseResult } from '../parseResult';
import { hasTextcatFields, readTextcatFields, textcatFields } from '../textcatShape';
import { readLabelStudioTasks } from './labelStudio';
import { exportableMeta } from './prodigy';

/**
 * Whole-document text categories in four formats: Prodigy textcat JSONL (`{"text","label","answer"}`
 * or `{"text","options","accept"}`), HF datasets JSONL (`{"text","label"}`, the label a name, an
 * integer id, or a list for multi-label), CSV/TSV (RFC 4180, header `text,label`) and Label Studio
 * `choices` results. Each record is a document whose `categories` holds one 'document' decision.
 * Nothing here throws on any input: problems become errors with their 1-based line.
 */

export interface TextcatRecord extends AnnotatedDocument {
  categories: [TextCategories];
  /** 1-based line where the record starts. */
  line: number;
}

export interface TextcatReadOptions {
  file?: string;
  /** Label names (index = id): integer labels become names; other labels must be among them. */
  labelNames?: readonly string[];
  /** Read single labels as multi-label decisions (HF/CSV/Label Studio cannot say which a file is). */
  multiLabel?: boolean;
}

function documentRecord(text: string, line: number, path: string, categories: Omit<TextCategories, 'start' | 'end' | 'scope'>, meta: Record<string, unknown> = {}): TextcatRecord {
  return { text, spans: [], meta: { ...meta, path }, categories: [{ start: 0, end: text.length, scope: 'document', ...categories }], line };
}

function labelName(raw: unknown, labelNames: readonly string[] | undefined): string | { error: string } {
  if (typeof raw === 'number' && Number.isInteger(raw)) {
    if (!labelNames) return String(raw);
    return labelNames[raw] ?? { error: `label ${raw} is outside the ${labelNames.length} label names` };
  }
  if (typeof raw !== 'string') return { error: 'a label must be a string or an integer' };
  if (labelNames && /^\d+$/.test(raw) && !labelNames.includes(raw)) return labelNames[Number(raw)] ?? { error: `label ${raw} is outside the ${labelNames.length} label names` };
  if (labelNames && !labelNames.includes(raw)) return { error: `label ${JSON.stringify(raw)} is not among the label names` };
  return labelProblem(raw) ? { error: labelProblem(raw)! } : raw;
}

/**
 * Labels of one record (`raw` a label or a list of them) → accepted names, or an error. Decisions get
 * their options once the whole file is read (`withOptions`).
 */
function acceptedLabels(raw: unknown, labelNames: readonly string[] | undefined): { accept: string[]; list: boolean } | { error: string } {
  const list = Array.isArray(raw);
  const accept: string[] = [];
  for (const item of list ? (raw as unknown[]) : [raw]) {
    const name = labelName(item, labelNames);
    if (typeof name !== 'string') return name;
    if (!accept.includes(name)) accept.push(name);
  }
  return { accept, list };
}

/** Options of every decision: the label names, else every label of the file (numeric order when all are integers). */
function withOptions(records: TextcatRecord[], labelNames: readonly string[] | undefined): void {
  let options = labelNames ? [...labelNames] : [...new Set(records.flatMap((r) => r.categories[0].accept))];
  if (!labelNames && options.length > 0 && options.every((label) => /^\d+$/.test(label))) options = options.sort((a, b) => Number(a) - Number(b));
  for (const record of records) record.categories[0].options = [...options];
}

function finish(records: TextcatRecord[], errors: ParseIssue[], options: TextcatReadOptions, file: string): ParseResult<TextcatRecord> {
  withOptions(records, options.labelNames);
  errors.sort((a, b) => a.line - b.line);
  if (records.length === 0 && errors.length === 0) errors.push({ file, line: 0, message: 'no examples found' });
  return { records, errors, warnings: [] };
}

// ---------------------------------------------------------------- Prodigy textcat JSONL

/** Prodigy textcat tasks; "ignore" answers are skipped (warned); a task with spans but no textcat fields is an error. */
export function parseProdigyTextcatJsonl(text: string, options: { file?: string } = {}): ParseResult<TextcatRecord> {
  const file = options.file ?? '<prodigy-textcat>';
  const { values, errors } = parseJsonLines(text, file);
  const records: TextcatRecord[] = [];
  let ignored = 0;
  for (const { line, value } of values) {
    if (!isPlainObject(value) || typeof value.text !== 'string') {
      errors.push({ file, line, message: 'a task must be an object with a "text" string' });
      continue;
    }
    if (!hasTextcatFields(value)) {
      errors.push({ file, line, message: 'task has no textcat fields ("label" + "answer", or "options" + "accept")' });
      continue;
    }
    const read = readTextcatFields(value, value.text, { start: 0, end: value.text.length, scope: 'document' });
    if (read === undefined) ignored++;
    else if (typeof read === 'string') errors.push({ file, line, message: read });
    else {
      const meta = isPlainObject(value.meta) ? value.meta : {};
      const path = typeof meta.path === 'string' && meta.path !== '' ? meta.path : `${file}#${line}`;
      records.push({ text: value.text, spans: [], meta: { ...meta, path }, categories: [read], line });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  if (records.length === 0 && errors.length === 0 && ignored === 0) errors.push({ file, line: 0, message: 'no tasks found' });
  const warnings: ParseIssue[] = ignored > 0 ? [{ file, line: 0, message: `${ignored} task(s) answered "ignore" not imported` }] : [];
  return { records, errors, warnings };
}

/** One Prodigy task per document decision (documents without one are reported). */
export function writeProdigyTextcatJsonl(documents: readonly AnnotatedDocument[]): ExportResult {
  const issues: string[] = [];
  const lines: string[] = [];
  for (const document of documents) {
    const decision = document.categories?.find((c) => c.scope === 'document');
    if (!decision) {
      issues.push(`${document.meta.path}: no document categories; left out`);
      continue;
    }
    const fields = textcatFields(decision);
    const task: Record<string, unknown> = { text: document.text, ...fields, meta: exportableMeta(document.meta, issues) };
    if (task.answer === undefined) task.answer = 'accept';
    lines.push(`${JSON.stringify(task)}\n`);
  }
  return { content: lines.join(''), issues };
}

// ---------------------------------------------------------------- HF {"text","label"} JSONL

export function parseHfTextcatJsonl(text: string, options: TextcatReadOptions = {}): ParseResult<TextcatRecord> {
  const file = options.file ?? '<jsonl>';
  const { values, errors } = parseJsonLines(text, file);
  const records: TextcatRecord[] = [];
  for (const { line, value } of values) {
    if (!isPlainObject(value) || typeof value.text !== 'string') {
      errors.push({ file, line, message: 'a record must be an object with a "text" string' });
      continue;
    }
    const labels = acceptedLabels(value.label ?? value.labels, options.labelNames);
    if ('error' in labels) {
      errors.push({ file, line, message: `"label": ${labels.error}` });
      continue;
    }
    records.push(documentRecord(value.text, line, `${file}#${line}`, { options: [], multiLabel: labels.list || options.multiLabel === true, accept: labels.accept }));
  }
  return finish(records, errors, options, file);
}

/** HF JSONL; label names, or ids into `labelNames` when given; multi-label decisions as lists. */
export function writeHfTextcatJsonl(documents: readonly AnnotatedDocument[], options: { labelNames?: readonly string[] } = {}): ExportResult {
  const issues: string[] = [];
  const lines: string[] = [];
  for (const document of documents) {
    const decision = document.categories?.find((c) => c.scope === 'document');
    if (!decision) {
      issues.push(`${document.meta.path}: no document categories; left out`);
      continue;
    }
    const ids = decision.accept.map((label) => (options.labelNames ? options.labelNames.indexOf(label) : label));
    if (ids.some((id) => id === -1)) {
      issues.push(`${document.meta.path}: a label is not among the label names; left out`);
      continue;
    }
    if (!decision.multiLabel && ids.length === 0) {
      issues.push(`${document.meta.path}: no label accepted, which {"text","label"} cannot say; left out`);
      continue;
    }
    lines.push(`${JSON.stringify({ text: document.text, label: decision.multiLabel ? ids : ids[0] })}\n`);
  }
  return { content: lines.join(''), issues };
}

// ---------------------------------------------------------------- CSV / TSV (RFC 4180)

export interface CsvRow {
  /** 1-based line where the row starts (a quoted field may hold line breaks). */
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records: fields separated by `delimiter`, optionally in double quotes (a quote inside is
 * doubled), CRLF or LF line ends, line breaks allowed inside quotes; a leading BOM is ignored. An
 * unterminated quote ends the input with an error at the line where it opened.
 */
export function parseCsvRows(text: string, delimiter: ',' | '\t', file: string): { rows: CsvRow[]; errors: ParseIssue[] } {
  const rows: CsvRow[] = [];
  const errors: ParseIssue[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const rowLine = line;
    const fields: string[] = [];
    let bad: string | undefined;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const openLine = line;
        i++;
        let closed = false;
        while (i < text.length) {
          const next = text.indexOf('"', i);
          if (next < 0) break;
          const chunk = text.slice(i, next);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          field += chunk;
          if (text[next + 1] === '"') {
            field += '"';
            i = next + 2;
          } else {
            i = next + 1;
            closed = true;
            break;
          }
        }
        if (!closed) {
          errors.push({ file, line: openLine, message: 'a quoted field is never closed; the rest of the file was not read' });
          return { rows, errors };
        }
        if (i < text.length && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          bad ??= 'text after a closing quote (a quote inside a quoted field must be doubled)';
          while (i < text.length && text[i] !== delimiter && text[i] !== '\n') i++;
        }
      } else {
        let end = i;
        while (end < text.length && text[end] !== delimiter && text[end] !== '\n') end++;
        field = text.slice(i, end);
        if (text[end] === '\n' && field.endsWith('\r')) field = field.slice(0, -1);
        if (field.includes('"')) bad ??= 'a quote inside an unquoted field (quote the whole field)';
        i = end;
      }
      fields.push(field);
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    if (bad) errors.push({ file, line: rowLine, message: bad });
    else if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
  }
  return { rows, errors };
}

export interface TextcatCsvOptions extends TextcatReadOptions {
  delimiter?: ',' | '\t';
  /** Splits the label field into several labels (multi-label), e.g. "|"; default: one label per row. */
  labelSeparator?: string;
}

const TEXT_HEADER = /^(text|sentence|content)$/i;
const LABEL_HEADER = /^(label|labels|class|category)$/i;

/** CSV/TSV with a header naming a text column and a label column (`text,label`). */
export function parseTextcatCsv(text: string, options: TextcatCsvOptions = {}): ParseResult<TextcatRecord> {
  const delimiter = options.delimiter ?? ',';
  const file = options.file ?? (delimiter === ',' ? '<csv>' : '<tsv>');
  const { rows, errors } = parseCsvRows(text, delimiter, file);
  const records: TextcatRecord[] = [];
  const [header, ...body] = rows;
  const textColumn = header ? header.fields.findIndex((name) => TEXT_HEADER.test(name.trim())) : -1;
  const labelColumn = header ? header.fields.findIndex((name) => LABEL_HEADER.test(name.trim())) : -1;
  if (!header || textColumn < 0 || labelColumn < 0) {
    errors.push({ file, line: header?.line ?? 0, message: 'expected a header with a text column and a label column (text,label)' });
    errors.sort((a, b) => a.line - b.line);
    return { records, errors, warnings: [] };
  }
  for (const { line, fields } of body) {
    if (fields.length !== header.fields.length) {
      errors.push({ file, line, message: `${fields.length} fields, the header has ${header.fields.length}` });
      continue;
    }
    const rawLabel = fields[labelColumn]!;
    const raw = options.labelSeparator ? rawLabel.split(options.labelSeparator).map((l) => l.trim()).filter((l) => l !== '') : rawLabel.trim();
    const labels = acceptedLabels(raw, options.labelNames);
    if ('error' in labels) {
      errors.push({ file, line, message: `label: ${labels.error}` });
      continue;
    }
    records.push(documentRecord(fields[textColumn]!, line, `${file}#${line}`, { options: [], multiLabel: labels.list || options.multiLabel === true, accept: labels.accept }));
  }
  return finish(records, errors, options, file);
}

function csvField(value: string, delimiter: string): string {
  return value.includes('"') || value.includes(delimiter) || /[\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV/TSV `text,label` (CRLF, as RFC 4180); several labels joined by `labelSeparator` (default "|"). */
export function writeTextcatCsv(documents: readonly AnnotatedDocument[], options: { delimiter?: ',' | '\t'; labelSeparator?: string } = {}): ExportResult {
  const delimiter = options.delimiter ?? ',';
  const separator = options.labelSeparator ?? '|';
  const issues: string[] = [];
  const lines = [`text${delimiter}label\r\n`];
  for (const document of documents) {
    const decision = document.categories?.find((c) => c.scope === 'document');
    if (!decision) {
      issues.push(`${document.meta.path}: no document categories; left out`);
      continue;
    }
    if (decision.accept.length > 1 && decision.accept.some((label) => label.includes(separator))) {
      issues.push(`${document.meta.path}: a label contains the separator ${JSON.stringify(separator)}; left out`);
      continue;
    }
    lines.push(`${csvField(document.text, delimiter)}${delimiter}${csvField(decision.accept.join(separator), delimiter)}\r\n`);
  }
  return { content: lines.join(''), issues };
}

// ---------------------------------------------------------------- Label Studio choices

/** Label Studio tasks whose first non-cancelled annotation has a `choices` result (per-region choices are not read). */
export function parseLabelStudioChoices(text: string, options: TextcatReadOptions & { textKey?: string } = {}): ParseResult<TextcatRecord> {
  const file = options.file ?? '<label-studio>';
  const textKey = options.textKey ?? 'text';
  const { elements, errors } = readLabelStudioTasks(text, file);
  const records: TextcatRecord[] = [];
  for (const { line, index, value: task } of elements) {
    const error = (message: string): void => void errors.push({ file, line, message: `task ${index}: ${message}` });
    if (!isPlainObject(task) || !isPlainObject(task.data) || typeof task.data[textKey] !== 'string') {
      error(`needs "data": {"${textKey}": string}`);
      continue;
    }
    const taskText = task.data[textKey];
    const annotation = Array.isArray(task.annotations) ? task.annotations.find((a) => isPlainObject(a) && a.was_cancelled !== true) : undefined;
    if (!isPlainObject(annotation) || !Array.isArray(annotation.result)) {
      error('no annotation with a "result" list');
      continue;
    }
    const choices = annotation.result.filter((r) => isPlainObject(r) && r.type === 'choices' && r.value !== undefined && !('start' in (r.value as object)));
    if (choices.length === 0) {
      error('no "choices" result for the whole text');
      continue;
    }
    const value = (choices[0] as Record<string, unknown>).value;
    const labels = acceptedLabels(isPlainObject(value) && Array.isArray(value.choices) ? value.choices : undefined, options.labelNames);
    if ('error' in labels) {
      error(`choices: ${labels.error}`);
      continue;
    }
    const meta = isPlainObject(task.meta) ? task.meta : {};
    const path = typeof meta.path === 'string' && meta.path !== '' ? meta.path : `${file}#${index}`;
    records.push(documentRecord(taskText, line, path, { options: [], multiLabel: labels.accept.length > 1 || options.multiLabel === true, accept: labels.accept }, meta));
  }
  return finish(records, errors, options, file);
}

export function writeLabelStudioChoices(documents: readonly AnnotatedDocument[], options: { fromName?: string; toName?: string } = {}): ExportResult {
  const issues: string[] = [];
  const tasks: unknown[] = [];
  for (const document of documents) {
    const decision = document.categories?.find((c) => c.scope === 'document');
    if (!decision) {
      issues.push(`${document.meta.path}: no document categories; left out`);
      continue;
    }
    const result = [{ type: 'choices', from_name: options.fromName ?? 'category', to_name: options.toName ?? 'text', value: { choices: [...decision.accept] } }];
    tasks.push({ data: { text: document.text }, annotations: [{ result }], meta: exportableMeta(document.meta, issues) });
  }
  return { content: `${JSON.stringify(tasks, null, 2)}\n`, issues };
}
