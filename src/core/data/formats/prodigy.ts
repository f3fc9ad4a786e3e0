import { compareSpans, spanProblem, type AnnotatedDocument, type DocumentToken, type Span } from '../annotation';
import { isNonNegativeInteger, isPlainObject, parseJsonLines } from '../jsonLines';
import type { ExportResult, ParseIssue, ParseResult } from '../parseResult';
import { OffsetConverter, type OffsetUnit } from '../unicodeOffsets';
import { withoutDeepValues } from '../../util/jsonDepth';

/**
 * Prodigy JSONL: one task per line, `{"text", "tokens"?, "spans"?: [{"start","end","label",
 * "token_start"?,"token_end"?}], "answer"?, "meta"?}`. Prodigy is Python, so its offsets count code
 * points; they are converted to UTF-16 on import and back on export (`offsetUnit: 'utf16'` for files
 * that already use UTF-16). `token_end` is inclusive, as in Prodigy.
 */

export type ProdigyAnswer = 'accept' | 'reject' | 'ignore';

export interface ProdigyReadOptions {
  file?: string;
  /** Answers to import; default ['accept']. A task without "answer" counts as accepted. */
  answers?: readonly ProdigyAnswer[];
  offsetUnit?: OffsetUnit;
  /** meta.path of tasks whose meta has none: `${pathPrefix}#${line}`; default the file name. */
  pathPrefix?: string;
}

export interface ProdigyRecord extends AnnotatedDocument {
  /** The task's answer ("accept" when it had none). */
  answer: string;
  /** 1-based line of the task. */
  line: number;
}

function readTokens(raw: unknown[], convert: (offset: number) => number | undefined, text: string): DocumentToken[] | string {
  const tokens: DocumentToken[] = [];
  for (let index = 0; index < raw.length; index++) {
    const token = raw[index];
    if (!isPlainObject(token) || typeof token.text !== 'string' || !isNonNegativeInteger(token.start) || !isNonNegativeInteger(token.end)) {
      return `tokens[${index}] needs "text", "start" and "end"`;
    }
    const start = convert(token.start);
    const end = convert(token.end);
    if (start === undefined || end === undefined || end < start || text.slice(start, end) !== token.text) {
      return `tokens[${index}] ${JSON.stringify(token.text)} [${token.start}, ${token.end}) does not match the text`;
    }
    const read: DocumentToken = { text: token.text, start, end, id: isNonNegativeInteger(token.id) ? token.id : index };
    if (typeof token.ws === 'boolean') read.ws = token.ws;
    tokens.push(read);
  }
  return tokens;
}

