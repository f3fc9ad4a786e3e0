import { DocumentStore } from '../../documentStore';
import type { TextChange } from '../../ner/textChanges';
import { reanchorSpans, spanAt, type AnchoredSpan } from './anchoredSpans';

/** The spans a feature shows in one document, with what describes them all (the model, the question). */
export interface DocumentSpans<T extends AnchoredSpan, Info> {
  info: Info;
  spans: T[];
}

/**
 * Results shown per document (key: the document URI as a string), kept in step with edits: spans
 * move with the text around them and one whose text is edited is dropped. Listeners hear about every
 * change of a document's spans (decorations).
 */
export class SpanStore<T extends AnchoredSpan, Info> extends DocumentStore<DocumentSpans<T, Info>> {
  /**
   * Follows one edit event of a document. Listeners are told only when a span was dropped: VS Code
   * moves decorations with the text on its own. A document left without spans is forgotten.
   */
  applyChanges(key: string, changes: readonly TextChange[]): T[] {
    const current = this.documents.get(key);
    if (!current || changes.length === 0) return [];
    const { kept, dropped } = reanchorSpans(current.spans, changes);
    current.spans = kept;
    if (dropped.length > 0) {
      if (kept.length === 0) this.documents.delete(key);
      this.emit(key);
    }
    return dropped;
  }

  spanAt(key: string, offset: number): T | undefined {
    const current = this.documents.get(key);
    return current ? spanAt(current.spans, offset) : undefined;
  }
}
