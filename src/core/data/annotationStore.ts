import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import {
  compareCategories,
  compareSpans,
  labelProblem,
  sha256OfText,
  validateDocument,
  type AnnotatedDocument,
  type DocumentIssue,
  type TextCategories,
} from './annotation';
import { jsonSyntaxErrorOffset } from '../util/jsonSyntax';
import { lineIndex, type ParseIssue } from './parseResult';
import { reanchorSpans, type ReanchorResult } from './reanchor';
import { parseStoreFile, serializeStoredRecord, type StoredRecord } from './storeRecord';

/**
 * The workspace's annotations: `.bert-lens/annotations.jsonl` (one record per document, sorted by
 * path, Prodigy's task shape, UTF-16 offsets) and `.bert-lens/labels.json` (`{"labels": [...]}`, the
 * label set in display order).
 *
 * Durability: every write replaces a whole file atomically (temp file + fsync + rename), so a crash or
 * kill leaves either the previous or the new file. A mutation's promise resolves once a write that
 * includes it has been renamed into place ("committed"). Writes inside one process are serialized and
 * mutations that arrive during a write are coalesced into the next one.
 *
 * Bad lines are never dropped: a line that cannot be read (not JSON, not UTF-8, wrong shape), a line
 * with spans that do not fit its text (the rest is loaded) and a record superseded by a later line for
 * the same path are reported in `problems` (file + line) when the store opens, and their raw bytes are
 * appended to `.bert-lens/annotations.rejected.jsonl` before the first rewrite of the store removes
 * them. A corrupt `labels.json` is likewise saved to `labels.rejected.json` before it is rewritten.
 *
 * Not handled: two processes writing the same store (the last writer wins).
 */

export const STORE_DIR = '.bert-lens';

export class InvalidDocumentError extends Error {
  constructor(
    readonly documentPath: string,
    readonly issues: DocumentIssue[],
  ) {
    super(`cannot store "${documentPath}": ${issues.filter((i) => i.severity === 'error').map((i) => i.message).join('; ')}`);
    this.name = 'InvalidDocumentError';
  }
}

export class LabelInUseError extends Error {
  constructor(
    readonly label: string,
    readonly spanCount: number,
  ) {
    super(`label "${label}" is used by ${spanCount} span(s); pass { deleteSpans: true } to remove them too`);
    this.name = 'LabelInUseError';
  }
}

export interface StoreReanchoring extends ReanchorResult {
  /** The stored document moved onto `currentText` (anchored spans only); store it with `put` to keep it. */
  document: AnnotatedDocument;
  /** Paragraph and selection decisions whose range could not be found in the new text (document ones always move). */
  lostCategories: TextCategories[];
  /** False when the stored text already equals the current text. */
  changed: boolean;
}

const TEMP_FILE = /^\.(annotations\.jsonl|labels\.json|annotations\.rejected\.jsonl|labels\.rejected\.json|review\.json|review\.unreadable\.json)\.(\d+)\.[0-9a-f]+\.tmp$/;

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function readLabelsFile(bytes: Buffer, file: string): { labels: string[]; problems: ParseIssue[] } {
  const text = bytes.toString('utf8');
  const lineOf = lineIndex(text);
  const firstLine = lineOf(text.length - text.trimStart().length);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const offset = jsonSyntaxErrorOffset(text);
    return {
      labels: [],
      problems: [{ file, line: offset === undefined ? firstLine : lineOf(offset), message: `not valid JSON (${(error as Error).message}); saved to labels.rejected.json on the next label change` }],
    };
  }
  const list = Array.isArray(value) ? value : (value as { labels?: unknown } | null)?.labels;
  if (!Array.isArray(list)) {
    return { labels: [], problems: [{ file, line: firstLine, message: 'expected {"labels": [...]}; saved to labels.rejected.json on the next label change' }] };
  }
  const labels: string[] = [];
  const problems: ParseIssue[] = [];
  for (const label of list) {
    const problem = labelProblem(label);
    if (problem) {
      // The label's own line when its JSON spelling is found; a few lookups only, so never quadratic.
      const at = problems.length < 100 && typeof label === 'string' ? text.indexOf(JSON.stringify(label)) : -1;
      problems.push({ file, line: at >= 0 ? lineOf(at) : firstLine, message: `ignored label: ${problem}` });
    } else if (!labels.includes(label as string)) labels.push(label as string);
  }
  return { labels, problems };
}