export function parseProdigyJsonl(text: string, options: ProdigyReadOptions = {}): ParseResult<ProdigyRecord> {
  const file = options.file ?? '<prodigy>';
  const answers = new Set<string>(options.answers ?? ['accept']);
  const unit = options.offsetUnit ?? 'codepoint';
  const { values, errors } = parseJsonLines(text, file);
  const warnings: ParseIssue[] = [];
  const records: ProdigyRecord[] = [];
  const skipped = new Map<string, { count: number; line: number }>();

  for (const { line, value } of values) {
    const error = (message: string): void => void errors.push({ file, line, message });
    if (!isPlainObject(value)) {
      error('a task must be a JSON object');
      continue;
    }
    if (typeof value.text !== 'string') {
      error('task has no "text" string');
      continue;
    }
    const answer = value.answer === undefined ? 'accept' : value.answer;
    if (typeof answer !== 'string' || !['accept', 'reject', 'ignore'].includes(answer)) {
      error(`unknown answer ${JSON.stringify(answer)} (expected accept, reject or ignore)`);
      continue;
    }
    if (!answers.has(answer)) {
      const entry = skipped.get(answer) ?? { count: 0, line };
      entry.count++;
      skipped.set(answer, entry);
      continue;
    }
    const taskText = value.text;
    const converter = unit === 'codepoint' ? new OffsetConverter(taskText) : undefined;
    const convert = (offset: number): number | undefined =>
      converter ? converter.toUnit(offset) : Number.isInteger(offset) && offset >= 0 && offset <= taskText.length ? offset : undefined;

    let tokens: DocumentToken[] | undefined;
    if (value.tokens !== undefined) {
      const read = Array.isArray(value.tokens) ? readTokens(value.tokens, convert, taskText) : '"tokens" is not an array';
      if (typeof read === 'string') warnings.push({ file, line, message: `${read}; tokens ignored` });
      else tokens = read;
    }
    if (value.spans !== undefined && !Array.isArray(value.spans)) {
      error('"spans" is not an array');
      continue;
    }
    const spans: Span[] = [];
    ((value.spans as unknown[] | undefined) ?? []).forEach((raw, index) => {
      if (!isPlainObject(raw)) {
        error(`spans[${index}] is not an object; span skipped`);
        return;
      }
      let start: number | undefined;
      let end: number | undefined;
      if (isNonNegativeInteger(raw.start) && isNonNegativeInteger(raw.end)) {
        start = convert(raw.start);
        end = convert(raw.end);
      } else if (tokens && isNonNegativeInteger(raw.token_start) && isNonNegativeInteger(raw.token_end)) {
        start = tokens[raw.token_start]?.start;
        end = tokens[raw.token_end]?.end;
      }
      if (start === undefined || end === undefined) {
        error(`spans[${index}] has no usable offsets (start/end, or token_start/token_end with tokens); span skipped`);
        return;
      }
      const span: Span = { start, end, label: raw.label as string };
      const problem = spanProblem(taskText, span);
      if (problem) {
        error(`spans[${index}]: ${problem.message}; span skipped`);
        return;
      }
      if (typeof raw.text === 'string' && taskText.slice(start, end) !== raw.text) {
        error(`spans[${index}] covers ${JSON.stringify(taskText.slice(start, end))}, but its "text" is ${JSON.stringify(raw.text)} (offsets in ${unit}?); span skipped`);
        return;
      }
      spans.push(span);
    });
    const meta = isPlainObject(value.meta) ? { ...value.meta } : {};
    const path = typeof meta.path === 'string' && meta.path !== '' ? meta.path : `${options.pathPrefix ?? file}#${line}`;
    const record: ProdigyRecord = { text: taskText, spans: spans.sort(compareSpans), meta: { ...meta, path }, answer, line };
    if (tokens) record.tokens = tokens;
    records.push(record);
  }
  for (const [answer, { count, line }] of skipped) {
    warnings.push({ file, line, message: `${count} task(s) answered "${answer}" not imported (first at this line)` });
  }
  errors.sort((a, b) => a.line - b.line);
  return { records, errors, warnings };
}

export interface ProdigyWriteOptions {
  offsetUnit?: OffsetUnit;
  /** Write the documents' tokens (and token_start/token_end of spans that align to them). Default true. */
  includeTokens?: boolean;
}

/** One accepted Prodigy task per document. */
export function writeProdigyJsonl(documents: readonly AnnotatedDocument[], options: ProdigyWriteOptions = {}): ExportResult {
  const unit = options.offsetUnit ?? 'codepoint';
  const issues: string[] = [];
  const lines = documents.map((document) => {
    const converter = unit === 'codepoint' ? new OffsetConverter(document.text) : undefined;
    const out = (offset: number): number => (converter ? converter.toCodePoint(offset) ?? offset : offset);
    const tokens = options.includeTokens === false ? undefined : document.tokens;
    const task: Record<string, unknown> = { text: document.text };
    if (tokens) {
      task.tokens = tokens.map((token) => {
        const written: Record<string, unknown> = { text: token.text, start: out(token.start), end: out(token.end), id: token.id };
        if (token.ws !== undefined) written.ws = token.ws;
        return written;
      });
    }
    task.spans = [...document.spans].sort(compareSpans).map((span) => {
      const written: Record<string, unknown> = { start: out(span.start), end: out(span.end), label: span.label };
      if (tokens) {
        const first = tokens.findIndex((token) => token.start === span.start);
        const last = tokens.findIndex((token) => token.end === span.end);
        if (first >= 0 && last >= first) {
          written.token_start = first;
          written.token_end = last;
        } else {
          issues.push(`${document.meta.path}: span [${span.start}, ${span.end}) ${span.label} does not align to tokens; written without token_start/token_end`);
        }
      }
      return written;
    });
    task.meta = exportableMeta(document.meta, issues);
    task.answer = 'accept';
    return `${JSON.stringify(task)}\n`;
  });
  return { content: lines.join(''), issues };
}

/** meta without values too deeply nested to serialize (JSON.stringify would overflow the stack), each named in `issues`. */
export function exportableMeta(meta: AnnotatedDocument['meta'], issues: string[]): Record<string, unknown> {
  const { kept, dropped } = withoutDeepValues(meta);
  for (const key of dropped) issues.push(`${meta.path}: meta.${key} is nested too deeply to export; left out`);
  return kept;
}
