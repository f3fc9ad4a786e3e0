import type { CategoryScope, TextCategories } from '../../core/data/annotation';
import type { LabelScore } from '../../core/tasks/textClassification/postprocess';
import type { ScoreKind } from '../../worker/taskJobKinds';
import { predictedLabels } from '../tasks/classification/labelScores';

/**
 * Model in the loop for text categories: the results of Classify Document / Selection / Each
 * Paragraph proposed as category decisions, which the person accepts or corrects. Pure; the command
 * shows the proposals in a quick pick.
 */

/** One classification result of a document, as the classification feature keeps it. */
export interface ClassificationResult {
  scope: 'document' | 'selection' | 'paragraphs';
  scoreKind: ScoreKind;
  /** The multi-label threshold the result was read with. */
  threshold: number;
  /** The model's labels (config.id2label order): the options of a proposed decision. */
  labels: string[];
  modelDescription: string;
  spans: ReadonlyArray<{ start: number; end: number; text: string; results: readonly LabelScore[] }>;
}

/** Where the annotation side reads the current classification results of a document (key: its URI). */
export interface ClassificationSource {
  results(key: string): ClassificationResult[];
}

/** A late-bound ClassificationSource: the annotation feature is registered before the classification feature. */
export class ClassificationLink implements ClassificationSource {
  private source: ClassificationSource | undefined;

  connect(source: ClassificationSource): void {
    this.source = source;
  }

  results(key: string): ClassificationResult[] {
    return this.source?.results(key) ?? [];
  }
}

export interface CategoryProposal {
  categories: TextCategories;
  text: string;
  /** The person's decision already made for this range (or one overlapping it, same scope): kept over the proposal. */
  conflict?: TextCategories;
}

export interface ProposalPlan {
  proposals: CategoryProposal[];
  /** Results that cannot become categories (regression scores), one line each. */
  skipped: string[];
}

const SCOPE_OF: Record<ClassificationResult['scope'], CategoryScope> = { document: 'document', selection: 'selection', paragraphs: 'paragraph' };

/**
 * The decisions the results propose: options the model's labels, the labels that apply accepted (the
 * best for softmax scores, every one at or above the threshold for sigmoid scores, which makes the
 * decision multi-label). A range with a decision of the person's is marked as a conflict.
 */
export function planClassificationProposals(results: readonly ClassificationResult[], existing: readonly TextCategories[], textLength: number): ProposalPlan {
  const proposals: CategoryProposal[] = [];
  const skipped: string[] = [];
  for (const result of results) {
    if (result.scoreKind === 'none') {
      skipped.push(`the ${result.scope} result of ${result.modelDescription} holds raw scores (regression), not categories`);
      continue;
    }
    const scope = SCOPE_OF[result.scope];
    for (const span of result.spans) {
      const start = scope === 'document' ? 0 : span.start;
      const end = scope === 'document' ? textLength : span.end;
      if (end <= start && scope !== 'document') continue;
      const options = [...result.labels];
      for (const score of span.results) if (!options.includes(score.label)) options.push(score.label);
      const accept = predictedLabels(span.results, result).map((score) => score.label);
      const categories: TextCategories = { start, end, scope, options, multiLabel: result.scoreKind === 'sigmoid', accept };
      const conflict = existing.find((c) => c.scope === scope && (scope === 'document' || (c.start < end && c.end > start)));
      proposals.push({ categories, text: span.text, ...(conflict ? { conflict } : {}) });
    }
  }
  return { proposals, skipped };
}
