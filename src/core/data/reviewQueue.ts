import { labelProblem, type Span } from './annotation';
import { reviewKey } from './reviewKey';

/**
 * The label of an annotation that keeps every candidate off its range even with several labels per
 * range (an exclusive decision there, or one saying no label applies). Never a real label: labels
 * cannot hold line breaks (labelProblem).
 */
export const CLOSED_RANGE = '\n(closed)';

/** A model's proposal as the review sees it: an entity span with its type (no B-/I- prefix) and score. */
export interface ReviewCandidate {
  start: number;
  end: number;
  label: string;
  score: number;
  /** The document text the span covers. */
  text: string;
}

export type ReviewDecision = 'accepted' | 'rejected' | 'skipped';

export interface ReviewItem extends ReviewCandidate {
  /** See reviewKey: what a rejection remembers. */
  key: string;
  /** The label the model proposed (`label` is what an accept stores; "change label" changes it). */
  proposedLabel: string;
  decision?: ReviewDecision;
}

/** Why candidates were left out of the queue, for the message that starts a review. */
export interface ReviewLeftOut {
  belowThreshold: number;
  rejectedBefore: number;
  /** Exactly an annotation already (same range and label). */
  annotated: number;
  /** Overlapping an annotation with another range or label: the person's annotation is kept. */
  overlapping: number;
  /** Label "O", an invalid label or an empty span. */
  invalid: number;
}

export interface ReviewInput {
  text: string;
  candidates: readonly ReviewCandidate[];
  annotations: readonly Span[];
  /** Only candidates scoring at least this are proposed. */
  threshold: number;
  isRejected(key: string): boolean;
  /**
   * Several labels per range (multi-label text categories): candidates on the same range with other
   * labels are items of their own, and an annotation of exactly that range with another label does
   * not keep them out — the accept adds a label beside it. An annotation labelled CLOSED_RANGE
   * still keeps every candidate off its range. Default: one proposal per stretch of text (entities,
   * exclusive categories).
   */
  severalLabelsPerRange?: boolean;
}

/** A decision taken: what was decided before (to undo it) and after, on which item. */
export interface ReviewStep {
  item: ReviewItem;
  before: { decision?: ReviewDecision; label: string };
}

/**
 * The state of reviewing one document's predictions one by one (Prodigy's ner.correct, a span at a
 * time): a queue in document order, a cursor, and a decision per item. Pure: the host turns the
 * steps into annotations and remembered rejections.
 *
 * next/previous move over every item, decided or not, so that a decision can be looked at and
 * changed; accept/reject/skip decide the current item and move to the next undecided one (wrapping
 * round to skipped ones). "Reviewed" counts accepted and rejected items; a skipped one stays open.
 */
export class ReviewQueue {
  private cursor = 0;

  private constructor(
    private readonly list: ReviewItem[],
    readonly leftOut: ReviewLeftOut,
  ) {}

