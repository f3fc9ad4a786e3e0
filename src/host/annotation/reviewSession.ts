import type { Span } from '../../core/data/annotation';
import { ReviewQueue, type ReviewCandidate, type ReviewItem, type ReviewLeftOut, type ReviewStep } from '../../core/data/reviewQueue';
import { ReviewRejections } from '../../core/data/reviewRejections';
import type { DocumentEntity } from '../ner/entities';
import { entityType } from '../ner/labelColors';
import { mapSpanThroughChanges, type TextChange } from '../ner/textChanges';
import { joinTokenPredictions } from './acceptPredictions';
import type { AnnotationModel } from './annotationModel';
import type { DocumentLocation } from './workspacePath';

/**
 * The review candidates of a document's entities: tokens of strategy "none" joined into entities
 * (as Accept Predictions does), each scored with the mean of its tokens' scores (HF's "average"
 * aggregation), labelled with the entity type.
 */
export function reviewCandidates(entities: readonly DocumentEntity[], documentGap: (from: number, to: number) => string): ReviewCandidate[] {
  const joined = joinTokenPredictions(entities, documentGap);
  return joined.map((prediction) => {
    const parts = entities.filter((entity) => entity.start >= prediction.start && entity.end <= prediction.end);
    const score = parts.length > 0 ? parts.reduce((sum, entity) => sum + entity.score, 0) / parts.length : Number.NaN;
    return { start: prediction.start, end: prediction.end, label: entityType(prediction.label), score, text: prediction.text };
  });
}

/** One line about what a review starts with (and what it left out, and why). */
export function describeStart(queue: ReviewQueue, threshold: number): string {
  const left: ReviewLeftOut = queue.leftOut;
  const parts: string[] = [];
  if (left.belowThreshold > 0) parts.push(`${left.belowThreshold} below the threshold ${threshold}`);
  if (left.rejectedBefore > 0) parts.push(`${left.rejectedBefore} rejected before`);
  if (left.annotated > 0) parts.push(`${left.annotated} already annotated`);
  if (left.overlapping > 0) parts.push(`${left.overlapping} overlapping an annotation`);
  if (left.invalid > 0) parts.push(`${left.invalid} with label O or an invalid label`);
  const head = queue.total === 0 ? 'no predictions to review' : `${queue.total} prediction${queue.total === 1 ? '' : 's'} to review`;
  return parts.length > 0 ? `${head} (left out: ${parts.join(', ')})` : head;
}

/** What the current item says after its text in the editor: its label, score and decision. */
export function itemCaption(item: ReviewItem): string {
  const score = Number.isFinite(item.score) ? item.score.toFixed(2) : '?';
  const label = item.label === item.proposedLabel ? item.label : `${item.proposedLabel} → ${item.label}`;
  return ` ${label} ${score}${item.decision ? ` · ${item.decision}` : ''}`;
}

/** The rejection file of each workspace folder, opened once (a failed open is tried again next time). */
export class RejectionStores {
  private readonly stores = new Map<string, Promise<ReviewRejections>>();

  constructor(private readonly openStore: (folderDir: string) => Promise<ReviewRejections> = (dir) => ReviewRejections.open(dir)) {}

  storeFor(folderDir: string): Promise<ReviewRejections> {
    let store = this.stores.get(folderDir);
    if (!store) {
      store = this.openStore(folderDir);
      store.catch(() => this.stores.delete(folderDir));
      this.stores.set(folderDir, store);
    }
    return store;
  }
}

export interface ReviewDocument {
  key: string;
  location: DocumentLocation;
  getText(): string;
}

/**
 * What the decisions of a review turn into: spans (NER predictions) or text categories
 * (classification results). `annotations` are the person's decisions already made, which the queue
 * never proposes over.
 */
export interface ReviewTarget {
  annotations(): Promise<Span[] | undefined>;
  /** The item accepted with `label`. */
  apply(item: ReviewItem, label: string): Promise<void>;
  /** An earlier accept with `label` taken back (if the person has not changed it since). */
  undo(item: ReviewItem, label: string): Promise<void>;
  /** Several labels per range, each its own item (multi-label categories; see ReviewInput). */
  severalLabelsPerRange?: boolean;
}

