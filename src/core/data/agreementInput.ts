import { compareCategories, type AnnotatedDocument, type TextCategories } from './annotation';
import { conllToDocuments, parseConll } from './formats/conll';
import { parseHfTokenJsonl } from './formats/hfTokenJsonl';
import { parseLabelStudioJson, readLabelStudioTasks } from './formats/labelStudio';
import { parseProdigyJsonl } from './formats/prodigy';
import { parseHfTextcatJsonl, parseLabelStudioChoices, parseTextcatCsv } from './formats/textcat';
import { isPlainObject, parseJsonLines } from './jsonLines';
import type { ParseIssue } from './parseResult';
import { readStoredRecord } from './storeRecord';
import { hasTextcatFields, readTextcatFields } from './textcatShape';
import { sentencesToDocument } from './tokenDocuments';

/**
 * One side of an agreement comparison read from any annotation file the project knows, as documents
 * (text, spans, text categories). Only reading happens here; agreement.ts compares.
 */

export const AGREEMENT_FORMATS = ['store', 'prodigy', 'hf-jsonl', 'hf-textcat', 'conll', 'label-studio', 'csv', 'tsv'] as const;
export type AgreementFormat = (typeof AGREEMENT_FORMATS)[number];

export interface AgreementDocument extends AnnotatedDocument {
  /** 1-based line of the record in its file (0 when the format has none). */
  line: number;
  /**
   * Whether `meta.path` came from the record itself. Formats without one (CoNLL, HF, CSV) get
   * `FILE#N`, which names nothing outside the file: such documents are matched by their text only.
   */
  ownPath: boolean;
}

export interface AgreementInput {
  format: AgreementFormat;
  documents: AgreementDocument[];
  /** Input that could not be read: agreement over a partly read file would mislead, so callers refuse it. */
  errors: ParseIssue[];
  warnings: ParseIssue[];
}

export class AgreementInputError extends Error {}

