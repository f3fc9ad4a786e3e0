import { compareSpans, type AnnotatedDocument, type TextCategories } from '../../core/data/annotation';
import { InvalidDocumentError, type AnnotationStore } from '../../core/data/annotationStore';
import { detectNerFormat, type NerDataFormat } from '../../core/data/datasets';
import { conllToDocuments, documentsToConll, parseConll } from '../../core/data/formats/conll';
import { parseHfTokenJsonl, writeHfTokenJsonl } from '../../core/data/formats/hfTokenJsonl';
import { parseLabelStudioJson, writeLabelStudioJson } from '../../core/data/formats/labelStudio';
import { parseProdigyJsonl, writeProdigyJsonl } from '../../core/data/formats/prodigy';
import { describeError, type ParseIssue } from '../../core/data/parseResult';
import {
  parseHfTextcatJsonl, parseLabelStudioChoices, parseProdigyTextcatJsonl, parseTextcatCsv, writeHfTextcatJsonl, writeLabelStudioChoices,
  writeProdigyTextcatJsonl, writeTextcatCsv,
} from '../../core/data/formats/textcat';
import { isPlainObject } from '../../core/data/jsonLines';
import { textcatRecordsOf } from '../../core/data/textcatDocuments';
import { describeAlignmentIssue, documentsToSentences, sentencesToDocument } from '../../core/data/tokenDocuments';

/**
 * Export and import of the workspace annotations, without VS Code: the commands pick files and
 * show the reports. Formats needing words (CoNLL, HF token JSONL) use the documents' own tokens, or
 * BERT's basic word split (whitespace, each punctuation character alone); spans that do not fall on
 * word boundaries are reported, never silently moved.
 */

export interface FormatInfo {
  title: string;
  /** Default file extension, with the dot. */
  extension: string;
  detail: string;
}

/** Text-category formats: one whole-text decision per record. */
export type TextcatFormat = 'prodigy-textcat' | 'hf-textcat' | 'csv-textcat' | 'tsv-textcat' | 'label-studio-choices';

export type TransferFormat = NerDataFormat | TextcatFormat;

export const TEXTCAT_FORMATS: Readonly<Record<TextcatFormat, FormatInfo>> = {
  'prodigy-textcat': { title: 'Prodigy textcat JSONL', extension: '.jsonl', detail: 'text categories: {"text", "label", "answer"} or {"text", "options", "accept"} per line' },
  'hf-textcat': { title: 'Hugging Face text classification JSONL', extension: '.jsonl', detail: 'text categories: {"text", "label"} per line (a list of labels for multi-label)' },
  'csv-textcat': { title: 'CSV (text,label)', extension: '.csv', detail: 'text categories: RFC 4180 with a text,label header; several labels joined by |' },
  'tsv-textcat': { title: 'TSV (text<TAB>label)', extension: '.tsv', detail: 'text categories: a text<TAB>label header, fields quoted as in CSV' },
  'label-studio-choices': { title: 'Label Studio JSON (choices)', extension: '.json', detail: 'text categories: a task list with a "choices" result per task' },
};

export const TEXTCAT_FORMAT_IDS = Object.keys(TEXTCAT_FORMATS) as TextcatFormat[];

export function isTextcatFormat(format: TransferFormat): format is TextcatFormat {
  return format in TEXTCAT_FORMATS;
}

/** The title, extension and description of any transfer format. */
export function formatInfo(format: TransferFormat): FormatInfo {
  return isTextcatFormat(format) ? TEXTCAT_FORMATS[format] : TRANSFER_FORMATS[format];
}

export const TRANSFER_FORMATS: Readonly<Record<NerDataFormat, FormatInfo>> = {
  prodigy: { title: 'Prodigy JSONL', extension: '.jsonl', detail: 'one task per line: text, spans (code-point offsets), meta.path' },
  conll: { title: 'CoNLL (IOB2)', extension: '.conll', detail: 'one word and tag per line, one sentence per text line, -DOCSTART- between documents' },
  'hf-jsonl': { title: 'Hugging Face token JSONL', extension: '.jsonl', detail: 'tokens + integer ner_tags per line, label names in a .label_names.json beside it' },
  'label-studio': { title: 'Label Studio JSON', extension: '.json', detail: 'a task list with "labels" results (code-point offsets)' },
};

export const NER_FORMATS = Object.keys(TRANSFER_FORMATS) as NerDataFormat[];

export interface ExportOutput {
  content: string;
  /** HF token JSONL only: the label names its integer tags index, for a file beside it. */
  labelNames?: string[];
  /** What could not be represented (one line each). */
  issues: string[];
  documents: number;
  spans: number;
}

/** The sidecar file of an HF token JSONL export: `train.jsonl` → `train.label_names.json`. */
export function labelNamesFileFor(file: string): string {
  return file.replace(/(\.jsonl?)?$/i, '.label_names.json');
}

