import type { TextCategories } from './annotation';
import { KappaCounter, type KappaResult } from './agreementKappa';

/**
 * Text-category agreement within one document. Decisions (Prodigy textcat shape, see
 * textcatShape.ts) are compared when both sides made one on the same range with the same scope
 * (the whole document, a paragraph, a selection); a decision only one side made is a disagreement
 * and takes no part in κ. Two κ values:
 * - per label: every label offered by either side on a compared range is one yes/no item (did the
 *   annotator accept it?); pooled over labels and per label. This reads multi-label, exclusive and
 *   binary (`{"label","answer"}`) decisions alike.
 * - exclusive: ranges where both sides made an exclusive choice, the item's category being the
 *   accepted label (or none): the usual κ of single-label classification.
 */

export interface CategoryComparison {
  pairs: Array<{ a: TextCategories; b: TextCategories }>;
  onlyA: TextCategories[];
  onlyB: TextCategories[];
}

const rangeKey = (c: TextCategories): string => `${c.scope}:${c.start}:${c.end}`;

export function compareCategoryDecisions(a: readonly TextCategories[], b: readonly TextCategories[]): CategoryComparison {
  const byRange = new Map(b.map((decision) => [rangeKey(decision), decision]));
  const pairs: CategoryComparison['pairs'] = [];
  const onlyA: TextCategories[] = [];
  for (const decision of a) {
    const other = byRange.get(rangeKey(decision));
    if (other) {
      pairs.push({ a: decision, b: other });
      byRange.delete(rangeKey(decision));
    } else onlyA.push(decision);
  }
  return { pairs, onlyA, onlyB: [...byRange.values()] };
}

export function sameAccepted(a: TextCategories, b: TextCategories): boolean {
  return a.accept.length === b.accept.length && a.accept.every((label) => b.accept.includes(label));
}

export interface CategoryKappa {
  /** Yes/no per offered label, pooled over labels. */
  labels: KappaResult;
  perLabel: Record<string, KappaResult>;
  /** Accepted label (or none) where both sides chose exclusively. */
  exclusive: KappaResult;
}

export class CategoryKappaCounter {
  private readonly pooled = new KappaCounter();
  private readonly exclusive = new KappaCounter();
  private readonly perLabel = new Map<string, KappaCounter>();

  add(a: TextCategories, b: TextCategories): void {
    for (const label of new Set([...a.options, ...b.options])) {
      const yesA = a.accept.includes(label) ? 'yes' : 'no';
      const yesB = b.accept.includes(label) ? 'yes' : 'no';
      this.pooled.add(yesA, yesB);
      let counter = this.perLabel.get(label);
      if (!counter) this.perLabel.set(label, (counter = new KappaCounter()));
      counter.add(yesA, yesB);
    }
    // '' stands for "no label accepted": labels are never empty (labelProblem).
    if (!a.multiLabel && !b.multiLabel) this.exclusive.add(a.accept[0] ?? '', b.accept[0] ?? '');
  }

  result(): CategoryKappa {
    const perLabel: Record<string, KappaResult> = {};
    for (const label of [...this.perLabel.keys()].sort()) perLabel[label] = this.perLabel.get(label)!.result();
    return { labels: this.pooled.result(), perLabel, exclusive: this.exclusive.result() };
  }
}
