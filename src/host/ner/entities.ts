import type { ModelInfo } from '../../worker/jobKinds';
import type { TokenClassificationResult } from '../../core/tasks/tokenClassification/types';
import { entityType } from './labelColors';
import type { Segment } from './segments';
import { mapSpanThroughChanges, type Span, type TextChange } from './textChanges';

/** A recognised entity as the editor keeps it: document offsets plus what hovers and the tree show. */
export interface DocumentEntity {
  /** Stable while the entity lives (offsets change with edits; tree items refer to this). */
  id: number;
  start: number;
  end: number;
  /** HF `entity_group` (grouping strategies) or `entity` (strategy none, e.g. `B-PER`). */
  label: string;
  /** The label without its B-/I- prefix; what colours and tree groups go by. */
  type: string;
  score: number;
  /** HF `word`: the decoded tokens (lower-cased by uncased models). */
  word: string;
  /** The document text the span covered when the model ran; checked whenever the span is moved. */
  text: string;
}

/** The entities shown for one document and the model that produced them. */
export interface DocumentEntities {
  model: ModelInfo;
  /** How the status bar and hovers name the model, e.g. "bundled (untrained demo)". */
  modelDescription: string;
  /** Sorted by start; spans do not overlap. */
  entities: DocumentEntity[];
}

let lastId = 0;
function nextId(): number {
  return ++lastId;
}

function labelOf(result: TokenClassificationResult): string {
  return 'entity_group' in result ? result.entity_group : result.entity;
}

/**
 * Turns the worker's per-segment results (offsets into each segment's text) into entities with
 * offsets into the document snapshot the segments were cut from.
 */
export function entitiesFromResults(results: readonly TokenClassificationResult[][], segments: readonly Segment[], snapshot: string): DocumentEntity[] {
  if (results.length !== segments.length) throw new Error(`expected results for ${segments.length} segments, got ${results.length}`);
  const entities: DocumentEntity[] = [];
  results.forEach((segmentResults, i) => {
    const { offset, text } = segments[i]!;
    for (const result of segmentResults) {
      if (!(result.start >= 0 && result.end > result.start && result.end <= text.length)) continue;
      const start = offset + result.start;
      const end = offset + result.end;
      const label = labelOf(result);
      entities.push({ id: nextId(), start, end, label, type: entityType(label), score: result.score, word: result.word, text: snapshot.slice(start, end) });
    }
  });
  return entities.sort((a, b) => a.start - b.start);
}

export interface Reanchored {
  entities: DocumentEntity[];
  /** Entities whose text was edited (or could not be found where the edits put it). */
  dropped: DocumentEntity[];
}

/**
 * Moves entities through the edits made since they were computed. An entity survives only when no
 * edit touched its text and — when `currentText` is given — the text at its new place is exactly
 * the text it had: a result is never shown at a wrong place, even if an edit was missed.
 */
export function reanchorEntities(entities: readonly DocumentEntity[], changes: readonly TextChange[], currentText?: string): Reanchored {
  const kept: DocumentEntity[] = [];
  const dropped: DocumentEntity[] = [];
  for (const entity of entities) {
    const span = changes.length === 0 ? entity : mapSpanThroughChanges(entity, changes);
    if (span && (currentText === undefined || currentText.slice(span.start, span.end) === entity.text)) {
      kept.push(span === entity ? entity : { ...entity, start: span.start, end: span.end });
    } else {
      dropped.push(entity);
    }
  }
  return { entities: kept, dropped };
}

/** A document offset through edits; an offset inside replaced text goes to the replacement's start or end. */
export function mapOffset(offset: number, changes: readonly TextChange[], side: 'start' | 'end'): number {
  let current = offset;
  for (const change of changes) {
    const changeEnd = change.rangeOffset + change.rangeLength;
    if (current <= change.rangeOffset) continue;
    if (current >= changeEnd) current += change.text.length - change.rangeLength;
    else current = side === 'start' ? change.rangeOffset : change.rangeOffset + change.text.length;
  }
  return current;
}

/**
 * The entities after analysing some ranges again: those of `previous` that overlap a range are
 * replaced by `fresh`; the rest stay. Both lists are in current document offsets.
 */
export function replaceInRanges(previous: readonly DocumentEntity[], fresh: readonly DocumentEntity[], ranges: readonly Span[]): DocumentEntity[] {
  const overlaps = (entity: DocumentEntity): boolean => ranges.some((range) => entity.start < range.end && entity.end > range.start);
  return [...previous.filter((entity) => !overlaps(entity)), ...fresh].sort((a, b) => a.start - b.start);
}

/** The entity covering `offset` (the character at that offset), by binary search over sorted spans. */
export function entityAt(entities: readonly DocumentEntity[], offset: number): DocumentEntity | undefined {
  let low = 0;
  let high = entities.length - 1;
  let candidate = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (entities[middle]!.start <= offset) {
      candidate = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  const entity = candidate >= 0 ? entities[candidate] : undefined;
  return entity && offset < entity.end ? entity : undefined;
}