/**
 * Exports the text categories: the documents' own decisions, and one record per paragraph or
 * selection decision (see textcatRecordsOf). `spans` counts the decisions written.
 */
export function exportCategories(documents: readonly AnnotatedDocument[], format: TextcatFormat): ExportOutput {
  const { documents: records } = textcatRecordsOf(documents);
  const result =
    format === 'prodigy-textcat' ? writeProdigyTextcatJsonl(records)
      : format === 'hf-textcat' ? writeHfTextcatJsonl(records)
        : format === 'label-studio-choices' ? writeLabelStudioChoices(records)
          : writeTextcatCsv(records, { delimiter: format === 'tsv-textcat' ? '\t' : ',' });
  const withoutCategories = documents.filter((document) => (document.categories ?? []).length === 0).length;
  const issues = withoutCategories > 0 ? [`${withoutCategories} document(s) without text categories (spans only) are not in a text-category export`, ...result.issues] : result.issues;
  return { content: result.content, issues, documents: records.length, spans: records.length - result.issues.length };
}

/** A text-category format when the file looks like one (a textcat field, no spans or tokens), else undefined. */
export function detectTextcatFormat(file: string, text: string): TextcatFormat | undefined {
  if (/\.csv$/i.test(file)) return 'csv-textcat';
  const head = text.trimStart();
  if (/\.tsv$/i.test(file) && /^(text|sentence|content)\t/i.test(head)) return 'tsv-textcat';
  if (head.startsWith('[')) {
    // A choices result holds "value": {"choices": [...]}; a span result "value": {..., "labels": [...]}.
    const start = text.slice(0, 20_000);
    return /"choices"\s*:\s*\[/.test(start) && !/"labels"\s*:\s*\[/.test(start) ? 'label-studio-choices' : undefined;
  }
  if (!head.startsWith('{')) return undefined;
  const line = head.slice(0, head.search(/\r?\n/) < 0 ? head.length : head.search(/\r?\n/));
  let first: unknown;
  try {
    first = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isPlainObject(first) || typeof first.text !== 'string' || Array.isArray(first.tokens)) return undefined;
  if (Array.isArray(first.spans) && first.spans.length > 0) return undefined;
  if (first.accept !== undefined || first.options !== undefined || (typeof first.label === 'string' && first.answer !== undefined)) return 'prodigy-textcat';
  if (first.label !== undefined || first.labels !== undefined) return 'hf-textcat';
  return undefined;
}

export function exportDocuments(documents: readonly AnnotatedDocument[], format: NerDataFormat): ExportOutput {
  const spans = documents.reduce((sum, document) => sum + document.spans.length, 0);
  const base = { documents: documents.length, spans };
  switch (format) {
    case 'prodigy': {
      const result = writeProdigyJsonl(documents);
      return { ...base, content: result.content, issues: result.issues };
    }
    case 'label-studio': {
      const result = writeLabelStudioJson(documents);
      return { ...base, content: result.content, issues: result.issues };
    }
    case 'conll': {
      const result = documentsToConll(documents, { docstart: true });
      return { ...base, content: result.content, issues: result.issues };
    }
    case 'hf-jsonl': {
      const { sentences, alignment } = documentsToSentences(documents);
      const perDocument = new Map<number, number>();
      const records = sentences.map((sentence) => {
        const n = (perDocument.get(sentence.documentIndex) ?? 0) + 1;
        perDocument.set(sentence.documentIndex, n);
        return { tokens: sentence.tokens, tags: sentence.tags, id: `${documents[sentence.documentIndex]!.meta.path}#${n}` };
      });
      const result = writeHfTokenJsonl(records);
      return { ...base, content: result.content, labelNames: result.labelNames, issues: [...alignment.map(describeAlignmentIssue), ...result.issues] };
    }
  }
}

/** True when the first record of an HF token JSONL has integer tags (label names are then needed). */
export function hfTagsAreIntegers(text: string): boolean {
  for (const line of text.split('\n', 200)) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as Record<string, unknown>;
      const tags = value?.ner_tags ?? value?.tags ?? value?.labels;
      return Array.isArray(tags) && tags.some((tag) => typeof tag === 'number');
    } catch {
      continue;
    }
  }
  return false;
}

export interface ImportInput {
  text: string;
  /** The file as named in errors (its full path). */
  file: string;
  /** Base of `meta.path` for records that carry none (the workspace-relative path of the file, or its name). */
  pathBase: string;
  format: TransferFormat | 'auto';
  /** Names of integer HF tags. */
  labelNames?: readonly string[];
}

export interface ParsedImport {
  format: TransferFormat;
  documents: Array<AnnotatedDocument & { line: number }>;
  errors: ParseIssue[];
  warnings: ParseIssue[];
}

