import type { AlignmentIssue } from './bioAlignment';
import { parseClassificationJsonl, parseClassificationTsv, type ClassificationRecord } from './formats/classification';
import { parseConll } from './formats/conll';
import { parseHfTokenJsonl } from './formats/hfTokenJsonl';
import { parseLabelStudioJson } from './formats/labelStudio';
import { parseProdigyJsonl } from './formats/prodigy';
import type { AnnotatedDocument } from './annotation';
import type { ParseIssue, ParseResult } from './parseResult';
import { describeAlignmentIssue, documentsToSentences, type DocumentsToSentencesOptions } from './tokenDocuments';

/**
 * One entry point per task for the trainer and the CLI (`--data FILE`): whatever the format, NER data
 * comes back as sentences of words with IOB2 tags, classification data as (text, label) examples.
 */

export type NerDataFormat = 'conll' | 'prodigy' | 'hf-jsonl' | 'label-studio';
export type ClassificationDataFormat = 'tsv' | 'jsonl';

function firstJsonLine(text: string): Record<string, unknown> | undefined {
  for (const line of text.split('\n', 50)) {
    if (line.trim() === '') continue;
    try {
      const value = JSON.parse(line) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The NER format of a file, from its name and first record: .json → Label Studio, JSONL with tokens → HF, with text → Prodigy, else CoNLL. */
export function detectNerFormat(fileName: string, text: string): NerDataFormat {
  const head = text.trimStart();
  if (/\.json$/i.test(fileName) || head.startsWith('[')) return 'label-studio';
  if (/\.jsonl$/i.test(fileName) || head.startsWith('{')) {
    const first = firstJsonLine(text);
    return first && Array.isArray(first.tokens) && !('text' in first) ? 'hf-jsonl' : 'prodigy';
  }
  return 'conll';
}

export interface NerReadOptions extends DocumentsToSentencesOptions {
  /** Named in errors and used to detect the format. */
  file?: string;
  format?: NerDataFormat | 'auto';
  /** For integer tags of HF JSONL. */
  labelNames?: readonly string[];
  /** For CoNLL (WikiANN's `en:`); see ConllReadOptions. */
  stripLanguagePrefix?: boolean | string;
}

export interface NerSentence {
  tokens: string[];
  /** IOB2. */
  tags: string[];
  /** 1-based line of the sentence (CoNLL) or of its record (JSONL, Label Studio task). */
  line: number;
  /**
   * CoNLL only, and only when the file has `-DOCSTART-` lines: the 0-based document of the sentence,
   * so that documents can be laid out as they were written.
   */
  documentIndex?: number;
}

export interface NerData extends ParseResult<NerSentence> {
  format: NerDataFormat;
  /** Spans of character-offset formats that could not be put on words (also listed in warnings). */
  alignment: AlignmentIssue[];
}

function fromDocuments(
  parsed: ParseResult<AnnotatedDocument & { line: number }>,
  file: string,
  format: NerDataFormat,
  options: DocumentsToSentencesOptions,
): NerData {
  const { sentences, alignment } = documentsToSentences(parsed.records, options);
  const records = sentences.map((sentence) => ({ tokens: sentence.tokens, tags: sentence.tags, line: parsed.records[sentence.documentIndex]!.line }));
  const lineOf = new Map(parsed.records.map((record) => [record.meta.path, record.line]));
  const warnings: ParseIssue[] = [
    ...parsed.warnings,
    ...alignment.map((issue) => ({ file, line: lineOf.get(issue.documentPath ?? '') ?? 0, message: describeAlignmentIssue(issue) })),
  ];
  return { records, errors: parsed.errors, warnings, format, alignment };
}

/** NER sentences (words + IOB2 tags) from CoNLL, Prodigy JSONL, HF token JSONL or Label Studio JSON. */
export function readNerSentences(text: string, options: NerReadOptions = {}): NerData {
  const file = options.file ?? '<data>';
  const format = !options.format || options.format === 'auto' ? detectNerFormat(file, text) : options.format;
  switch (format) {
    case 'conll': {
      const parsed = parseConll(text, { file, stripLanguagePrefix: options.stripLanguagePrefix ?? false });
      const documents = /^\s*-DOCSTART-/m.test(text);
      const records = parsed.records.map(({ tokens, tags, line, documentIndex }) => (documents ? { tokens, tags, line, documentIndex } : { tokens, tags, line }));
      return { records, errors: parsed.errors, warnings: parsed.warnings, format, alignment: [] };
    }
    case 'hf-jsonl': {
      const parsed = parseHfTokenJsonl(text, options.labelNames ? { file, labelNames: options.labelNames } : { file });
      const records = parsed.records.map(({ tokens, tags, line }) => ({ tokens, tags, line }));
      return { records, errors: parsed.errors, warnings: parsed.warnings, format, alignment: [] };
    }
    case 'prodigy':
      return fromDocuments(parseProdigyJsonl(text, { file }), file, format, options);
    case 'label-studio':
      return fromDocuments(parseLabelStudioJson(text, { file }), file, format, options);
  }
}

export interface ClassificationReadAllOptions {
  file?: string;
  format?: ClassificationDataFormat | 'auto';
  labelNames?: readonly string[];
  header?: boolean | 'auto';
}

/** Classification examples from TSV (`sentence<TAB>label`) or JSONL (`{"text","label"}`), by name or content. */
export function readClassificationExamples(
  text: string,
  options: ClassificationReadAllOptions = {},
): ParseResult<ClassificationRecord> & { format: ClassificationDataFormat } {
  const file = options.file ?? '<data>';
  const format =
    options.format && options.format !== 'auto'
      ? options.format
      : /\.jsonl?$/i.test(file) || text.trimStart().startsWith('{')
        ? 'jsonl'
        : 'tsv';
  const common = options.labelNames ? { file, labelNames: options.labelNames } : { file };
  const parsed = format === 'jsonl' ? parseClassificationJsonl(text, common) : parseClassificationTsv(text, { ...common, header: options.header ?? 'auto' });
  return { records: parsed.records, errors: parsed.errors, warnings: parsed.warnings, format };
}
