import { createHash } from 'node:crypto';

/**
 * The annotation model shared by the store, the formats and the editor: a document's exact text and
 * labelled character spans. Offsets are UTF-16 code units into `text`, [start, end), as VS Code's
 * `document.positionAt` expects.
 */
export interface Span {
  start: number;
  end: number;
  label: string;
}

/** A token as Prodigy writes it (`tokens` of a task); offsets are UTF-16 here like every span. */
export interface DocumentToken {
  text: string;
  start: number;
  end: number;
  id: number;
  /** Whether whitespace follows the token (spaCy's `whitespace_`). */
  ws?: boolean;
}

export interface DocumentMeta {
  /** Workspace-relative path with `/` separators; the store's key. */
  path: string;
  /** SHA-256 (hex) of `text` encoded as UTF-8: tells whether the file changed since it was labelled. */
  sha256?: string;
  [key: string]: unknown;
}

export interface AnnotatedDocument {
  text: string;
  spans: Span[];
  meta: DocumentMeta;
  /** Word tokens when the source had them (CoNLL, Prodigy); exporters to token formats prefer them. */
  tokens?: DocumentToken[];
  /** Text categories of the whole document, a paragraph or a selection (absent in older store files). */
  categories?: TextCategories[];
}

/** What a category decision covers: how the range was chosen (the range itself is in start/end). */
export type CategoryScope = 'document' | 'paragraph' | 'selection';

/**
 * Categories chosen for one range of a document, as Prodigy's textcat interfaces record them:
 * `options` is the label set offered, `accept` the labels that apply. `multiLabel: false` is an
 * exclusive choice (at most one accepted); a single option with `multiLabel: false` is Prodigy's binary
 * `{"label", "answer"}` task (accepted: the label applies; empty `accept`: it was rejected).
 */
export interface TextCategories {
  /** UTF-16 [start, end) of the range; a 'document' decision always covers [0, text.length). */
  start: number;
  end: number;
  scope: CategoryScope;
  options: string[];
  multiLabel: boolean;
  accept: string[];
}

export const CATEGORY_SCOPES: readonly CategoryScope[] = ['document', 'paragraph', 'selection'];

/** Checks one category decision against its text; returns the first problem, or undefined when usable. */
export function categoryProblem(text: string, categories: TextCategories): string | undefined {
  const { start, end, scope, options, accept, multiLabel } = categories;
  if (!CATEGORY_SCOPES.includes(scope)) return `scope must be one of ${CATEGORY_SCOPES.join(', ')}`;
  if (!Number.isInteger(start) || !Number.isInteger(end)) return `offsets must be integers (start ${start}, end ${end})`;
  if (scope === 'document' && (start !== 0 || end !== text.length)) return `a document category must cover [0, ${text.length}), not [${start}, ${end})`;
  if (start < 0 || end > text.length) return `[${start}, ${end}) is outside the text (length ${text.length})`;
  if (scope !== 'document' && start >= end) return `start ${start} is not before end ${end}`;
  if (splitsSurrogatePair(text, start) || splitsSurrogatePair(text, end)) return `[${start}, ${end}) cuts a surrogate pair in half`;
  if (typeof multiLabel !== 'boolean') return 'multiLabel must be true or false';
  if (!Array.isArray(options) || options.length === 0) return 'options must be a non-empty list of labels';
  if (!Array.isArray(accept)) return 'accept must be a list of labels';
  for (const label of options) {
    const problem = labelProblem(label);
    if (problem) return `option ${problem}`;
  }
  if (new Set(options).size !== options.length) return 'options repeat a label';
  const unknown = accept.find((label) => !options.includes(label));
  if (unknown !== undefined) return `accepted label ${JSON.stringify(unknown)} is not among the options`;
  if (new Set(accept).size !== accept.length) return 'accept repeats a label';
  if (!multiLabel && accept.length > 1) return `an exclusive choice accepts at most one label, got ${accept.length}`;
  return undefined;
}

/** Document order for category decisions: by range, then scope. */
export function compareCategories(a: TextCategories, b: TextCategories): number {
  return a.start - b.start || a.end - b.end || CATEGORY_SCOPES.indexOf(a.scope) - CATEGORY_SCOPES.indexOf(b.scope);
}

export type DocumentIssueKind =
  | 'offset-not-integer'
  | 'empty-span'
  | 'span-out-of-range'
  | 'splits-surrogate-pair'
  | 'bad-label'
  | 'overlap'
  | 'duplicate-span'
  | 'bad-token'
  | 'bad-category'
  | 'duplicate-category';

export interface DocumentIssue {
  kind: DocumentIssueKind;
  /** Errors make a span (or token) unusable; warnings describe legal but notable input. */
  severity: 'error' | 'warning';
  message: string;
  spanIndex?: number;
  tokenIndex?: number;
  categoryIndex?: number;
}

