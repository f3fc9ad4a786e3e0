import { compareSpans, type AnnotatedDocument } from '../../core/data/annotation';
import { InvalidDocumentError, type AnnotationStore } from '../../core/data/annotationStore';
import { detectNerFormat, type NerDataFormat } from '../../core/data/datasets';
import { conllToDocuments, documentsToConll, parseConll } from '../../core/data/formats/conll';
import { parseHfTokenJsonl, writeHfTokenJsonl } from '../../core/data/formats/hfTokenJsonl';
import { parseLabelStudioJson, writeLabelStudioJson } from '../../core/data/formats/labelStudio';
import { parseProdigyJsonl, writeProdigyJsonl } from '../../core/data/formats/prodigy';
import { describeError, type ParseIssue } from '../../core/data/parseResult';
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
  format: NerDataFormat | 'auto';
  /** Names of integer HF tags. */
  labelNames?: readonly string[];
}

export interface ParsedImport {
  format: NerDataFormat;
  documents: Array<AnnotatedDocument & { line: number }>;
  errors: ParseIssue[];
  warnings: ParseIssue[];
}

/** Reads an annotation file in any of the formats; bad records are errors with their line, the rest is kept. */
export function parseImport(input: ImportInput): ParsedImport {
  const { text, file, pathBase } = input;
  const format = input.format === 'auto' ? detectNerFormat(file, text) : input.format;
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
  /** Records not stored, with file and line. */
  rejected: ParseIssue[];
  /** Store keys written. */
  paths: Set<string>;
}

/**
 * Adds imported documents to the store without losing anything stored: a new path is added; a
 * stored path with the same text gets the union of the spans; a stored path with another text is
 * left as it is and the record is reported. Puts are issued together so the store writes once.
 */
export async function mergeIntoStore(store: AnnotationStore, documents: ReadonlyArray<AnnotatedDocument & { line: number }>, file: string): Promise<MergeReport> {
  const report: MergeReport = { added: 0, merged: 0, unchanged: 0, spansAdded: 0, rejected: [], paths: new Set() };
  const puts: Array<Promise<void>> = [];
  const seen = new Map<string, number>();
  for (const document of documents) {
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
    if (!stored) {
      next = clean;
      kind = 'added';
      spansAdded = clean.spans.length;
    } else if (stored.text !== clean.text) {
      reject('already in the workspace annotations with a different text; record not imported (the stored one is kept)');
      continue;
    } else {
      const key = (span: { start: number; end: number; label: string }): string => `${span.start}:${span.end}:${span.label}`;
      const have = new Set(stored.spans.map(key));
      const fresh = clean.spans.filter((span) => !have.has(key(span)));
      if (fresh.length === 0) {
        report.unchanged++;
        continue;
      }
      next = { ...stored, spans: [...stored.spans, ...fresh].sort(compareSpans) };
      if (!stored.tokens && clean.tokens) next.tokens = clean.tokens;
      kind = 'merged';
      spansAdded = fresh.length;
    }
    puts.push(
      store.put(next).then(
        () => {
          report[kind]++;
          report.spansAdded += spansAdded;
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
    `${report.spansAdded} span(s) added`,
  ];
  if (report.unchanged > 0) parts.push(`${report.unchanged} already present`);
  const problems = parsed.errors.length + report.rejected.length;
  if (problems > 0) parts.push(`${problems} record(s) or span(s) skipped (see the output channel)`);
  return `Imported ${TRANSFER_FORMATS[parsed.format].title}: ${parts.join(', ')}.`;
}
