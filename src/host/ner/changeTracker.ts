import type { TextChange } from './textChanges';

/** The edits made to one document since a job took its text; see ChangeTracker. */
export interface EditsSince {
  readonly changes: readonly TextChange[];
  /** True once the document was closed: its later content cannot be related to the snapshot. */
  readonly lost: boolean;
  dispose(): void;
}

/**
 * Records the edits of documents while jobs over a snapshot of their text are in flight, so that
 * results can be moved to where their text is now. Only documents with a job in flight keep a log.
 * Keys are document URIs as strings.
 */
export class ChangeTracker {
  private readonly open = new Map<string, Set<{ changes: TextChange[]; lost: boolean }>>();

  /** Call in the same tick as taking the snapshot, so that no edit falls between the two. */
  track(key: string): EditsSince {
    const entry = { changes: [] as TextChange[], lost: false };
    let set = this.open.get(key);
    if (!set) this.open.set(key, (set = new Set()));
    set.add(entry);
    return {
      get changes() {
        return entry.changes;
      },
      get lost() {
        return entry.lost;
      },
      dispose: () => {
        set.delete(entry);
        if (set.size === 0 && this.open.get(key) === set) this.open.delete(key);
      },
    };
  }

  record(key: string, changes: readonly TextChange[]): void {
    const set = this.open.get(key);
    if (!set) return;
    const copies = changes.map(({ rangeOffset, rangeLength, text }) => ({ rangeOffset, rangeLength, text }));
    for (const entry of set) entry.changes.push(...copies);
  }

  documentClosed(key: string): void {
    for (const entry of this.open.get(key) ?? []) entry.lost = true;
  }

  get trackedDocuments(): number {
    return this.open.size;
  }
}