export class AnnotationStore {
  readonly annotationsPath: string;
  readonly labelsPath: string;
  readonly rejectedPath: string;
  readonly rejectedLabelsPath: string;

  private records = new Map<string, StoredRecord>();
  private labelList: string[] = [];
  private loadProblems: ParseIssue[] = [];
  private pendingRejectedLines: Uint8Array[] = [];
  private pendingRejectedLabels: Buffer | undefined;
  private annotationsDirty = false;
  private labelsDirty = false;
  private scheduled: Promise<void> | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(readonly workspaceDir: string) {
    const dir = path.join(workspaceDir, STORE_DIR);
    this.annotationsPath = path.join(dir, 'annotations.jsonl');
    this.labelsPath = path.join(dir, 'labels.json');
    this.rejectedPath = path.join(dir, 'annotations.rejected.jsonl');
    this.rejectedLabelsPath = path.join(dir, 'labels.rejected.json');
  }

  /** Opens (reads) the store of a workspace folder; creates nothing until the first change. */
  static async open(workspaceDir: string): Promise<AnnotationStore> {
    const store = new AnnotationStore(workspaceDir);
    await store.removeStaleTempFiles();
    const annotations = await readIfExists(store.annotationsPath);
    if (annotations) {
      const parsed = parseStoreFile(annotations, store.annotationsPath);
      store.records = parsed.records;
      store.loadProblems.push(...parsed.problems);
      store.pendingRejectedLines = parsed.rejectedLines;
      // The rewrite that preserves the rejected lines elsewhere also removes them from the store.
      if (parsed.rejectedLines.length > 0) store.annotationsDirty = true;
    }
    const labels = await readIfExists(store.labelsPath);
    if (labels) {
      const parsed = readLabelsFile(labels, store.labelsPath);
      store.labelList = parsed.labels;
      store.loadProblems.push(...parsed.problems);
      if (parsed.labels.length === 0 && parsed.problems.length > 0) store.pendingRejectedLabels = labels;
    }
    return store;
  }

  /** What was wrong in the files when the store was opened (file, 1-based line or 0, message). */
  get problems(): readonly ParseIssue[] {
    return this.loadProblems;
  }

  has(documentPath: string): boolean {
    return this.records.has(documentPath);
  }

  get(documentPath: string): AnnotatedDocument | undefined {
    const record = this.records.get(documentPath);
    return record && clone(record.document);
  }

  paths(): string[] {
    return [...this.records.keys()].sort();
  }

  list(): AnnotatedDocument[] {
    return this.paths().map((key) => clone(this.records.get(key)!.document));
  }

  /** The label set: labels.json order, then labels used by spans but missing there. */
  labels(): string[] {
    const labels = [...this.labelList];
    for (const key of this.paths()) {
      for (const span of this.records.get(key)!.document.spans) if (!labels.includes(span.label)) labels.push(span.label);
    }
    return labels;
  }

  /** Every label offered by a text-category decision, in order of first appearance (by path). */
  categoryLabels(): string[] {
    const labels: string[] = [];
    for (const key of this.paths()) {
      for (const categories of this.records.get(key)!.document.categories ?? []) {
        for (const label of categories.options) if (!labels.includes(label)) labels.push(label);
      }
    }
    return labels;
  }

  /**
   * Stores a document under `meta.path`, replacing any earlier version (its unknown top-level keys are
   * kept). Spans are sorted; sha256 is recomputed. Throws InvalidDocumentError for unusable spans;
   * returns the warnings (overlaps, duplicates). New labels join the label set.
   */
  async put(document: AnnotatedDocument): Promise<DocumentIssue[]> {
    const key = document.meta?.path;
    if (typeof key !== 'string' || key === '') {
      throw new InvalidDocumentError(String(key), [{ kind: 'bad-label', severity: 'error', message: 'meta.path must be a non-empty string' }]);
    }
    const issues = validateDocument(document);
    if (issues.some((issue) => issue.severity === 'error')) throw new InvalidDocumentError(key, issues);
    const stored = clone(document);
    stored.spans = stored.spans.map(({ start, end, label }) => ({ start, end, label })).sort(compareSpans);
    if (stored.categories && stored.categories.length > 0) {
      stored.categories = stored.categories
        .map(({ start, end, scope, options, multiLabel, accept }) => ({ start, end, scope, options, multiLabel, accept }))
        .sort(compareCategories);
    } else delete stored.categories;
    stored.meta.sha256 = sha256OfText(stored.text);
    this.records.set(key, { document: stored, extras: this.records.get(key)?.extras ?? {} });
    this.annotationsDirty = true;
    for (const span of stored.spans) {
      if (!this.labelList.includes(span.label)) {
        this.labelList.push(span.label);
        this.labelsDirty = true;
      }
    }
    await this.scheduleWrite();
    return issues;
  }

