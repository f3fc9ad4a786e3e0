import type { Span, TextCategories } from '../../core/data/annotation';
import { AnnotationStore, InvalidDocumentError } from '../../core/data/annotationStore';
import type { LostSpan } from '../../core/data/reanchor';
import { describeError } from '../../core/data/parseResult';
import { renamedKeys, type DocumentLocation } from './workspacePath';

/** How the adapter tells the user things; the editor shows warnings as notifications + the output channel. */
export interface AnnotationReporter {
  info(message: string): void;
  /** A one-line message for a notification, and details (one per line) for the output channel. */
  warn(message: string, details?: readonly string[]): void;
}

export interface DocumentSnapshot {
  text: string;
  spans: Span[];
  /** Text-category decisions (absent: the document has none). */
  categories?: TextCategories[];
}

export interface LoadedAnnotations {
  /** The spans on the current text, each with the text it covers. */
  spans: Array<Span & { text: string }>;
  /** The text-category decisions on the current text. */
  categories: TextCategories[];
  /** Spans that could not be re-anchored (already reported). */
  lost: LostSpan[];
  /** True when the stored text differed from the current one and the spans were moved. */
  reanchored: boolean;
}

/** One line per lost span, for the output channel. */
export function describeLost(documentPath: string, lost: readonly LostSpan[]): string[] {
  return lost.map(({ span, text, reason }) => `${documentPath}: ${span.label} ${JSON.stringify(text)} [${span.start}, ${span.end}) — ${reason}`);
}

interface Pending {
  location: DocumentLocation;
  snapshot: () => DocumentSnapshot | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The editor's side of the workspace stores: one AnnotationStore per workspace folder (opened on
 * first use, its load problems reported once), documents loaded with re-anchoring when their text
 * changed outside the editor, and saves debounced per document. Every write is the store's atomic
 * write; a failed write is reported and retried with the next save or flush.
 */
export class AnnotationPersistence {
  private readonly stores = new Map<string, Promise<AnnotationStore>>();
  private readonly pending = new Map<string, Pending>();
  private readonly writes = new Set<Promise<void>>();
  private failing = false;

  constructor(
    private readonly report: AnnotationReporter,
    /** Milliseconds a document's save waits for further changes. */
    public delayMs = 400,
    private readonly openStore: (folderDir: string) => Promise<AnnotationStore> = (dir) => AnnotationStore.open(dir),
  ) {}

  /** The store of a workspace folder, opened once per process (other features should use this one). */
  storeFor(folderDir: string): Promise<AnnotationStore> {
    let store = this.stores.get(folderDir);
    if (!store) {
      store = this.openStore(folderDir).then((opened) => {
        if (opened.problems.length > 0) {
          this.report.warn(
            `BERT Lens: ${opened.problems.length} problem(s) in the annotation files of ${folderDir}; unreadable lines are kept in .bert-lens/annotations.rejected.jsonl.`,
            opened.problems.map((problem) => `${problem.file}:${problem.line}: ${problem.message}`),
          );
        }
        return opened;
      });
      // A failed open is not cached: the next use tries again (the file may have been fixed).
      store.catch(() => this.stores.delete(folderDir));
      this.stores.set(folderDir, store);
    }
    return store;
  }

  /**
   * The stored spans of a document on its current text. When the text changed since it was stored
   * (edited outside the editor), the spans are re-anchored by content, the ones that could not be
   * are reported, and the moved record is stored.
   */
  async load(location: DocumentLocation, currentText: string): Promise<LoadedAnnotations> {
    const store = await this.storeFor(location.folderDir);
    const moved = store.reanchor(location.path, currentText);
    if (!moved) return { spans: [], categories: [], lost: [], reanchored: false };
    const spans = moved.document.spans.map((span) => ({ ...span, text: currentText.slice(span.start, span.end) }));
    const categories = moved.document.categories ?? [];
    if (!moved.changed) return { spans, categories, lost: [], reanchored: false };
    if (moved.lostCategories.length > 0) {
      this.report.warn(
        `BERT Lens: ${location.path} changed outside the editor; ${moved.lostCategories.length} text-category decision(s) could not be re-anchored and were removed (listed in the output channel).`,
        moved.lostCategories.map((c) => `${location.path}: ${c.scope} [${c.start}, ${c.end}) ${c.accept.join(', ') || '(none accepted)'}`),
      );
    }
    if (moved.lost.length > 0) {
      this.report.warn(
        `BERT Lens: ${location.path} changed outside the editor; ${moved.lost.length} annotation(s) could not be re-anchored and were removed (listed in the output channel).`,
        describeLost(location.path, moved.lost),
      );
    }
    this.report.info(`${location.path}: re-anchored ${moved.anchored.length} annotation(s) onto the changed text, ${moved.lost.length} lost`);
    await this.track(this.write(location, () => ({ text: currentText, spans: moved.document.spans, categories })));
    return { spans, categories, lost: moved.lost, reanchored: true };
  }

