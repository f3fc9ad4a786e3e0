/** A piece of a document sent to the model: its text and where it starts in the document. */
export interface Segment {
  offset: number;
  text: string;
}

/**
 * What to analyse: the non-empty selections (merged where they overlap or touch, in document order),
 * or the whole document when nothing is selected. Offsets are UTF-16 offsets into `text`.
 */
export function segmentsToAnalyse(text: string, selections: ReadonlyArray<{ start: number; end: number }>): Segment[] {
  const ranges = selections
    .map(({ start, end }) => ({ start: Math.max(0, Math.min(start, end)), end: Math.min(text.length, Math.max(start, end)) }))
    .filter(({ start, end }) => end > start)
    .sort((a, b) => a.start - b.start);
  if (ranges.length === 0) return [{ offset: 0, text }];
  const merged: Array<{ start: number; end: number }> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map(({ start, end }) => ({ offset: start, text: text.slice(start, end) }));
}

/** True when every segment is empty or whitespace only: nothing for a model to find. */
export function segmentsAreBlank(segments: readonly Segment[]): boolean {
  return segments.every((segment) => segment.text.trim() === '');
}
