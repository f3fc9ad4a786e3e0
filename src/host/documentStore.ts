/**
 * Per-document results keyed by the document URI (as a string), with listeners told about every
 * change of a document's value. The NER entities and the task spans (answers, paragraph labels)
 * build on it; each adds how its values follow edits.
 */
export class DocumentStore<V> {
  protected readonly documents = new Map<string, V>();
  private readonly listeners = new Set<(key: string) => void>();

  get(key: string): V | undefined {
    return this.documents.get(key);
  }

  has(key: string): boolean {
    return this.documents.has(key);
  }

  keys(): string[] {
    return [...this.documents.keys()];
  }

  set(key: string, value: V): void {
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

  onDidChange(listener: (key: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  protected emit(key: string): void {
    for (const listener of this.listeners) listener(key);
  }
}
