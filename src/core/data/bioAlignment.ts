import type { Span } from './annotation';
import type { TokenOffsets } from './wordTokens';

/**
 * Character spans ↔ per-token BIO tags, for any tokenization given as [start, end) UTF-16 offsets
 * (whitespace words, CoNLL tokens, or a WordPiece Encoding's `offsets`). Zero-width tokens (special
 * tokens such as [CLS], offsets [0, 0]) never belong to a span and are tagged "O"; a trainer maps them
 * to -100 itself. Offsets must all index one text: for a pair encoding, pass one sequence's tokens.
 */

export type TagScheme = 'IOB2' | 'IOB1' | 'IO' | 'BIOES' | 'BILOU';

const TAG = /^(?:O|([BIESLU])-(\S(?:.*\S)?))$/;

export interface ParsedTag {
  prefix: 'O' | 'B' | 'I' | 'E' | 'S' | 'L' | 'U';
  type: string;
}

// Tag sets are tiny and files long: parse each distinct tag once.
const parsedTags = new Map<string, ParsedTag | undefined>();

/** Splits "B-PER" into prefix and type; "O" has type ""; undefined for anything else. */
export function parseTag(tag: string): ParsedTag | undefined {
  if (parsedTags.has(tag)) return parsedTags.get(tag);
  const match = TAG.exec(tag);
  const parsed: ParsedTag | undefined = !match
    ? undefined
    : !match[1]
      ? { prefix: 'O', type: '' }
      : { prefix: match[1] as ParsedTag['prefix'], type: match[2]! };
  if (parsedTags.size < 10_000) parsedTags.set(tag, parsed && Object.freeze(parsed));
  return parsed;
}

/**
 * Guesses the scheme of tag sequences: BIOES/BILOU when E-/S- or L-/U- appear; IOB1 when entities
 * start with I- (B- then only separates adjacent entities of one type; a file without any B- may be
 * IO, which reads the same way); IOB2 otherwise.
 */
export function detectTagScheme(sequences: ReadonlyArray<readonly string[]>): TagScheme {
  let iStarts = 0;
  let hasIes = false;
  let hasLu = false;
  for (const tags of sequences) {
    let previous: ParsedTag = { prefix: 'O', type: '' };
    for (const tag of tags) {
      const parsed = parseTag(tag);
      if (!parsed) continue;
      if (parsed.prefix === 'E' || parsed.prefix === 'S') hasIes = true;
      if (parsed.prefix === 'L' || parsed.prefix === 'U') hasLu = true;
      if (parsed.prefix === 'I' && (previous.prefix === 'O' || previous.type !== parsed.type)) iStarts++;
      previous = parsed;
    }
  }
  if (hasLu) return 'BILOU';
  if (hasIes) return 'BIOES';
  if (iStarts > 0) return 'IOB1';
  return 'IOB2';
}

export interface EntityRun {
  type: string;
  /** First token index. */
  start: number;
  /** One past the last token index. */
  end: number;
}

/**
 * Entities of a tag sequence in any of the schemes, read leniently (as conlleval does): an I- (or E-)
 * that does not continue an entity of its type starts a new one. Invalid tags count as O and are
 * listed by index.
 */
export function decodeEntities(tags: readonly string[]): { entities: EntityRun[]; invalid: number[] } {
  const entities: EntityRun[] = [];
  const invalid: number[] = [];
  let open: EntityRun | undefined;
  let openEnded = false;
  const close = (): void => {
    if (open) entities.push(open);
    open = undefined;
  };
  tags.forEach((tag, index) => {
    const parsed = parseTag(tag);
    if (!parsed) invalid.push(index);
    if (!parsed || parsed.prefix === 'O') {
      close();
      return;
    }
    const continues = open !== undefined && !openEnded && open.type === parsed.type && open.end === index;
    if (parsed.prefix === 'B' || parsed.prefix === 'S' || parsed.prefix === 'U' || !continues) {
      close();
      open = { type: parsed.type, start: index, end: index + 1 };
    } else {
      open!.end = index + 1;
    }
    openEnded = parsed.prefix === 'E' || parsed.prefix === 'S' || parsed.prefix === 'L' || parsed.prefix === 'U';
  });
  close();
  return { entities, invalid };
}