function firstJsonLine(text: string): Record<string, unknown> | undefined {
  for (const line of text.split('\n', 50)) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      return isPlainObject(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** SST-2 style TSV starts with a header naming a text and a label column; a CoNLL file named .tsv does not. */
function hasTextcatHeader(text: string): boolean {
  const fields = (text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '').split('\t').map((field) => field.trim());
  return fields.some((f) => /^(text|sentence|content)$/i.test(f)) && fields.some((f) => /^(label|labels|class|category)$/i.test(f));
}

/**
 * The format of a file from its name and first record: `.bert-lens/annotations.jsonl` (or any
 * `annotations.jsonl`) is the store (UTF-16 offsets); other JSONL is HF tokens (`tokens`, no
 * `text`), HF textcat (an integer or list `label`, no `answer`) or Prodigy (code-point offsets);
 * `.json` / `[` Label Studio; `.csv`, and `.tsv` with a text column header, text categories;
 * anything else CoNLL.
 */
export function detectAgreementFormat(fileName: string, text: string): AgreementFormat {
  if (/(^|[\\/])annotations\.jsonl$/i.test(fileName)) return 'store';
  if (/\.csv$/i.test(fileName)) return 'csv';
  if (/\.tsv$/i.test(fileName)) return hasTextcatHeader(text) ? 'tsv' : 'conll';
  const head = text.trimStart();
  if (/\.json$/i.test(fileName) || head.startsWith('[')) return 'label-studio';
  if (/\.jsonl$/i.test(fileName) || head.startsWith('{')) {
    const first = firstJsonLine(text);
    if (first && Array.isArray(first.tokens) && !('text' in first)) return 'hf-jsonl';
    if (first && 'text' in first && first.answer === undefined && (typeof first.label === 'number' || Array.isArray(first.label ?? first.labels))) return 'hf-textcat';
    return 'prodigy';
  }
  return 'conll';
}

export interface AgreementReadOptions {
  file: string;
  format?: AgreementFormat | 'auto';
  /** Names of integer tags / labels (HF formats). */
  labelNames?: readonly string[];
}

type Read = { documents: AgreementDocument[]; errors: ParseIssue[]; warnings: ParseIssue[] };

const generated = (document: AnnotatedDocument & { line: number }): AgreementDocument => ({ ...document, ownPath: false });

function readStore(text: string, file: string): Read {
  const { values, errors } = parseJsonLines(text, file);
  const documents: AgreementDocument[] = [];
  for (const { line, value } of values) {
    const reading = readStoredRecord(value);
    // A record read only in part (a span that does not fit the text) is still an error here.
    for (const problem of reading.problems) errors.push({ file, line, message: problem });
    if (reading.record) documents.push({ ...reading.record.document, line, ownPath: true });
  }
  return { documents, errors, warnings: [] };
}

/**
 * Prodigy tasks: spans of accepted tasks, and a textcat decision on the whole text when the task has
 * textcat fields (`"label"` + `"answer"`, where a rejected binary task says the label does not apply,
 * or `"options"` + `"accept"`). Span tasks answered reject or ignore are left out, as Prodigy's own
 * training does.
 */
function readProdigy(text: string, file: string): Read {
  const parsed = parseProdigyJsonl(text, { file, answers: ['accept', 'reject', 'ignore'] });
  const raw = new Map(parseJsonLines(text, file).values.map(({ line, value }) => [line, value]));
  const documents: AgreementDocument[] = [];
  const warnings: ParseIssue[] = [...parsed.warnings];
  const errors = [...parsed.errors];
  let skipped = 0;
  for (const record of parsed.records) {
    const value = raw.get(record.line);
    const { answer, line, ...document } = record;
    const ownPath = isPlainObject(value) && isPlainObject(value.meta) && typeof value.meta.path === 'string' && value.meta.path !== '';
    if (isPlainObject(value) && hasTextcatFields(value)) {
      const read = readTextcatFields(value, record.text, { start: 0, end: record.text.length, scope: 'document' });
      if (typeof read === 'string') {
        errors.push({ file, line, message: read });
        continue;
      }
      const categories: TextCategories[] = read ? [read] : [];
      documents.push({ ...document, spans: answer === 'accept' ? document.spans : [], categories, line, ownPath });
    } else if (answer === 'accept') documents.push({ ...document, line, ownPath });
    else skipped++;
  }
  if (skipped > 0) warnings.push({ file, line: 0, message: `${skipped} span task(s) answered reject or ignore left out` });
  return { documents, errors, warnings };
}

/**
 * Label Studio: "labels" results as spans and a whole-text "choices" result as the text categories.
 * The choices reader runs on each task alone (a JSON export may hold every task on one line, so lines
 * cannot pair them); the options of every decision are then, as that reader gives them, the label
 * names or else every label chosen in the file.
 */
function readLabelStudio(text: string, file: string, labelNames: readonly string[] | undefined): Read {
  const spans = parseLabelStudioJson(text, { file });
  const documents: AgreementDocument[] = spans.records.map(({ taskId: _id, ...record }) => ({
    ...record,
    ownPath: !record.meta.path.startsWith(`${file}#`),
  }));
  if (!text.includes('"choices"')) return { documents, errors: spans.errors, warnings: spans.warnings };
  // The span reader keeps exactly the tasks with a string data.text, in order.
  const tasks = readLabelStudioTasks(text, file).elements.filter(({ value }) => isPlainObject(value) && isPlainObject(value.data) && typeof value.data.text === 'string');
  const seen = new Set<string>();
  tasks.forEach(({ value, line, index }, i) => {
    const document = documents[i];
    const choices = parseLabelStudioChoices(JSON.stringify([value]), labelNames ? { file, labelNames } : { file });
    const categories = choices.records[0]?.categories[0];
    if (document && categories) {
      document.categories = [categories];
      for (const label of categories.accept) seen.add(label);
    }
    // A task without a choices result is a span task, which the span reader has read.
    for (const issue of choices.errors) {
      if (!/no "choices" result|no annotation with a "result"/.test(issue.message)) spans.errors.push({ file, line, message: issue.message.replace(/^task 0:/, `task ${index}:`) });
    }
  });
  const options = labelNames ? [...labelNames] : [...seen];
  for (const document of documents) for (const categories of document.categories ?? []) categories.options = [...options];
  return { documents, errors: spans.errors, warnings: spans.warnings };
}

function readFormat(text: string, format: AgreementFormat, file: string, labelNames: readonly string[] | undefined): Read {
  const named = labelNames ? { file, labelNames } : { file };
  switch (format) {
    case 'store':
      return readStore(text, file);
    case 'prodigy':
      return readProdigy(text, file);
    case 'label-studio':
      return readLabelStudio(text, file, labelNames);
    case 'conll': {
      const parsed = parseConll(text, { file });
      const documentPer = /^\s*-DOCSTART-/m.test(text) ? 'docstart' : 'sentence';
      const documents = conllToDocuments(parsed.records, { path: file, documentPer }).map((document) =>
        generated({ ...document, line: typeof document.meta.source_line === 'number' ? document.meta.source_line : 0 }),
      );
      return { documents, errors: parsed.errors, warnings: parsed.warnings };
    }
    case 'hf-jsonl': {
      const parsed = parseHfTokenJsonl(text, named);
      const documents = parsed.records.map((record) =>
        generated({ ...sentencesToDocument([record], { path: `${file}#${record.line}` }), line: record.line }),
      );
      return { documents, errors: parsed.errors, warnings: parsed.warnings };
    }
    case 'hf-textcat':
    case 'csv':
    case 'tsv': {
      const parsed = format === 'hf-textcat' ? parseHfTextcatJsonl(text, named) : parseTextcatCsv(text, { ...named, delimiter: format === 'csv' ? ',' : '\t' });
      return { documents: parsed.records.map(generated), errors: parsed.errors, warnings: parsed.warnings };
    }
  }
}

/**
 * Reads one side of a comparison. Two records with the same own `meta.path` would make the match
 * ambiguous: the later one is used (the store is an append log) and the earlier one is named.
 */
export function readAgreementInput(text: string, options: AgreementReadOptions): AgreementInput {
  const { file } = options;
  const format = !options.format || options.format === 'auto' ? detectAgreementFormat(file, text) : options.format;
  const read = readFormat(text, format, file, options.labelNames);
  const warnings = [...read.warnings];
  const byPath = new Map<string, AgreementDocument>();
  const documents: AgreementDocument[] = [];
  for (const document of read.documents) {
    if (document.categories) document.categories = [...document.categories].sort(compareCategories);
    if (!document.ownPath) {
      documents.push(document);
      continue;
    }
    const earlier = byPath.get(document.meta.path);
    if (earlier) {
      warnings.push({ file, line: earlier.line, message: `"${document.meta.path}" appears again at line ${document.line}; the later record is compared` });
      documents.splice(documents.indexOf(earlier), 1);
    }
    byPath.set(document.meta.path, document);
    documents.push(document);
  }
  if (documents.length === 0 && read.errors.length === 0) read.errors.push({ file, line: 0, message: 'no documents found' });
  read.errors.sort((a, b) => a.line - b.line);
  return { format, documents, errors: read.errors, warnings };
}
