import type { TextCategories } from '../../core/data/annotation';
import { LabelInUseError } from '../../core/data/annotationStore';
import type { CategoryRange } from '../../core/data/categoryEdits';
import type { TextChange } from '../ner/textChanges';
import { planAccept, type AcceptPlan, type Prediction } from './acceptPredictions';
import { DocumentCategories, type TrackedCategories } from './documentCategories';
import { DocumentAnnotations, type EditKind, type EditOutcome, type LabelOutcome, type TextRange } from './documentAnnotations';
import { labelSet } from './labelChoice';
import { describeLost, type AnnotationPersistence, type AnnotationReporter } from './persistence';
import { checkSpans } from './spanCheck';
import type { TrackedSpan } from './trackedSpans';
import type { DocumentLocation } from './workspacePath';

/** An open document as the model sees it. */
export interface OpenDocument {
  /** The document URI as a string (what decorations, hovers and the tree use). */
  key: string;
  location: DocumentLocation;
  getText(): string;
}

interface Entry {
  document: OpenDocument;
  annotations: DocumentAnnotations | undefined;
  /** Text-category decisions; set together with `annotations`. */
  categories: DocumentCategories | undefined;
  ready: Promise<DocumentAnnotations | undefined>;
  closed: boolean;
}

export type ChangeListener = (key: string) => void;

/**
 * The annotations of the open documents, kept in step with edits and saved to the workspace store.
 * The editor adapter feeds it document events and commands; decorations, hovers, the tree and the
 * fine-tune panel listen to `onDidChange`. No VS Code here: tests drive it with plain documents.
 */
