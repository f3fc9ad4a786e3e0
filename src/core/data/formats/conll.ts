import type { AnnotatedDocument } from '../annotation';
import { detectTagScheme, parseTag, toIob2, type AlignmentIssue, type TagScheme } from '../bioAlignment';
import type { ExportResult, ParseIssue, ParseResult } from '../parseResult';
import {
  describeAlignmentIssue,
  documentsToSentences,
  sentencesToDocument,
  type DocumentSentence,
  type DocumentsToSentencesOptions,
} from '../tokenDocuments';

/**
 * CoNLL / BIO: one token per line, the tag in the LAST column (tab-separated, or whitespace-separated
 * when the line has no tab), a blank line between sentences, `-DOCSTART-` lines separating documents.
 * Read: IOB2, IOB1, IO, BIOES and BILOU, always returned as IOB2. Written: IOB2, tab-separated.
 */

export interface ConllSentence {
  tokens: string[];
  /** IOB2 tags, one per token. */
  tags: string[];
  /** 1-based line of the sentence's first token. */
  line: number;
  /** 0-based index of the `-DOCSTART-` document the sentence belongs to (0 when there is none). */
  documentIndex: number;
}

export interface ConllReadOptions {
  /** Named in errors. */
  file?: string;
  /**
   * WikiANN writes `en:Paris`: true strips any two- or three-letter `xx:` prefix from every token,
   * a string strips exactly that prefix (`'en'` → `en:`). Off by default: a token may contain ':'.
   */
  stripLanguagePrefix?: boolean | string;
  /** The input's tag scheme; 'auto' (default) detects it. Tags are converted to IOB2 either way. */
  scheme?: TagScheme | 'auto';
}

export interface ConllParseResult extends ParseResult<ConllSentence> {
  /** The scheme the tags were read as. */
  scheme: TagScheme;
}

export function parseConll(text: string, options: ConllReadOptions = {}): ConllParseResult {
  const file = options.file ?? '<conll>';
  const errors: ParseIssue[] = [];
  const warnings: ParseIssue[] = [];
  const raw: Array<{ tokens: string[]; tags: string[]; line: number; documentIndex: number }> = [];
  const anyPrefix = /^[a-z]{2,3}:/;
  const exactPrefix =
    typeof options.stripLanguagePrefix === 'string' && options.stripLanguagePrefix !== '' ? `${options.stripLanguagePrefix}:` : undefined;
  /** Length of the language prefix of a token, 0 when it has none, -1 when not stripping. */
  const prefixLength = (token: string): number => {
    if (exactPrefix !== undefined) return token.startsWith(exactPrefix) ? exactPrefix.length : 0;
    if (options.stripLanguagePrefix === true) return anyPrefix.exec(token)?.[0].length ?? 0;
    return -1;
  };
  let missingPrefix = 0;
  let firstMissingPrefixLine = 0;

  let tokens: string[] = [];
  let tags: string[] = [];
  let startLine = 0;
  let broken = false;
  let documentIndex = 0;
  let sawContentInDocument = false;
  const endSentence = (): void => {
    if (tokens.length > 0 && !broken) raw.push({ tokens, tags, line: startLine, documentIndex });
    tokens = [];
    tags = [];
    broken = false;
  };

  // A hand-rolled line loop: training files have hundreds of thousands of lines.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let line = 0;
  const fail = (message: string): void => {
    errors.push({ file, line, message: `${message}; sentence starting at line ${startLine} skipped` });
    broken = true;
  };
  for (let position = 0; position < body.length; ) {
    let lineEnd = body.indexOf('\n', position);
    if (lineEnd < 0) lineEnd = body.length;
    const lineText = body.slice(position, lineEnd);
    position = lineEnd + 1;
    line++;
    const firstTab = lineText.indexOf('\t');
    const trimmed = firstTab > 0 && lineText.charCodeAt(0) > 32 && !lineText.endsWith('\r') ? lineText : lineText.trim();
    if (trimmed === '') {
      endSentence();
      continue;
    }
    if (trimmed.startsWith('-DOCSTART-')) {
      endSentence();
      if (sawContentInDocument) documentIndex++;
      sawContentInDocument = false;
      continue;
    }
    if (tokens.length === 0 && !broken) startLine = line;
    sawContentInDocument = true;
    if (broken) continue;
    let token: string;
    let tag: string;
    if (firstTab >= 0) {
      token = trimmed.slice(0, trimmed.indexOf('\t')).trim();
      tag = trimmed.slice(trimmed.lastIndexOf('\t') + 1).trim();
    } else {
      const columns = trimmed.split(/\s+/);
      token = columns[0]!;
      tag = columns.length > 1 ? columns[columns.length - 1]! : '';
    }
    if (firstTab < 0 && tag === '') {
      fail(`expected a token and a tag, found ${JSON.stringify(trimmed.slice(0, 60))}`);
      continue;
    }
    const strip = prefixLength(token);
    if (strip > 0) token = token.slice(strip);
    else if (strip === 0 && missingPrefix++ === 0) firstMissingPrefixLine = line;
    if (token === '') {
      fail('empty token');
      continue;
    }
    if (!parseTag(tag)) {
      fail(`invalid tag ${JSON.stringify(tag.slice(0, 40))} (expected O or B-/I-/E-/S- followed by a type)`);
      continue;
    }
    tokens.push(token);
    tags.push(tag);
  }
  endSentence();

  if (missingPrefix > 0) {
    warnings.push({ file, line: firstMissingPrefixLine, message: `${missingPrefix} token(s) had no language prefix to strip (first at this line)` });
  }
  const detected = detectTagScheme(raw.map((sentence) => sentence.tags));
  const scheme = options.scheme === undefined || options.scheme === 'auto' ? detected : options.scheme;
  let changed = 0;
  let firstChangedLine = 0;
  const records = raw.map((sentence) => {
    const converted = toIob2(sentence.tags);
    if (converted.changed > 0 && changed === 0) firstChangedLine = sentence.line;
    changed += converted.changed;
    return { ...sentence, tags: converted.tags };
  });
  if (changed > 0) {
    warnings.push({
      file,
      line: firstChangedLine,
      message: `tags read as ${scheme}${scheme !== detected ? ` (they look like ${detected})` : ''} and converted to IOB2: ${changed} tag(s) rewritten, first in the sentence at this line`,
    });
  }
  return { records, errors, warnings, scheme };
}

