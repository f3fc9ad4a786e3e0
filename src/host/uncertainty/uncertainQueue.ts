import type { UncertainUnitResult } from '../../worker/jobKinds';
import { formatScore, lineNumberAt, oneLine } from '../tasks/shared/presentation';

/** A text that was ranked: where it comes from and the exact text the model read. */
export interface RankedDocument {
  /** The document's URI as a string. */
  key: string;
  /** How the queue names it: a workspace-relative path. */
  label: string;
  text: string;
}

/** One entry of the Uncertain view, most uncertain first. */
export interface UncertainItem {
  key: string;
  label: string;
  /** 1-based line of the unit's start when it was ranked. */
  line: number;
  start: number;
  end: number;
  /** The unit's text when it was ranked (to find it again after edits). */
  text: string;
  score: number;
  words?: number;
}

/** Items in the job's ranking order; units of a text the documents do not have are left out. */
export function queueItems(documents: readonly RankedDocument[], units: readonly UncertainUnitResult[], ranking: readonly number[]): UncertainItem[] {
  const items: UncertainItem[] = [];
  for (const index of ranking) {
    const unit = units[index];
    const document = unit && documents[unit.text];
    if (!unit || !document) continue;
    items.push({
      key: document.key,
      label: document.label,
      line: lineNumberAt(document.text, unit.start),
      start: unit.start,
      end: unit.end,
      text: document.text.slice(unit.start, unit.end),
      score: unit.score,
      words: unit.words,
    });
  }
  return items;
}

/** The first words of a unit, for the tree: whole words up to about `maxChars` characters. */
export function firstWords(text: string, maxChars = 48): string {
  const flat = oneLine(text, Number.MAX_SAFE_INTEGER);
  if (flat.length <= maxChars) return flat;
  const cut = flat.lastIndexOf(' ', maxChars);
  return `${flat.slice(0, cut > maxChars / 2 ? cut : maxChars)}…`;
}

/** "notes/a.txt:12 · 0.873": file, line and score, as the tree's description. */
export function itemDescription(item: UncertainItem): string {
  return `${item.label}:${item.line} · ${formatScore(item.score)}`;
}

/**
 * Where the item's text is in the document now: at its offsets when they still hold it, else the
 * occurrence nearest to them (text inserted or deleted before it moved it), else undefined (the
 * sentence itself was edited).
 */
export function locateItem(current: string, item: Pick<UncertainItem, 'start' | 'end' | 'text'>): { start: number; end: number } | undefined {
  if (item.text === '') return undefined;
  if (current.slice(item.start, item.end) === item.text) return { start: item.start, end: item.end };
  let best: number | undefined;
  for (let at = current.indexOf(item.text); at >= 0; at = current.indexOf(item.text, at + 1)) {
    if (best === undefined || Math.abs(at - item.start) < Math.abs(best - item.start)) best = at;
    if (at > item.start) break; // later occurrences are only further away
  }
  return best === undefined ? undefined : { start: best, end: best + item.text.length };
}

/**
 * The position in the queue: Next Uncertain moves to the next item not visited yet, in ranked order;
 * the tree can jump anywhere. Undefined `next()` = every item was visited.
 */
export class QueueCursor {
  private current: number | undefined;
  private readonly visited = new Set<number>();

  constructor(readonly length: number) {}

  get position(): number | undefined {
    return this.current;
  }

  get visitedCount(): number {
    return this.visited.size;
  }

  isVisited(index: number): boolean {
    return this.visited.has(index);
  }

  /** Marks `index` as the current item (a click in the tree). */
  visit(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) throw new RangeError(`queue index ${index} out of 0..${this.length - 1}`);
    this.current = index;
    this.visited.add(index);
  }

  /** The first unvisited item after the current one, wrapping round; undefined when all were visited. */
  next(): number | undefined {
    const from = this.current === undefined ? 0 : this.current + 1;
    for (let k = 0; k < this.length; k++) {
      const index = (from + k) % this.length;
      if (!this.visited.has(index)) {
        this.visit(index);
        return index;
      }
    }
    return undefined;
  }
}