/** Reads an annotation file in any of the formats; bad records are errors with their line, the rest is kept. */
export function parseImport(input: ImportInput): ParsedImport {
  const { text, file, pathBase } = input;
  const format = input.format === 'auto' ? detectTextcatFormat(file, text) ?? detectNerFormat(file, text) : input.format;
  if (isTextcatFormat(format)) {
    const options = { file, ...(input.labelNames ? { labelNames: input.labelNames } : {}) };
    const parsed =
      format === 'prodigy-textcat' ? parseProdigyTextcatJsonl(text, { file })
        : format === 'hf-textcat' ? parseHfTextcatJsonl(text, options)
          : format === 'label-studio-choices' ? parseLabelStudioChoices(text, options)
            : parseTextcatCsv(text, { ...options, delimiter: format === 'tsv-textcat' ? '\t' : ',', labelSeparator: '|' });
    // Records named after the file ("file#line") are named after its place in the workspace.
    const documents = parsed.records.map((record) =>
      record.meta.path.startsWith(`${file}#`) ? { ...record, meta: { ...record.meta, path: `${pathBase}${record.meta.path.slice(file.length)}` } } : record,
    );
    return { format, documents, errors: parsed.errors, warnings: parsed.warnings };
  }
  switch (format) {
    case 'prodigy': {
      const parsed = parseProdigyJsonl(text, { file, pathPrefix: pathBase });
      return { format, documents: parsed.records, errors: parsed.errors, warnings: parsed.warnings };
    }
    case 'label-studio': {
      const parsed = parseLabelStudioJson(text, { file });
      const documents = parsed.records.map((record) =>
        record.meta.path.startsWith(`${file}#`) ? { ...record, meta: { ...record.meta, path: `${pathBase}${record.meta.path.slice(file.length)}` } } : record,
      );
      return { format, documents, errors: parsed.errors, warnings: parsed.warnings };
    }
    case 'conll': {
      const parsed = parseConll(text, { file });
      const documentPer = /^-DOCSTART-/m.test(text) ? 'docstart' : 'sentence';
      const documents = conllToDocuments(parsed.records, { path: pathBase, documentPer }).map((document) => ({
        ...document,
        line: typeof document.meta.source_line === 'number' ? document.meta.source_line : 0,
      }));
      return { format, documents, errors: parsed.errors, warnings: parsed.warnings };
    }
    case 'hf-jsonl': {
      const parsed = parseHfTokenJsonl(text, input.labelNames ? { file, labelNames: input.labelNames } : { file });
      const documents = parsed.records.map((record) => ({
        ...sentencesToDocument([{ tokens: record.tokens, tags: record.tags }], { path: `${pathBase}#${record.line}` }),
        line: record.line,
      }));
      return { format, documents, errors: parsed.errors, warnings: parsed.warnings };
    }
  }
}

export interface MergeReport {
  /** Documents new to the store. */
  added: number;
  /** Documents already stored with the same text that gained spans. */
  merged: number;
  /** Documents already stored with the same text and every span. */
  unchanged: number;
  spansAdded: number;
  /** Text-category decisions added. */
  categoriesAdded: number;
  /** Records not stored, with file and line. */
  rejected: ParseIssue[];
  /** Store keys written. */
  paths: Set<string>;
}

/**
 * Records exported from a paragraph or selection decision (see textcatRecordsOf) carry where they
 * came from (`meta.source_path`, `start`, `end`, `scope`). When that document is stored and the range
 * still holds the record's text, the decision goes back onto it, so that exporting and importing into
 * the same workspace adds no documents named "path#start-end". Other records are left as they are.
 */
export function foldRangeRecords(store: AnnotationStore, documents: ReadonlyArray<AnnotatedDocument & { line: number }>): Array<AnnotatedDocument & { line: number }> {
  const out: Array<AnnotatedDocument & { line: number }> = [];
  const byPath = new Map<string, AnnotatedDocument & { line: number }>();
  const folded: Array<{ path: string; categories: TextCategories[]; line: number }> = [];
  for (const document of documents) {
    const { source_path: source, start, end, scope } = document.meta as Record<string, unknown>;
    const stored = typeof source === 'string' ? store.get(source) : undefined;
    const categories = document.categories ?? [];
    const fits =
      stored !== undefined && document.spans.length === 0 && categories.length === 1 && (scope === 'paragraph' || scope === 'selection') &&
      Number.isInteger(start) && Number.isInteger(end) && stored.text.slice(start as number, end as number) === document.text && (end as number) > (start as number);
    if (!fits) {
      const copy = { ...document };
      out.push(copy);
      if (!byPath.has(copy.meta.path)) byPath.set(copy.meta.path, copy);
      continue;
    }
    folded.push({ path: source as string, line: document.line, categories: [{ ...categories[0]!, start: start as number, end: end as number, scope: scope as 'paragraph' | 'selection' }] });
  }
  for (const { path, categories, line } of folded) {
    const target = byPath.get(path);
    if (target && target.text === store.get(path)!.text) {
      target.categories = [...(target.categories ?? []), ...categories];
      continue;
    }
    const record = { text: store.get(path)!.text, spans: [], meta: { path }, categories, line };
    byPath.set(path, record);
    out.push(record);
  }
  return out;
}