/** IOB2 tags of entity runs over `length` tokens. */
export function encodeIob2(entities: readonly EntityRun[], length: number): string[] {
  const tags = new Array<string>(length).fill('O');
  for (const entity of entities) {
    for (let i = entity.start; i < entity.end; i++) tags[i] = `${i === entity.start ? 'B' : 'I'}-${entity.type}`;
  }
  return tags;
}

/** True when tags are valid IOB2: only O/B-/I-, and every I- continues an entity of its type. */
export function isIob2(tags: readonly string[]): boolean {
  let previous: ParsedTag | undefined;
  for (const tag of tags) {
    const parsed = parseTag(tag);
    if (!parsed || (parsed.prefix !== 'O' && parsed.prefix !== 'B' && parsed.prefix !== 'I')) return false;
    if (parsed.prefix === 'I' && (!previous || previous.prefix === 'O' || previous.type !== parsed.type)) return false;
    previous = parsed;
  }
  return true;
}

/** Rewrites tags of any scheme as IOB2; `changed` counts the tags that differ. */
export function toIob2(tags: readonly string[]): { tags: string[]; changed: number; invalid: number[] } {
  if (isIob2(tags)) return { tags: [...tags], changed: 0, invalid: [] };
  const { entities, invalid } = decodeEntities(tags);
  const converted = encodeIob2(entities, tags.length);
  let changed = 0;
  converted.forEach((tag, i) => {
    if (tag !== tags[i]) changed++;
  });
  return { tags: converted, changed, invalid };
}

export interface AlignmentIssue {
  /** Index of the span in the input array. */
  spanIndex: number;
  span: Span;
  documentPath?: string;
  reason: string;
  /** skipped: not encoded. snapped: encoded as `snappedTo`, widened to whole tokens. */
  action: 'skipped' | 'snapped';
  snappedTo?: Span;
}

export interface SpansToTagsOptions {
  /**
   * 'outward': a span that cuts a token is widened to whole tokens (and text no token covers at its
   * edges, such as a trailing space, is left out); each such span is reported as 'snapped'.
   * Default 'none': such spans are reported and skipped.
   */
  snap?: 'none' | 'outward';
  /** Named in issues so a report over many documents says which one. */
  documentPath?: string;
  /** The document text, to quote tokens in the reasons. */
  text?: string;
}

export interface SpansToTagsResult {
  tags: string[];
  /** The spans as encoded (snapped ones widened), in token order. */
  spans: Span[];
  issues: AlignmentIssue[];
}

/** Indices of the tokens that have a width, in text order (special tokens such as [SEP] left out). */
function textTokens(offsets: TokenOffsets): number[] {
  const indices: number[] = [];
  for (let t = 0; t < offsets.length; t++) if (offsets[t]![1] > offsets[t]![0]) indices.push(t);
  return indices.sort((a, b) => offsets[a]![0] - offsets[b]![0] || a - b);
}