export class AnnotationModel {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    private readonly persistence: AnnotationPersistence,
    private readonly report: AnnotationReporter,
    private readonly configuredLabels: () => readonly string[] = () => [],
  ) {}

  /** Loads a document's stored annotations (re-anchored when its text changed outside the editor). */
  open(document: OpenDocument): Promise<DocumentAnnotations | undefined> {
    const existing = this.entries.get(document.key);
    if (existing && !existing.closed) return existing.ready;
    const entry: Entry = { document, annotations: undefined, categories: undefined, ready: Promise.resolve(undefined), closed: false };
    entry.ready = this.persistence.load(document.location, document.getText()).then(
      (loaded) => {
        if (entry.closed) return undefined;
        // Edits made while the store was read are in the text: check the spans against it.
        const annotations = new DocumentAnnotations(loaded.spans, loaded.spans.length > 0 ? undefined : document.getText().length);
        entry.categories = new DocumentCategories(loaded.categories, document.getText());
        entry.annotations = annotations;
        if (loaded.spans.length > 0 || loaded.categories.length > 0) {
          this.verify(entry);
          this.emit(document.key);
        }
        return annotations;
      },
      (error: unknown) => {
        // No annotations object: labelling this document is refused until it is opened again, so
        // that a record that could not be read is never overwritten by a partial one.
        this.report.warn(`BERT Lens: could not read the annotations of ${document.location.path}: ${(error as Error).message}`);
        return undefined;
      },
    );
    this.entries.set(document.key, entry);
    return entry.ready;
  }

  /** Saves what is pending for the document and forgets it. */
  async close(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await this.persistence.flushDocument(entry.document.location);
    entry.closed = true;
    if (entry.annotations && (entry.annotations.spans.length > 0 || (entry.categories?.size ?? 0) > 0)) this.emit(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): DocumentAnnotations | undefined {
    return this.entries.get(key)?.annotations;
  }

  /** The text-category decisions of an open document (the document's own first, then by range). */
  categories(key: string): TrackedCategories[] | undefined {
    const entry = this.entries.get(key);
    return entry?.categories?.list(entry.document.getText().length);
  }

  /**
   * Sets the decision for a range of a document (undefined removes it), in place of the one made for
   * the same range and scope. False when the document is not ready or nothing changed.
   */
  async setCategories(key: string, range: CategoryRange, categories: TextCategories | undefined): Promise<boolean> {
    const entry = this.entries.get(key);
    if (!entry || !(await entry.ready) || !entry.categories) return false;
    const changed = entry.categories.set(range, categories, entry.document.getText());
    if (changed) this.changed(entry);
    return changed;
  }

  /** Every label the text-category decisions of a folder offer: the store's, then the open documents' unsaved ones. */
  async categoryLabels(folderDir: string): Promise<string[]> {
    const store = await this.persistence.storeFor(folderDir);
    const labels = store.categoryLabels();
    for (const entry of this.entriesIn(folderDir)) {
      for (const c of entry.categories?.list(0) ?? []) for (const label of c.options) if (!labels.includes(label)) labels.push(label);
    }
    return labels;
  }

  location(key: string): DocumentLocation | undefined {
    return this.entries.get(key)?.document.location;
  }

  ready(key: string): Promise<DocumentAnnotations | undefined> {
    return this.entries.get(key)?.ready ?? Promise.resolve(undefined);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Follows one document change event. `fromDisk`: the editor reloaded the document because its
   * file changed on disk (see registerAnnotation); spans such a change removes are reported rather
   * than dropped quietly — Undo still brings them back.
   */
  applyEdit(key: string, changes: readonly TextChange[], kind: EditKind, fromDisk = false): EditOutcome | undefined {
    const entry = this.entries.get(key);
    if (!entry?.annotations || changes.length === 0) return undefined;
    const outcome = entry.annotations.applyEdit(changes, kind, () => entry.document.getText());
    const categoriesChanged = entry.categories?.applyEdit(changes, kind, () => entry.document.getText()) ?? false;
    if (!outcome.changed) {
      if (categoriesChanged) this.changed(entry);
      return outcome;
    }
    if (kind === 'edit' && fromDisk && outcome.removed.length > 0) {
      const path = entry.document.location.path;
      this.report.warn(
        `BERT Lens: ${path} was reloaded from disk (changed outside the editor or reverted); ${outcome.removed.length} annotation(s) whose text is gone were removed. Undo brings them back.`,
        describeLost(
          path,
          outcome.removed.map((span) => ({ span: { start: span.start, end: span.end, label: span.label }, text: span.text, reason: 'its text was replaced' })),
        ),
      );
    }
    this.changed(entry);
    return outcome;
  }

  async label(key: string, ranges: readonly TextRange[], label: string): Promise<LabelOutcome | undefined> {
    const entry = this.entries.get(key);
    const annotations = await entry?.ready;
    if (!entry || !annotations) return undefined;
    const outcome = annotations.label(ranges, label);
    if (outcome.added.length > 0) this.changed(entry);
    return outcome;
  }

  async remove(key: string, ids: ReadonlySet<number>): Promise<TrackedSpan[]> {
    const entry = this.entries.get(key);
    const removed = (await entry?.ready)?.remove(ids) ?? [];
    if (entry && removed.length > 0) this.changed(entry);
    return removed;
  }

  async relabel(key: string, ids: ReadonlySet<number>, label: string): Promise<TrackedSpan[]> {
    const entry = this.entries.get(key);
    const changed = (await entry?.ready)?.relabel(ids, label) ?? [];
    if (entry && changed.length > 0) this.changed(entry);
    return changed;
  }

  /** Turns predictions into annotations (see planAccept); returns the plan that was carried out. */
  async accept(key: string, predictions: readonly Prediction[]): Promise<AcceptPlan | undefined> {
    const entry = this.entries.get(key);
    const annotations = await entry?.ready;
    if (!entry || !annotations) return undefined;
    const plan = planAccept(annotations.toSpans(), predictions);
    if (plan.accepted.length > 0) {
      annotations.add(plan.accepted);
      this.changed(entry);
    }
    return plan;
  }

  /** The label set of a workspace folder (see labelSet), with labels of open documents not saved yet. */
  async labels(folderDir: string): Promise<string[]> {
    const store = await this.persistence.storeFor(folderDir);
    const unsaved = this.entriesIn(folderDir).flatMap((entry) => entry.annotations!.spans.map((span) => span.label));
    return labelSet([...store.labels(), ...unsaved], this.configuredLabels());
  }

  async addLabel(folderDir: string, label: string): Promise<void> {
    await (await this.persistence.storeFor(folderDir)).addLabel(label);
  }

  /**
   * Removes a label from the set. When spans use it, `confirm` is asked (with their number) and
   * only a yes deletes them, in the store and in the open documents. Returns the spans deleted, or
   * undefined when the user said no.
   */
  async deleteLabel(folderDir: string, label: string, confirm: (spanCount: number) => Promise<boolean>): Promise<number | undefined> {
    await this.flushFolder(folderDir);
    const store = await this.persistence.storeFor(folderDir);
    try {
      return await store.removeLabel(label);
    } catch (error) {
      if (!(error instanceof LabelInUseError)) throw error;
      if (!(await confirm(error.spanCount))) return undefined;
    }
    for (const entry of this.entriesIn(folderDir)) {
      const ids = new Set(entry.annotations?.spans.filter((span) => span.label === label).map((span) => span.id));
      if (ids.size > 0) {
        entry.annotations!.remove(ids);
        // Saved like any change: a document left without spans leaves the dataset.
        this.changed(entry);
      }
    }
    return store.removeLabel(label, { deleteSpans: true });
  }

  /** Renames a label everywhere in a folder: the set, the store, the open documents. */
  async renameLabel(folderDir: string, from: string, to: string): Promise<number> {
    await this.flushFolder(folderDir);
    const store = await this.persistence.storeFor(folderDir);
    const changed = await store.renameLabel(from, to);
    for (const entry of this.entriesIn(folderDir)) {
      const ids = new Set(entry.annotations?.spans.filter((span) => span.label === from).map((span) => span.id));
      if (ids.size > 0) {
        entry.annotations!.relabel(ids, to);
        this.changed(entry);
      }
    }
    return changed;
  }

  /** Reads the open documents of a folder from the store again (after an import wrote to it). */
  async reloadFolder(folderDir: string, paths?: ReadonlySet<string>): Promise<void> {
    for (const entry of this.entriesIn(folderDir)) {
      if (paths && !paths.has(entry.document.location.path)) continue;
      const loaded = await this.persistence.load(entry.document.location, entry.document.getText());
      if (!entry.annotations || entry.closed) continue;
      entry.annotations.replaceAll(loaded.spans, entry.document.getText().length);
      entry.categories?.replaceAll(loaded.categories, entry.document.getText());
      this.emit(entry.document.key);
    }
  }

  /** Saves every pending change of a folder's open documents now. */
  async flushFolder(folderDir: string): Promise<void> {
    await Promise.all(this.entriesIn(folderDir).map((entry) => this.persistence.flushDocument(entry.document.location)));
  }

  flush(): Promise<void> {
    return this.persistence.flush();
  }

  onDidChange(listener: ChangeListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private entriesIn(folderDir: string): Entry[] {
    return [...this.entries.values()].filter((entry) => entry.document.location.folderDir === folderDir && entry.annotations);
  }

  private changed(entry: Entry): void {
    this.emit(entry.document.key);
    this.persistence.schedule(entry.document.location, () => {
      if (entry.closed && this.entries.get(entry.document.key) !== entry) {
        // Closed: its last state was flushed on close; a late timer has nothing to add.
        return undefined;
      }
      const snapshot = this.verify(entry);
      return snapshot && { text: snapshot.text, spans: snapshot.annotations.toSpans(), categories: entry.categories?.toCategories(snapshot.text.length) ?? [] };
    });
  }

  /** Checks the spans against the text (see checkSpans); moved or lost spans are applied and reported. */
  private verify(entry: Entry): { text: string; annotations: DocumentAnnotations } | undefined {
    const annotations = entry.annotations;
    if (!annotations) return undefined;
    const text = entry.document.getText();
    const check = checkSpans(text, annotations.spans);
    annotations.setChecked(check.spans, text.length);
    const lostCategories = entry.categories?.verify(text) ?? [];
    if (lostCategories.length > 0) {
      const path = entry.document.location.path;
      this.report.warn(
        `BERT Lens: ${lostCategories.length} text-category decision(s) of ${path} no longer matched the text and were removed (listed in the output channel).`,
        lostCategories.map((c) => `${path}: ${c.scope} [${c.start}, ${c.end}) ${c.accept.join(', ') || '(none accepted)'}`),
      );
      this.emit(entry.document.key);
    }
    if (check.changed) {
      if (check.lost.length > 0) {
        const path = entry.document.location.path;
        this.report.warn(
          `BERT Lens: ${check.lost.length} annotation(s) of ${path} no longer matched the text and were removed (listed in the output channel).`,
          describeLost(path, check.lost),
        );
      }
      this.emit(entry.document.key);
    }
    return { text, annotations };
  }

  private emit(key: string): void {
    for (const listener of this.listeners) listener(key);
  }
}
