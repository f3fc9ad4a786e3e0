import {
  compareCategories,
  sha256OfText,
  spanProblem,
  type TextCategories,
  type AnnotatedDocument,
  type DocumentToken,
  type Span,
} from './annotation';
import { isNonNegativeInteger, isPlainObject } from './jsonLines';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../util/jsonDepth';
import type { ParseIssue } from './parseResult';
import { hasTextcatFields, isBinaryDecision, readTextcatFields, textcatFields, withoutTextcatFields } from './textcatShape';

/**
 * One line of `.bert-lens/annotations.jsonl`: a document in Prodigy's task shape
 * `{"text", "spans": [{"start","end","label"}], "meta": {"path","sha256"}, "answer": "accept"}`, with
 * UTF-16 offsets (see annotationStore.ts). Top-level keys we do not know are kept as they are.
 *
 * Text categories use Prodigy's textcat fields (textcatShape.ts): the whole document's decision at
 * the top level (`"label"` + `"answer"` for one label, `"options"` + `"accept"` + `"config"` for a
 * choice), decisions on paragraphs and selections in `"categories": [{"start","end","scope", ...the
 * same fields}]`. Files written before categories existed load unchanged.
 */
export interface StoredRecord {
  document: AnnotatedDocument;
  /** Top-level keys other than text/spans/tokens/meta, written back unchanged (e.g. "answer", "_input_hash"). */
  extras: Record<string, unknown>;
}

const KNOWN_KEYS = new Set(['text', 'spans', 'tokens', 'meta', 'categories']);

export interface RecordReading {
  record?: StoredRecord;
  /** Problems that made the line unusable as a whole, or parts of it (a span) that were left out. */
  problems: string[];
}

function readToken(value: unknown, index: number, text: string): DocumentToken | string {
  if (!isPlainObject(value)) return `tokens[${index}] is not an object`;
  const { text: tokenText, start, end, id, ws } = value;
  if (typeof tokenText !== 'string' || !isNonNegativeInteger(start) || !isNonNegativeInteger(end)) {
    return `tokens[${index}] needs "text", "start" and "end"`;
  }
  if (end < start || end > text.length || text.slice(start, end) !== tokenText) {
    return `tokens[${index}] ${JSON.stringify(tokenText)} [${start}, ${end}) does not match the text`;
  }
  const token: DocumentToken = { text: tokenText, start, end, id: isNonNegativeInteger(id) ? id : index };
  if (typeof ws === 'boolean') token.ws = ws;
  return token;
}

function readRangeCategories(raw: unknown, text: string): TextCategories | string | undefined {
  if (!isPlainObject(raw)) return 'not an object';
  const { start, end, scope } = raw;
  if (!isNonNegativeInteger(start) || !isNonNegativeInteger(end)) return 'needs integer "start" and "end"';
  if (scope !== 'paragraph' && scope !== 'selection') return `"scope" must be "paragraph" or "selection", got ${JSON.stringify(scope)}`;
  if (!hasTextcatFields(raw)) return 'needs "label" and "answer", or "options" and "accept"';
  return readTextcatFields(raw, text, { start, end, scope });
}

/** Reads a parsed JSON value as a store record; spans that do not fit the text are left out and named. */
export function readStoredRecord(value: unknown): RecordReading {
  if (!isPlainObject(value)) return { problems: ['a record must be a JSON object'] };
  const { text, spans, tokens, meta } = value;
  if (typeof text !== 'string') return { problems: ['"text" must be a string'] };
  if (!isPlainObject(meta) || typeof meta.path !== 'string' || meta.path === '') {
    return { problems: ['"meta.path" must be a non-empty string'] };
  }
  if (spans !== undefined && !Array.isArray(spans)) return { problems: ['"spans" must be an array'] };
  if (tokens !== undefined && !Array.isArray(tokens)) return { problems: ['"tokens" must be an array'] };
  const problems: string[] = [];
  const kept: Span[] = [];
  (spans ?? []).forEach((raw: unknown, index: number) => {
    if (!isPlainObject(raw)) {
      problems.push(`spans[${index}] is not an object`);
      return;
    }
    const span = { start: raw.start, end: raw.end, label: raw.label } as Span;
    if (typeof span.start !== 'number' || typeof span.end !== 'number') {
      problems.push(`spans[${index}] needs numeric "start" and "end"`);
      return;
    }
    const problem = spanProblem(text, span);
    if (problem) problems.push(`spans[${index}]: ${problem.message}`);
    else kept.push(span);
  });
  const document: AnnotatedDocument = { text, spans: kept, meta: { ...meta, path: meta.path } };
  if (tokens !== undefined) {
    const read = (tokens as unknown[]).map((token, index) => readToken(token, index, text));
    const bad = read.filter((token): token is string => typeof token === 'string');
    if (bad.length > 0) problems.push(...bad.slice(0, 3), ...(bad.length > 3 ? [`${bad.length - 3} more bad tokens`] : []));
    else document.tokens = read as DocumentToken[];
  }
  let extras: Record<string, unknown> = {};
  for (const [key, extra] of Object.entries(value)) if (!KNOWN_KEYS.has(key)) extras[key] = extra;
  const categories: TextCategories[] = [];
  if (hasTextcatFields(value)) {
    const read = readTextcatFields(value, text, { start: 0, end: text.length, scope: 'document' });
    // Unusable fields stay in extras, so that the line is written back as it was.
    if (typeof read === 'string') problems.push(`document categories: ${read}`);
    else if (read) {
      categories.push(read);
      extras = withoutTextcatFields(extras);
    }
  }
  if (value.categories !== undefined) {
    if (!Array.isArray(value.categories)) problems.push('"categories" must be an array; left out');
    else {
      value.categories.forEach((raw: unknown, index: number) => {
        const read = readRangeCategories(raw, text);
        if (typeof read === 'string') problems.push(`categories[${index}]: ${read}`);
        else if (read) categories.push(read);
      });
    }
  }
  if (categories.length > 0) document.categories = categories.sort(compareCategories);
  return { record: { document, extras }, problems };
}

