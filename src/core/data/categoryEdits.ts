import { paragraphRanges } from '../tasks/textClassification/paragraphs';
import type { CategoryScope, TextCategories } from './annotation';

/**
 * How a text-category decision is made and changed in the editor, without VS Code: which range a
 * command labels, what a choice or a key does to the decision already there, and the badge text.
 */

/** A label set for text categories: exclusive (one label per range, Prodigy's choice_style single) or multi-label. */
export interface CategorySet {
  labels: string[];
  exclusive: boolean;
}

export interface CategoryRange {
  start: number;
  end: number;
  scope: CategoryScope;
}

/**
 * The paragraph (text between blank lines, surrounding white space excluded; the same paragraphs as
 * Classify Each Paragraph) that holds `offset`, or touches it (a caret at its end). Undefined in a
 * blank gap. Works on CRLF text: offsets are UTF-16 offsets into the exact text.
 */
export function paragraphAt(text: string, offset: number): CategoryRange | undefined {
  for (const [start, end] of paragraphRanges(text)) {
    if (offset >= start && offset <= end) return { start, end, scope: 'paragraph' };
    if (start > offset) break;
  }
  return undefined;
}

/** The range of a selection without the white space at its edges; undefined when only white space is selected. */
export function selectionRange(text: string, start: number, end: number): CategoryRange | undefined {
  let from = Math.max(0, Math.min(start, end));
  let to = Math.min(text.length, Math.max(start, end));
  while (from < to && /\s/.test(text[from]!)) from++;
  while (to > from && /\s/.test(text[to - 1]!)) to--;
  return to > from ? { start: from, end: to, scope: 'selection' } : undefined;
}

export function documentRange(text: string): CategoryRange {
  return { start: 0, end: text.length, scope: 'document' };
}

/** The options a new or changed decision offers: its earlier options, then the set's labels, then the chosen ones. */
function optionsFor(existing: TextCategories | undefined, set: CategorySet, chosen: readonly string[]): string[] {
  const options: string[] = [];
  for (const label of [...(existing?.options ?? []), ...set.labels, ...chosen]) if (!options.includes(label)) options.push(label);
  return options;
}

/**
 * The decision after the user picked `chosen` for a range (the quick pick): the accepted labels are
 * exactly `chosen`. An exclusive set takes at most one (the first). Nothing chosen removes the
 * decision (undefined): "no category" is the absence of one, as for spans.
 */
export function chooseCategories(
  existing: TextCategories | undefined,
  range: CategoryRange,
  set: CategorySet,
  chosen: readonly string[],
): TextCategories | undefined {
  const unique = [...new Set(chosen)];
  const accept = set.exclusive ? unique.slice(0, 1) : unique;
  if (accept.length === 0) return undefined;
  return { start: range.start, end: range.end, scope: range.scope, options: optionsFor(existing, set, accept), multiLabel: !set.exclusive, accept };
}

/**
 * The decision after a key gave `label` to a range (annotation mode): in an exclusive set the label
 * replaces the one accepted (the same label again takes it off); in a multi-label set it is toggled.
 * A decision left without labels is removed (undefined).
 */
export function toggleCategory(existing: TextCategories | undefined, range: CategoryRange, set: CategorySet, label: string): TextCategories | undefined {
  const current = existing?.accept ?? [];
  let accept: string[];
  if (set.exclusive) accept = current.length === 1 && current[0] === label ? [] : [label];
  else accept = current.includes(label) ? current.filter((other) => other !== label) : [...current, label];
  return chooseCategories(existing, range, set, accept);
}

/** The label set offered: the configured labels, then those the workspace's decisions use, without repeats. */
export function categoryLabelSet(configured: readonly string[], used: readonly string[]): string[] {
  const labels: string[] = [];
  for (const label of [...configured, ...used]) if (!labels.includes(label)) labels.push(label);
  return labels;
}

/** The accepted labels of a decision in a few words ("sports, politics"; "none of sports, politics"). */
export function acceptedText(categories: TextCategories): string {
  return categories.accept.length > 0 ? categories.accept.join(', ') : `none of ${categories.options.join(', ')}`;
}

/**
 * The text of a decision's badge at the end of its paragraph: the accepted labels, marked by scope
 * ("▸ sports, politics" for a paragraph, "▸ selection: sports", "▸ document: sports"). Plain text: the
 * editor shows it as decoration content text, never as markup.
 */
export function categoryBadgeText(categories: TextCategories): string {
  const labels = acceptedText(categories);
  const scope = categories.scope === 'paragraph' ? '' : `${categories.scope}: `;
  return `\u25b8 ${scope}${labels}`;
}

/** Where a decision's badge goes: the end of its range's first line for a document, else the end of its range. */
export function badgeAnchor(text: string, categories: TextCategories): number {
  if (categories.scope !== 'document') return categories.end;
  const firstBreak = text.search(/\r?\n/);
  return firstBreak < 0 ? text.length : firstBreak;
}

/** One badge: where it goes and its text (shown as decoration content text: plain text, never markup). */
export interface CategoryBadge {
  anchor: number;
  text: string;
}

/** The badges of a document's decisions, in document order; two at the same place are joined. */
export function categoryBadges(text: string, decisions: readonly TextCategories[]): CategoryBadge[] {
  const byAnchor = new Map<number, string[]>();
  for (const decision of decisions) {
    const anchor = badgeAnchor(text, decision);
    byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), categoryBadgeText(decision)]);
  }
  return [...byAnchor.entries()].sort((a, b) => a[0] - b[0]).map(([anchor, texts]) => ({ anchor, text: texts.join('  ') }));
}