/**
 * Adds imported documents to the store without losing anything stored: a new path is added; a
 * stored path with the same text gets the union of the spans; a stored path with another text is
 * left as it is and the record is reported. Puts are issued together so the store writes once.
 */
export async function mergeIntoStore(store: AnnotationStore, documents: ReadonlyArray<AnnotatedDocument & { line: number }>, file: string): Promise<MergeReport> {
  const report: MergeReport = { added: 0, merged: 0, unchanged: 0, spansAdded: 0, categoriesAdded: 0, rejected: [], paths: new Set() };
  const puts: Array<Promise<void>> = [];
  const seen = new Map<string, number>();
  for (const document of foldRangeRecords(store, documents)) {
    const path = document.meta.path;
    const reject = (message: string): void => void report.rejected.push({ file, line: document.line, message: `${path}: ${message}` });
    const earlier = seen.get(path);
    if (earlier !== undefined) {
      reject(`a record with this meta.path was already imported from line ${earlier}; record skipped`);
      continue;
    }
    seen.set(path, document.line);
    const { line: _line, ...clean } = document;
    const stored = store.get(path);
    let next: AnnotatedDocument;
    let kind: 'added' | 'merged';
    let spansAdded: number;
    let categoriesAdded = 0;
    if (!stored) {
      next = clean;
      kind = 'added';
      spansAdded = clean.spans.length;
      categoriesAdded = clean.categories?.length ?? 0;
    } else if (stored.text !== clean.text) {
      reject('already in the workspace annotations with a different text; record not imported (the stored one is kept)');
      continue;
    } else {
      const key = (span: { start: number; end: number; label: string }): string => `${span.start}:${span.end}:${span.label}`;
      const have = new Set(stored.spans.map(key));
      const fresh = clean.spans.filter((span) => !have.has(key(span)));
      // A decision for a range and scope the stored document has none for is added; the stored one is kept over a different one.
      const rangeKey = (c: { scope: string; start: number; end: number }): string => `${c.scope}:${c.start}:${c.end}`;
      const storedCategories = stored.categories ?? [];
      const freshCategories: typeof storedCategories = [];
      for (const c of clean.categories ?? []) {
        const same = storedCategories.find((s) => rangeKey(s) === rangeKey(c)) ?? freshCategories.find((s) => rangeKey(s) === rangeKey(c));
        if (!same) freshCategories.push(c);
        else if (JSON.stringify([same.accept, same.multiLabel]) !== JSON.stringify([c.accept, c.multiLabel])) {
          reject(`its ${c.scope} categories (${c.accept.join(', ') || 'none'}) differ from the stored ones (${same.accept.join(', ') || 'none'}); the stored ones are kept`);
        }
      }
      if (fresh.length === 0 && freshCategories.length === 0) {
        report.unchanged++;
        continue;
      }
      next = { ...stored, spans: [...stored.spans, ...fresh].sort(compareSpans) };
      if (freshCategories.length > 0) next.categories = [...storedCategories, ...freshCategories];
      categoriesAdded = freshCategories.length;
      if (!stored.tokens && clean.tokens) next.tokens = clean.tokens;
      kind = 'merged';
      spansAdded = fresh.length;
    }
    puts.push(
      store.put(next).then(
        () => {
          report[kind]++;
          report.spansAdded += spansAdded;
          report.categoriesAdded += categoriesAdded;
          report.paths.add(path);
        },
        (error: unknown) => reject(error instanceof InvalidDocumentError ? error.message : `not saved: ${describeError(error)}`),
      ),
    );
  }
  await Promise.all(puts);
  return report;
}

/** One line for the user about an import. */
export function describeImport(parsed: ParsedImport, report: MergeReport): string {
  const parts = [
    `${report.added} new document(s)`,
    `${report.merged} merged`,
    isTextcatFormat(parsed.format) ? `${report.categoriesAdded} text-category decision(s) added` : `${report.spansAdded} span(s) added`,
  ];
  if (report.unchanged > 0) parts.push(`${report.unchanged} already present`);
  const problems = parsed.errors.length + report.rejected.length;
  if (problems > 0) parts.push(`${problems} record(s) or span(s) skipped (see the output channel)`);
  return `Imported ${formatInfo(parsed.format).title}: ${parts.join(', ')}.`;
}