export function sha256OfText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function compareSpans(a: Span, b: Span): number {
  return a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `offset` falls between the two halves of a surrogate pair (inside one emoji, say). */
export function splitsSurrogatePair(text: string, offset: number): boolean {
  return (
    offset > 0 &&
    offset < text.length &&
    isHighSurrogate(text.charCodeAt(offset - 1)) &&
    isLowSurrogate(text.charCodeAt(offset))
  );
}

/** A label is any non-empty text without tabs or line breaks (they would corrupt CoNLL and TSV). */
export function labelProblem(label: unknown): string | undefined {
  if (typeof label !== 'string' || label.length === 0) return 'label must be a non-empty string';
  if (/[\t\r\n]/.test(label)) return `label ${JSON.stringify(label)} contains a tab or line break`;
  if (label.trim() !== label) return `label ${JSON.stringify(label)} has leading or trailing whitespace`;
  return undefined;
}

function spanText(text: string, span: Span): string {
  const covered = text.slice(span.start, span.end);
  return covered.length > 40 ? `${covered.slice(0, 37)}...` : covered;
}

/** Checks one span against its text; returns the first problem, or undefined when it is usable. */
export function spanProblem(text: string, span: Span): { kind: DocumentIssueKind; message: string } | undefined {
  const { start, end } = span;
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    return { kind: 'offset-not-integer', message: `offsets must be integers (start ${start}, end ${end})` };
  }
  if (start < 0 || end > text.length) {
    return { kind: 'span-out-of-range', message: `[${start}, ${end}) is outside the text (length ${text.length})` };
  }
  if (start >= end) return { kind: 'empty-span', message: `start ${start} is not before end ${end}` };
  if (splitsSurrogatePair(text, start) || splitsSurrogatePair(text, end)) {
    return { kind: 'splits-surrogate-pair', message: `[${start}, ${end}) cuts a surrogate pair in half` };
  }
  const label = labelProblem(span.label);
  if (label) return { kind: 'bad-label', message: label };
  return undefined;
}

/**
 * Validates a document. Errors: spans that cannot be used as they are. Warnings: overlapping spans
 * (legal in the store, but BIO formats cannot express them; the exporters report them) and exact
 * duplicates.
 */
export function validateDocument(document: AnnotatedDocument): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const { text } = document;
  const usable: Array<{ span: Span; index: number }> = [];
  document.spans.forEach((span, index) => {
    const problem = spanProblem(text, span);
    if (problem) issues.push({ ...problem, severity: 'error', spanIndex: index });
    else usable.push({ span, index });
  });
  usable.sort((a, b) => compareSpans(a.span, b.span));
  let reach: { span: Span; index: number } | undefined;
  for (let i = 0; i < usable.length; i++) {
    const current = usable[i]!;
    const previous = usable[i - 1];
    if (previous && compareSpans(previous.span, current.span) === 0) {
      issues.push({
        kind: 'duplicate-span',
        severity: 'warning',
        spanIndex: current.index,
        message: `span ${current.index} repeats span ${previous.index} ("${spanText(text, current.span)}" ${current.span.label})`,
      });
      continue;
    }
    if (reach && current.span.start < reach.span.end) {
      issues.push({
        kind: 'overlap',
        severity: 'warning',
        spanIndex: current.index,
        message:
          `span ${current.index} [${current.span.start}, ${current.span.end}) ${current.span.label} overlaps ` +
          `span ${reach.index} [${reach.span.start}, ${reach.span.end}) ${reach.span.label}`,
      });
    }
    if (!reach || current.span.end > reach.span.end) reach = current;
  }
  document.tokens?.forEach((token, index) => {
    const ok =
      Number.isInteger(token.start) &&
      Number.isInteger(token.end) &&
      token.start >= 0 &&
      token.start <= token.end &&
      token.end <= text.length &&
      text.slice(token.start, token.end) === token.text;
    if (!ok) {
      issues.push({
        kind: 'bad-token',
        severity: 'error',
        tokenIndex: index,
        message: `token ${index} ${JSON.stringify(token.text)} [${token.start}, ${token.end}) does not match the text`,
      });
    }
  });
  const ranges = new Map<string, number>();
  document.categories?.forEach((categories, index) => {
    const problem = categoryProblem(text, categories);
    if (problem) {
      issues.push({ kind: 'bad-category', severity: 'error', categoryIndex: index, message: `categories ${index}: ${problem}` });
      return;
    }
    // One decision per range and scope: two would leave it unclear which the annotator meant.
    const key = `${categories.scope}:${categories.start}:${categories.end}`;
    const earlier = ranges.get(key);
    if (earlier !== undefined) {
      issues.push({ kind: 'duplicate-category', severity: 'error', categoryIndex: index, message: `categories ${index} repeat the ${categories.scope} range [${categories.start}, ${categories.end}) of categories ${earlier}` });
    } else ranges.set(key, index);
  });
  return issues;
}

export function hasErrors(issues: DocumentIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}