  /** Removes a document's record; false when there was none. */
  async delete(documentPath: string): Promise<boolean> {
    if (!this.records.delete(documentPath)) return false;
    this.annotationsDirty = true;
    await this.scheduleWrite();
    return true;
  }

  /** Adds a label at the end of the set; false when it was already there. Throws on an invalid name. */
  async addLabel(label: string): Promise<boolean> {
    const problem = labelProblem(label);
    if (problem) throw new Error(problem);
    if (this.labelList.includes(label)) return false;
    this.labelList.push(label);
    this.labelsDirty = true;
    await this.scheduleWrite();
    return true;
  }

  /**
   * Removes a label from the set. When spans use it, throws LabelInUseError unless `deleteSpans` is
   * set, in which case those spans are deleted too; returns how many were.
   */
  async removeLabel(label: string, options: { deleteSpans?: boolean } = {}): Promise<number> {
    const used = this.countSpans(label);
    if (used > 0 && !options.deleteSpans) throw new LabelInUseError(label, used);
    if (used > 0) {
      for (const record of this.records.values()) {
        record.document.spans = record.document.spans.filter((span) => span.label !== label);
      }
      this.annotationsDirty = true;
    }
    this.labelList = this.labelList.filter((existing) => existing !== label);
    this.labelsDirty = true;
    await this.scheduleWrite();
    return used;
  }

  /**
   * Renames a label in the set and in every span; renaming onto an existing label merges the two
   * (exact duplicate spans that results are kept once). Returns how many spans changed.
   */
  async renameLabel(from: string, to: string): Promise<number> {
    const problem = labelProblem(to);
    if (problem) throw new Error(problem);
    if (!this.labels().includes(from)) throw new Error(`no label "${from}" to rename`);
    if (from === to) return 0;
    let changed = 0;
    for (const record of this.records.values()) {
      let touched = false;
      for (const span of record.document.spans) {
        if (span.label === from) {
          span.label = to;
          changed++;
          touched = true;
        }
      }
      if (touched) {
        const sorted = record.document.spans.sort(compareSpans);
        record.document.spans = sorted.filter((span, i) => i === 0 || compareSpans(sorted[i - 1]!, span) !== 0);
      }
    }
    if (changed > 0) this.annotationsDirty = true;
    const index = this.labelList.indexOf(from);
    if (index >= 0) {
      if (this.labelList.includes(to)) this.labelList.splice(index, 1);
      else this.labelList[index] = to;
    } else if (!this.labelList.includes(to)) this.labelList.push(to);
    this.labelsDirty = true;
    await this.scheduleWrite();
    return changed;
  }

  /**
   * Maps the stored spans of a document onto its current text (changed outside the editor). Writes
   * nothing: the caller shows `lost` to the user and then `put`s `document`. Undefined when the path
   * has no record.
   */
  reanchor(documentPath: string, currentText: string): StoreReanchoring | undefined {
    const record = this.records.get(documentPath);
    if (!record) return undefined;
    const before = record.document;
    const result = reanchorSpans(before.text, currentText, before.spans);
    const document: AnnotatedDocument = {
      text: currentText,
      spans: result.anchored.map((anchored) => ({ ...anchored.span })),
      meta: { ...clone(before.meta), sha256: sha256OfText(currentText) },
    };
    const { categories, lost: lostCategories } = this.reanchorCategories(before, currentText);
    if (categories.length > 0) document.categories = categories;
    return { ...result, document, changed: before.text !== currentText, lostCategories };
  }