  static build(input: ReviewInput): ReviewQueue {
    const leftOut: ReviewLeftOut = { belowThreshold: 0, rejectedBefore: 0, annotated: 0, overlapping: 0, invalid: 0 };
    const items: ReviewItem[] = [];
    const several = input.severalLabelsPerRange === true;
    const sameRange = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start === b.start && a.end === b.end;
    // Stable: candidates of one range keep their order (a multi-label paragraph's labels, best first).
    const sorted = [...input.candidates].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const candidate of sorted) {
      if (candidate.label === 'O' || labelProblem(candidate.label) !== undefined || !(candidate.end > candidate.start)) {
        leftOut.invalid++;
        continue;
      }
      // NaN scores never pass.
      if (!(candidate.score >= input.threshold)) {
        leftOut.belowThreshold++;
        continue;
      }
      const key = reviewKey(input.text, candidate.start, candidate.end, candidate.label);
      if (input.isRejected(key)) {
        leftOut.rejectedBefore++;
        continue;
      }
      if (input.annotations.some((span) => span.start === candidate.start && span.end === candidate.end && span.label === candidate.label)) {
        leftOut.annotated++;
        continue;
      }
      const besideAllowed = (span: Span): boolean => several && sameRange(span, candidate) && span.label !== CLOSED_RANGE;
      if (input.annotations.some((span) => span.start < candidate.end && span.end > candidate.start && !besideAllowed(span))) {
        leftOut.overlapping++;
        continue;
      }
      // Two proposals on overlapping text (a merge of runs): the first one in document order is kept.
      // With several labels per range, another label of the same range is its own item (the same label twice is not).
      const previous = items[items.length - 1];
      if (previous && previous.end > candidate.start) {
        const another = several && sameRange(previous, candidate) && !items.some((item) => sameRange(item, candidate) && item.label === candidate.label);
        if (!another) {
          leftOut.overlapping++;
          continue;
        }
      }
      items.push({ ...candidate, key, proposedLabel: candidate.label });
    }
    return new ReviewQueue(items, leftOut);
  }

  get items(): readonly ReviewItem[] {
    return this.list;
  }

  get index(): number {
    return this.cursor;
  }

  current(): ReviewItem | undefined {
    return this.list[this.cursor];
  }

  get total(): number {
    return this.list.length;
  }

  get reviewed(): number {
    return this.list.filter((item) => item.decision === 'accepted' || item.decision === 'rejected').length;
  }

  /** True when every item is accepted or rejected. */
  get done(): boolean {
    return this.reviewed === this.list.length;
  }

  /** "12 / 40 reviewed". */
  progress(): string {
    return `${this.reviewed} / ${this.total} reviewed`;
  }

  /** Moves to the next item (stays on the last). Returns the item now current. */
  next(): ReviewItem | undefined {
    if (this.cursor < this.list.length - 1) this.cursor++;
    return this.current();
  }

  previous(): ReviewItem | undefined {
    if (this.cursor > 0) this.cursor--;
    return this.current();
  }

  accept(): ReviewStep | undefined {
    return this.decide('accepted');
  }

  reject(): ReviewStep | undefined {
    return this.decide('rejected');
  }

  skip(): ReviewStep | undefined {
    return this.decide('skipped');
  }

  /** Accepts the current item with another label. Throws on a label the store cannot hold. */
  acceptAs(label: string): ReviewStep | undefined {
    const problem = labelProblem(label);
    if (problem) throw new Error(problem);
    return this.decide('accepted', label);
  }

  /**
   * Follows an edit of the document: `move` maps a span to its new place, or undefined when the
   * edit touched its text; such items leave the queue (their text is not what the model saw).
   * `text` is the document after the edit, for the keys. Returns the items that left.
   */
  moveItems(move: (span: { start: number; end: number }) => { start: number; end: number } | undefined, text: string): ReviewItem[] {
    const kept: ReviewItem[] = [];
    const dropped: ReviewItem[] = [];
    let cursor = -1;
    this.list.forEach((item, i) => {
      const moved = move(item);
      if (!moved) {
        dropped.push(item);
        return;
      }
      // The cursor stays on its item, or goes to the item that followed it when it left.
      if (cursor < 0 && i >= this.cursor) cursor = kept.length;
      const same = moved.start === item.start && moved.end === item.end;
      kept.push(same ? item : { ...item, start: moved.start, end: moved.end, key: reviewKey(text, moved.start, moved.end, item.proposedLabel) });
    });
    this.list.splice(0, this.list.length, ...kept);
    this.cursor = cursor >= 0 ? cursor : Math.max(0, kept.length - 1);
    return dropped;
  }

  private decide(decision: ReviewDecision, label?: string): ReviewStep | undefined {
    const item = this.list[this.cursor];
    if (!item) return undefined;
    const before = { decision: item.decision, label: item.label };
    const decided: ReviewItem = { ...item, decision, label: label ?? (decision === 'accepted' ? item.label : item.proposedLabel) };
    this.list[this.cursor] = decided;
    this.advance();
    return { item: decided, before };
  }

  /** To the next item without a decision (or skipped) after the cursor, wrapping; stays when none. */
  private advance(): void {
    const count = this.list.length;
    for (let step = 1; step <= count; step++) {
      const i = (this.cursor + step) % count;
      const decision = this.list[i]!.decision;
      if (decision === undefined) {
        this.cursor = i;
        return;
      }
    }
    for (let step = 1; step < count; step++) {
      const i = (this.cursor + step) % count;
      if (this.list[i]!.decision === 'skipped') {
        this.cursor = i;
        return;
      }
    }
  }
}
