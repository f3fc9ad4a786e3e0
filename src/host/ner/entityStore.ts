import { entityAt, reanchorEntities, type DocumentEntities, type DocumentEntity } from './entities';
import { DocumentStore } from '../documentStore';
import type { TextChange } from './textChanges';

/**
 * The entities shown per document (key: the document URI as a string). Kept in step with edits:
 * entities move with the text around them, and one whose text is edited is dropped. Listeners hear
 * about every change of a document's entities (decorations, tree view).
 */
export class EntityStore extends DocumentStore<DocumentEntities> {
  /**
   * Follows one document edit event. Returns the entities it dropped; listeners are told only when
   * something was dropped, since VS Code moves decorations with the text on its own.
   */
  applyChanges(key: string, changes: readonly TextChange[]): DocumentEntity[] {
    const current = this.documents.get(key);
    if (!current || changes.length === 0) return [];
    // No text check here: the store sees every edit as it happens (unlike a job's snapshot), and
    // reading a multi-megabyte document's text on each keystroke would make typing slow.
    const { entities, dropped } = reanchorEntities(current.entities, changes);
    current.entities = entities;
    if (dropped.length > 0) this.emit(key);
    return dropped;
  }

  entityAt(key: string, offset: number): DocumentEntity | undefined {
    const current = this.documents.get(key);
    return current ? entityAt(current.entities, offset) : undefined;
  }

  findById(key: string, id: number): DocumentEntity | undefined {
    return this.documents.get(key)?.entities.find((entity) => entity.id === id);
  }
}