/** The JSON line of a record (without newline). Offsets UTF-16; sha256 recomputed from the text. */
export function serializeStoredRecord(record: StoredRecord): string {
  const { document, extras } = record;
  const out: Record<string, unknown> = {
    text: document.text,
    spans: document.spans.map(({ start, end, label }) => ({ start, end, label })),
  };
  if (document.tokens) out.tokens = document.tokens;
  const ranges = (document.categories ?? []).filter((categories) => categories.scope !== 'document');
  if (ranges.length > 0) {
    out.categories = [...ranges].sort(compareCategories).map((categories) => ({
      start: categories.start,
      end: categories.end,
      scope: categories.scope,
      ...textcatFields(categories),
    }));
  }
  out.meta = { ...document.meta, path: document.meta.path, sha256: sha256OfText(document.text) };
  out.answer = 'accept';
  Object.assign(out, extras);
  const whole = document.categories?.find((categories) => categories.scope === 'document');
  if (whole) {
    const fields = textcatFields(whole);
    // Other config keys of the task are kept beside choice_style.
    if (!isBinaryDecision(whole) && isPlainObject(extras.config)) fields.config = { ...extras.config, ...(fields.config as object) };
    Object.assign(out, fields);
  }
  return JSON.stringify(out);
}

export interface StoreFileContents {
  records: Map<string, StoredRecord>;
  problems: ParseIssue[];
  /** Raw bytes (without the newline) of every line that was not kept exactly as written. */
  rejectedLines: Uint8Array[];
}

/**
 * Parses the store file from its bytes, so that a line that is not valid UTF-8 can still be preserved
 * byte for byte. A record for a path that appears again later is superseded (last line wins, as in an
 * append log) and its line is preserved among the rejected lines.
 */
export function parseStoreFile(bytes: Uint8Array, file: string): StoreFileContents {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const records = new Map<string, StoredRecord>();
  const lineOfPath = new Map<string, { line: number; raw: Uint8Array }>();
  const problems: ParseIssue[] = [];
  const rejectedLines: Uint8Array[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end < 0) end = bytes.length;
    line++;
    const raw = bytes.subarray(start, end);
    start = end + 1;
    const reject = (message: string): void => {
      problems.push({ file, line, message });
      rejectedLines.push(raw.slice());
    };
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      reject('line is not valid UTF-8; preserved in the rejected-lines file');
      continue;
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      reject(`not valid JSON (${(error as Error).message}); preserved in the rejected-lines file`);
      continue;
    }
    if (exceedsJsonDepth(value)) {
      reject(`nested deeper than ${MAX_JSON_DEPTH} levels, which later saves could not write; preserved in the rejected-lines file`);
      continue;
    }
    const reading = readStoredRecord(value);
    if (!reading.record) {
      reject(`${reading.problems.join('; ')}; preserved in the rejected-lines file`);
      continue;
    }
    if (reading.problems.length > 0) {
      reject(`${reading.problems.join('; ')}; the rest of the record was loaded, the original line preserved in the rejected-lines file`);
    }
    const path = reading.record.document.meta.path;
    const earlier = lineOfPath.get(path);
    if (earlier) {
      problems.push({ file, line: earlier.line, message: `record for "${path}" is superseded by line ${line}; preserved in the rejected-lines file` });
      rejectedLines.push(earlier.raw.slice());
    }
    lineOfPath.set(path, { line, raw });
    records.set(path, reading.record);
  }
  return { records, problems, rejectedLines };
}
