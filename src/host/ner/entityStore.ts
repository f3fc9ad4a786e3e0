import { entityAt, reanchorEntities, type DocumentEntities, type DocumentEntity } from './entities';
import type { TextChange } from './textChanges';

export type StoreListener = (key: string) => void;

/**
 * The entities shown per document (key: the document URI as a string). Kept in step with edits:
 * entities move with the text around them, and one whose text is edited is dropped. Listeners hear
 * about every change of a document's entities (decorations, tree view).
 */
export class EntityStore {
  private readonly documents = new Map<string, DocumentEntities>();
  private readonly listeners = new Set<StoreListener>();

  get(key: string): DocumentEntities | undefined {
    return this.documents.get(key);
  }

  has(key: string): boolean {
    return this.documents.has(key);
  }

  keys(): string[] {
    return [...this.documents.keys()];
  }

  set(key: string, value: DocumentEntities): void {
    this.documents.set(key, value);
    this.emit(key);
  }

  delete(key: string): void {
    if (this.documents.delete(key)) this.emit(key);
  }

  clear(): void {
    const keys = this.keys();
    this.documents.clear();
    for (const key of keys) this.emit(key);
  }

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

  onDidChange(listener: StoreListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(key: string): void {
    for (const listener of this.listeners) listener(key);
  }
}
