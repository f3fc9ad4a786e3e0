/**
 * Offsets through edits. A change replaces `rangeLength` UTF-16 code units at `rangeOffset` with
 * `text` — the shape of vscode.TextDocumentContentChangeEvent, as plain data so it is testable
 * without VS Code. The changes of one document event are applied one after the other, each against
 * the text the previous one left (this is how VS Code's extension host applies them).
 */
export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Where a span is after one change, or undefined when the change touches its text. Text inserted
 * exactly at the span's start goes before it and text inserted at its end goes after it (the span
 * never grows: a prediction covers the text the model saw, nothing else).
 */
export function mapSpanThroughChange(span: Span, change: TextChange): Span | undefined {
  if (change.rangeLength === 0 && change.text === '') return span; // an empty edit changes nothing
  const changeEnd = change.rangeOffset + change.rangeLength;
  if (changeEnd <= span.start) {
    const delta = change.text.length - change.rangeLength;
    return { start: span.start + delta, end: span.end + delta };
  }
  if (change.rangeOffset >= span.end) return span;
  return undefined;
}

export function mapSpanThroughChanges(span: Span, changes: readonly TextChange[]): Span | undefined {
  let current: Span | undefined = span;
  for (const change of changes) {
    current = mapSpanThroughChange(current, change);
    if (!current) return undefined;
  }
  return current;
}

/** The text after applying changes in order (what the document holds afterwards); used by tests and checks. */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let result = text;
  for (const change of changes) {
    result = result.slice(0, change.rangeOffset) + change.text + result.slice(change.rangeOffset + change.rangeLength);
  }
  return result;
}