/** Accepted predictions become span annotations. */
export function spanTarget(model: AnnotationModel, document: ReviewDocument): ReviewTarget {
  return {
    async annotations() {
      if (!model.has(document.key)) await model.open(document);
      return (await model.ready(document.key))?.toSpans();
    },
    async apply(item, label) {
      await model.label(document.key, [{ start: item.start, end: item.end, text: document.getText().slice(item.start, item.end) }], label);
    },
    async undo(item, label) {
      const made = model.get(document.key)?.spans.filter((span) => span.start === item.start && span.end === item.end && span.label === label) ?? [];
      if (made.length > 0) await model.remove(document.key, new Set(made.map((span) => span.id)));
    },
  };
}

/**
 * Reviewing one open document: the queue (core/data/reviewQueue) plus what each decision does —
 * an accept becomes an annotation through the target (saved to the store like any label), a
 * reject is remembered in `.bert-lens/review.json`. Changing a decision undoes the earlier one.
 * No VS Code here: the editor adapter (registerReview) calls it and draws what it says.
 */
export class ReviewSession {
  private constructor(
    readonly document: ReviewDocument,
    readonly queue: ReviewQueue,
    private readonly target: ReviewTarget,
    private readonly rejections: ReviewRejections,
    /** What "change label" offers: undefined for the workspace's span labels. */
    readonly labelChoices: readonly string[] | undefined,
  ) {}

  /** Undefined when the document's annotations cannot be read (the model has said why). */
  static async start(options: {
    document: ReviewDocument;
    model: AnnotationModel;
    rejections: ReviewRejections;
    candidates: readonly ReviewCandidate[];
    threshold: number;
    /** Default: accepted predictions become spans. */
    target?: ReviewTarget;
    labelChoices?: readonly string[];
  }): Promise<ReviewSession | undefined> {
    const { document, model, rejections } = options;
    const target = options.target ?? spanTarget(model, document);
    const annotations = await target.annotations();
    if (!annotations) return undefined;
    const queue = ReviewQueue.build({
      text: document.getText(),
      candidates: options.candidates,
      annotations,
      threshold: options.threshold,
      isRejected: (key) => rejections.has(key),
      ...(target.severalLabelsPerRange ? { severalLabelsPerRange: true } : {}),
    });
    return new ReviewSession(document, queue, target, rejections, options.labelChoices);
  }

  current(): ReviewItem | undefined {
    return this.queue.current();
  }

  next(): ReviewItem | undefined {
    return this.queue.next();
  }

  previous(): ReviewItem | undefined {
    return this.queue.previous();
  }

  accept(): Promise<ReviewStep | undefined> {
    return this.carryOut(this.queue.accept());
  }

  acceptAs(label: string): Promise<ReviewStep | undefined> {
    return this.carryOut(this.queue.acceptAs(label));
  }

  reject(): Promise<ReviewStep | undefined> {
    return this.carryOut(this.queue.reject());
  }

  skip(): Promise<ReviewStep | undefined> {
    return this.carryOut(this.queue.skip());
  }

  /** Follows a document edit (see ReviewQueue.moveItems). */
  applyEdit(changes: readonly TextChange[]): ReviewItem[] {
    if (changes.length === 0) return [];
    return this.queue.moveItems((span) => mapSpanThroughChanges(span, changes), this.document.getText());
  }

  private async carryOut(step: ReviewStep | undefined): Promise<ReviewStep | undefined> {
    if (!step) return undefined;
    const { item, before } = step;
    // Another item of the same range accepted with that label (multi-label: "change label" to a label also proposed on its own) keeps it.
    const keptByAnother = this.queue.items.some((other) => other.key !== item.key && other.start === item.start && other.end === item.end && other.decision === 'accepted' && other.label === before.label);
    if (before.decision === 'accepted' && !(item.decision === 'accepted' && item.label === before.label) && !keptByAnother) await this.target.undo(item, before.label);
    if (before.decision === 'rejected' && item.decision !== 'rejected') await this.rejections.remove([item.key]);
    if (item.decision === 'accepted' && !(before.decision === 'accepted' && before.label === item.label)) await this.target.apply(item, item.label);
    if (item.decision === 'rejected' && before.decision !== 'rejected') {
      await this.rejections.add([{ key: item.key, label: item.proposedLabel, text: item.text, path: this.document.location.path }]);
    }
    return step;
  }
}