/** Position in `order` of the first token whose end is after `offset`. */
function firstEndingAfter(offsets: TokenOffsets, order: readonly number[], offset: number): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (offsets[order[mid]!]![1] <= offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * IOB2 tags per token for character spans. A span must start where a token starts and end where a
 * token ends; otherwise it is reported and skipped, or widened with `snap: 'outward'`. Overlapping
 * spans cannot share tokens in BIO: the earlier (then the longer) one wins, the other is reported.
 */
export function spansToTags(spans: readonly Span[], offsets: TokenOffsets, options: SpansToTagsOptions = {}): SpansToTagsResult {
  const tags = new Array<string>(offsets.length).fill('O');
  const owner = new Array<number>(offsets.length).fill(-1);
  const encoded: Array<{ span: Span; token: number }> = [];
  const issues: AlignmentIssue[] = [];
  const { text, documentPath } = options;
  const quote = (token: number): string => {
    const [start, end] = offsets[token]!;
    return text === undefined ? `token ${token} [${start}, ${end})` : `token ${token} ${JSON.stringify(text.slice(start, end))} [${start}, ${end})`;
  };
  const report = (spanIndex: number, span: Span, reason: string, action: AlignmentIssue['action'], snappedTo?: Span): void => {
    const issue: AlignmentIssue = { spanIndex, span, reason, action };
    if (documentPath !== undefined) issue.documentPath = documentPath;
    if (snappedTo) issue.snappedTo = snappedTo;
    issues.push(issue);
  };

  const order = textTokens(offsets);
  const bySpan = spans.map((span, index) => ({ span, index }));
  bySpan.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  for (const { span, index } of bySpan) {
    if (!(span.start < span.end)) {
      report(index, span, `empty span [${span.start}, ${span.end})`, 'skipped');
      continue;
    }
    const covered: number[] = [];
    for (let p = firstEndingAfter(offsets, order, span.start); p < order.length && offsets[order[p]!]![0] < span.end; p++) {
      covered.push(order[p]!);
    }
    if (covered.length === 0) {
      report(index, span, `[${span.start}, ${span.end}) covers no token`, 'skipped');
      continue;
    }
    const first = covered[0]!;
    const last = covered[covered.length - 1]!;
    let target = span;
    const cuts: string[] = [];
    if (offsets[first]![0] < span.start) cuts.push(`starts inside ${quote(first)}`);
    if (offsets[first]![0] > span.start) cuts.push(`starts before ${quote(first)}, in text no token covers`);
    if (offsets[last]![1] > span.end) cuts.push(`ends inside ${quote(last)}`);
    if (offsets[last]![1] < span.end) cuts.push(`ends after ${quote(last)}, in text no token covers`);
    if (cuts.length > 0) {
      const reason = `[${span.start}, ${span.end}) ${span.label} ${cuts.join(' and ')}`;
      if (options.snap !== 'outward') {
        report(index, span, reason, 'skipped');
        continue;
      }
      // The tags can only mean whole tokens: widen cut tokens, drop uncovered text (whitespace) at the edges.
      target = { start: offsets[first]![0], end: offsets[last]![1], label: span.label };
    }
    const clash = covered.find((t) => owner[t]! >= 0);
    if (clash !== undefined) {
      const other = spans[owner[clash]!]!;
      report(index, span, `overlaps span ${owner[clash]} [${other.start}, ${other.end}) ${other.label} on ${quote(clash)}`, 'skipped');
      continue;
    }
    if (target !== span) report(index, span, `${cuts.join(' and ')}; widened to whole tokens`, 'snapped', target);
    covered.forEach((t, i) => {
      tags[t] = `${i === 0 ? 'B' : 'I'}-${span.label}`;
      owner[t] = index;
    });
    encoded.push({ span: target, token: first });
  }
  encoded.sort((a, b) => a.token - b.token);
  return { tags, spans: encoded.map((entry) => entry.span), issues };
}

export interface TagIssue {
  tokenIndex: number;
  message: string;
}

/**
 * Character spans from per-token tags (any scheme, read leniently as in `decodeEntities`): a span runs
 * from its first token's start to its last token's end.
 */
export function tagsToSpans(tags: readonly string[], offsets: TokenOffsets): { spans: Span[]; issues: TagIssue[] } {
  const issues: TagIssue[] = [];
  if (tags.length !== offsets.length) {
    issues.push({ tokenIndex: Math.min(tags.length, offsets.length), message: `${tags.length} tags for ${offsets.length} tokens` });
  }
  const usable = tags.slice(0, offsets.length);
  const { entities, invalid } = decodeEntities(usable);
  for (const index of invalid) issues.push({ tokenIndex: index, message: `invalid tag ${JSON.stringify(usable[index])} read as O` });
  const spans = entities.map((entity) => ({ start: offsets[entity.start]![0], end: offsets[entity.end - 1]![1], label: entity.type }));
  return { spans, issues };
}