export interface ConllWriteOptions {
  /** Column separator; default tab. */
  separator?: '\t' | ' ';
  /** Write `-DOCSTART- -X- O O` before each document (when sentences carry documentIndex). Default false. */
  docstart?: boolean;
}

/** Writes sentences as CoNLL with IOB2 tags (other schemes are converted). */
export function writeConll(sentences: ReadonlyArray<Pick<ConllSentence, 'tokens' | 'tags'> & { documentIndex?: number }>, options: ConllWriteOptions = {}): string {
  const separator = options.separator ?? '\t';
  const blocks: string[] = [];
  let currentDocument: number | undefined;
  for (const sentence of sentences) {
    if (options.docstart && sentence.documentIndex !== currentDocument) {
      blocks.push(`-DOCSTART-${separator}-X-${separator}O${separator}O\n`);
      currentDocument = sentence.documentIndex;
    }
    const tags = toIob2(sentence.tags).tags;
    blocks.push(sentence.tokens.map((token, i) => `${token}${separator}${tags[i]}\n`).join(''));
  }
  return blocks.join('\n');
}

export interface ConllToDocumentsOptions {
  /** Base of `meta.path`: documents are `${path}#${n}` (n from 1). Default "conll". */
  path?: string;
  /** One document per sentence (default), or per `-DOCSTART-` document with one sentence per line. */
  documentPer?: 'sentence' | 'docstart';
}

/** Documents (text = tokens joined by single spaces; spans from the B/I runs; words kept as tokens). */
export function conllToDocuments(sentences: readonly ConllSentence[], options: ConllToDocumentsOptions = {}): AnnotatedDocument[] {
  const base = options.path ?? 'conll';
  const groups: ConllSentence[][] = [];
  for (const sentence of sentences) {
    const last = groups[groups.length - 1];
    if (options.documentPer === 'docstart' && last && last[0]!.documentIndex === sentence.documentIndex) last.push(sentence);
    else groups.push([sentence]);
  }
  return groups.map((group, i) => sentencesToDocument(group, { path: `${base}#${i + 1}`, source_line: group[0]!.line }));
}

export interface DocumentsToConllOptions extends ConllWriteOptions, DocumentsToSentencesOptions {}

export interface DocumentsToConllResult extends ExportResult {
  sentences: DocumentSentence[];
  alignment: AlignmentIssue[];
}

/**
 * CoNLL for documents: each line of a document's text is a sentence, its words the document's tokens
 * or a word tokenizer's. Spans that do not fall on word boundaries, and overlapping spans, are
 * reported in `alignment` and `issues` (skipped, or widened with `snap: 'outward'`).
 */
export function documentsToConll(documents: readonly AnnotatedDocument[], options: DocumentsToConllOptions = {}): DocumentsToConllResult {
  const { sentences, alignment } = documentsToSentences(documents, options);
  return { content: writeConll(sentences, options), sentences, alignment, issues: alignment.map(describeAlignmentIssue) };
}