  /** Document decisions cover the new text; range decisions move as a span over their range would. */
  private reanchorCategories(before: AnnotatedDocument, currentText: string): { categories: TextCategories[]; lost: TextCategories[] } {
    const categories: TextCategories[] = [];
    const lost: TextCategories[] = [];
    const ranges = (before.categories ?? []).filter((c) => c.scope !== 'document');
    for (const c of before.categories ?? []) if (c.scope === 'document') categories.push({ ...clone(c), start: 0, end: currentText.length });
    const moved = reanchorSpans(before.text, currentText, ranges.map((c, i) => ({ start: c.start, end: c.end, label: `c${i}` })));
    for (const anchored of moved.anchored) {
      const c = ranges[Number(anchored.span.label.slice(1))]!;
      categories.push({ ...clone(c), start: anchored.span.start, end: anchored.span.end });
    }
    for (const gone of moved.lost) lost.push(clone(ranges[Number(gone.span.label.slice(1))]!));
    return { categories: categories.sort(compareCategories), lost };
  }

  /** Resolves when every change made so far is on disk; retries a write that failed earlier. */
  async flush(): Promise<void> {
    if (this.annotationsDirty || this.labelsDirty || this.pendingRejectedLines.length > 0) await this.scheduleWrite();
    else await this.lastWrite;
  }

  private countSpans(label: string): number {
    let count = 0;
    for (const record of this.records.values()) for (const span of record.document.spans) if (span.label === label) count++;
    return count;
  }

  /** One write at a time; a write not yet started absorbs every mutation that arrives before it starts. */
  private scheduleWrite(): Promise<void> {
    if (this.scheduled) return this.scheduled;
    const run = this.lastWrite
      .catch(() => undefined)
      .then(() => {
        this.scheduled = undefined;
        return this.writeNow();
      });
    this.scheduled = run;
    this.lastWrite = run;
    return run;
  }

  private async writeNow(): Promise<void> {
    const writeAnnotations = this.annotationsDirty;
    const writeLabels = this.labelsDirty;
    const rejected = this.pendingRejectedLines;
    const rejectedLabels = this.pendingRejectedLabels;
    // Snapshot synchronously: later mutations belong to the next write.
    const annotationsText = writeAnnotations
      ? this.paths().map((key) => `${serializeStoredRecord(this.records.get(key)!)}\n`).join('')
      : '';
    const labelsText = writeLabels ? `${JSON.stringify({ labels: this.labels() }, null, 2)}\n` : '';
    this.annotationsDirty = false;
    this.labelsDirty = false;
    try {
      if (writeAnnotations) {
        if (rejected.length > 0) await this.preserveRejectedLines(rejected);
        await writeFileAtomic(this.annotationsPath, annotationsText);
        if (this.pendingRejectedLines === rejected) this.pendingRejectedLines = [];
      }
      if (writeLabels) {
        if (rejectedLabels) {
          await writeFileAtomic(this.rejectedLabelsPath, rejectedLabels);
          this.pendingRejectedLabels = undefined;
        }
        await writeFileAtomic(this.labelsPath, labelsText);
      }
    } catch (error) {
      // The change stays in memory; the next write (or flush) retries it.
      this.annotationsDirty ||= writeAnnotations;
      this.labelsDirty ||= writeLabels;
      throw error;
    }
  }

  /** Appends lines to the rejected-lines file (atomically), skipping lines it already holds. */
  private async preserveRejectedLines(lines: Uint8Array[]): Promise<void> {
    const existing = (await readIfExists(this.rejectedPath)) ?? Buffer.alloc(0);
    const known = new Set<string>();
    let start = 0;
    while (start < existing.length) {
      let end = existing.indexOf(10, start);
      if (end < 0) end = existing.length;
      known.add(existing.subarray(start, end).toString('latin1'));
      start = end + 1;
    }
    const additions = lines.filter((line) => {
      const key = Buffer.from(line).toString('latin1');
      if (known.has(key)) return false;
      known.add(key);
      return true;
    });
    if (additions.length === 0) return;
    const parts: Uint8Array[] = [existing];
    if (existing.length > 0 && existing[existing.length - 1] !== 10) parts.push(Buffer.from('\n'));
    for (const line of additions) parts.push(line, Buffer.from('\n'));
    await writeFileAtomic(this.rejectedPath, Buffer.concat(parts));
  }

  /** Temp files left by writers that were killed mid-write (their process no longer exists). */
  private async removeStaleTempFiles(): Promise<void> {
    const dir = path.dirname(this.annotationsPath);
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const match = TEMP_FILE.exec(name);
      if (match && Number(match[2]) !== process.pid && !isProcessAlive(Number(match[2]))) {
        await fs.rm(path.join(dir, name), { force: true });
      }
    }
  }
}