  /** Saves the document's snapshot after `delayMs` without further calls for it. */
  schedule(location: DocumentLocation, snapshot: () => DocumentSnapshot | undefined): void {
    const key = keyOf(location);
    const entry = this.pending.get(key) ?? { location, snapshot, timer: undefined };
    entry.snapshot = snapshot;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void this.flushDocument(location), this.delayMs);
    this.pending.set(key, entry);
  }

  /** Whether a save of the document is waiting for its delay. */
  isPending(location: DocumentLocation): boolean {
    return this.pending.has(keyOf(location));
  }

  /** Saves the document now if a save is pending; resolves when it is on disk (or failed and was reported). */
  async flushDocument(location: DocumentLocation): Promise<void> {
    const key = keyOf(location);
    const entry = this.pending.get(key);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    this.pending.delete(key);
    await this.track(this.write(entry.location, entry.snapshot));
  }

  /** Every pending save, then every store's writes. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()].map((entry) => this.flushDocument(entry.location)));
    await Promise.all([...this.writes]);
    for (const store of this.stores.values()) {
      try {
        await (await store).flush();
      } catch (error) {
        this.reportWriteFailure(error);
      }
    }
  }

  /** Moves the records of a renamed file (or of every file under a renamed folder). */
  async rename(folderDir: string, from: string, to: string): Promise<number> {
    for (const entry of [...this.pending.values()]) {
      if (entry.location.folderDir === folderDir && (entry.location.path === from || entry.location.path.startsWith(`${from}/`))) {
        await this.flushDocument(entry.location);
      }
    }
    const store = await this.storeFor(folderDir);
    const moves = renamedKeys(store.paths(), from, to);
    for (const [oldKey, newKey] of moves) {
      const document = store.get(oldKey)!;
      document.meta = { ...document.meta, path: newKey };
      await this.track(
        (async () => {
          await store.put(document);
          await store.delete(oldKey);
        })().catch((error: unknown) => this.reportWriteFailure(error)),
      );
    }
    return moves.length;
  }

  dispose(): void {
    for (const entry of this.pending.values()) if (entry.timer) clearTimeout(entry.timer);
  }

  private async track(write: Promise<void>): Promise<void> {
    this.writes.add(write);
    try {
      await write;
    } finally {
      this.writes.delete(write);
    }
  }

  private async write(location: DocumentLocation, snapshot: () => DocumentSnapshot | undefined): Promise<void> {
    try {
      const store = await this.storeFor(location.folderDir);
      const current = snapshot();
      if (!current) return;
      const categories = current.categories ?? [];
      if (current.spans.length === 0 && categories.length === 0) {
        // A document whose last annotation went is no longer part of the dataset.
        if (store.has(location.path)) await store.delete(location.path);
      } else {
        const meta = { ...store.get(location.path)?.meta, path: location.path };
        await store.put({ text: current.text, spans: current.spans, meta, ...(categories.length > 0 ? { categories } : {}) });
      }
      if (this.failing) {
        this.failing = false;
        this.report.info('annotations saved again after an earlier failure');
      }
    } catch (error) {
      if (error instanceof InvalidDocumentError) {
        this.report.warn(`BERT Lens: the annotations of ${location.path} were not saved: ${error.message}`);
      } else {
        this.reportWriteFailure(error);
      }
    }
  }

  private reportWriteFailure(error: unknown): void {
    // One notification per run of failures, not one per keystroke.
    if (this.failing) return;
    this.failing = true;
    this.report.warn(`BERT Lens: could not save annotations (${describeError(error)}). They are kept in memory and saved with the next change.`);
  }
}

function keyOf(location: DocumentLocation): string {
  return `${location.folderDir}\0${location.path}`;
}
