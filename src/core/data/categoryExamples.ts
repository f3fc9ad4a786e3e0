import type { AnnotatedDocument, TextCategories } from './annotation';

/**
 * Classification training examples from annotated documents: every text-category decision is one
 * example, its text the range it covers (a paragraph, a selection, the whole document) and its
 * labels the accepted ones — what Prodigy's `data-to-spacy` makes of textcat answers.
 */

/** Which decisions become examples: the whole documents', the paragraphs' and selections', or all. */
export const CATEGORY_EXAMPLE_UNITS = ['all', 'paragraph', 'document'] as const;
export type CategoryExampleUnit = (typeof CATEGORY_EXAMPLE_UNITS)[number];

export type CategoryProblemType = 'single_label_classification' | 'multi_label_classification';

export interface CategoryExample {
  text: string;
  /** The accepted label (single-label), or the accepted labels joined by ", " (for summaries only). */
  label: string;
  /** Every accepted label; empty for a multi-label example where none applies. */
  labels: string[];
  /** 1-based number of the example, as a file's line number is used in messages. */
  line: number;
  /** Where it comes from: `path [start, end)`. */
  source: string;
}

export interface CategoryExampleSet {
  examples: CategoryExample[];
  /** Every label the decisions used offer or accept, in order of first appearance. */
  labels: string[];
  /** HF `problem_type`: multi-label as soon as one decision used is multi-label. */
  problemType: CategoryProblemType;
  /** Decisions left out, one line each (why). */
  skipped: string[];
}

function usedByUnit(categories: TextCategories, unit: CategoryExampleUnit): boolean {
  if (unit === 'all') return true;
  return unit === 'document' ? categories.scope === 'document' : categories.scope !== 'document';
}

export function hasCategoryAnnotations(documents: readonly AnnotatedDocument[]): boolean {
  return documents.some((document) => (document.categories ?? []).length > 0);
}

/**
 * The examples of the documents' decisions (documents in the order given, decisions in document
 * order). Single-label: a decision with exactly one accepted label; a rejected binary decision or a
 * choice left empty says only what does not apply and is skipped. Multi-label: every decision, the
 * labels not accepted (offered or not) being 0, as in HF's multi-hot `labels`.
 */
export function categoryExamples(documents: readonly AnnotatedDocument[], options: { unit?: CategoryExampleUnit } = {}): CategoryExampleSet {
  const unit = options.unit ?? 'all';
  const decisions: Array<{ document: AnnotatedDocument; categories: TextCategories }> = [];
  for (const document of documents) {
    const sorted = [...(document.categories ?? [])].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const categories of sorted) if (usedByUnit(categories, unit)) decisions.push({ document, categories });
  }
  const multiLabel = decisions.some(({ categories }) => categories.multiLabel);
  const labels: string[] = [];
  const examples: CategoryExample[] = [];
  const skipped: string[] = [];
  for (const { document, categories } of decisions) {
    for (const label of [...categories.options, ...categories.accept]) if (!labels.includes(label)) labels.push(label);
    const source = `${document.meta.path} [${categories.start}, ${categories.end})`;
    const text = document.text.slice(categories.start, categories.end);
    if (text.trim() === '') {
      skipped.push(`${source}: the ${categories.scope} has no text`);
      continue;
    }
    if (!multiLabel && categories.accept.length !== 1) {
      skipped.push(`${source}: no label accepted (${categories.options.join(', ')} rejected), which a single-label example cannot say`);
      continue;
    }
    examples.push({ text, label: categories.accept.join(', '), labels: [...categories.accept], line: examples.length + 1, source });
  }
  return { examples, labels, problemType: multiLabel ? 'multi_label_classification' : 'single_label_classification', skipped };
}
