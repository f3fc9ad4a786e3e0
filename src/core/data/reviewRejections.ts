import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite';
import { isPlainObject } from './jsonLines';
import { STORE_DIR } from './annotationStore';
import type { ParseIssue } from './parseResult';

/** One remembered rejection. `key` is what counts (see reviewKey); the rest is for people reading the file. */
export interface RejectedProposal {
  key: string;
  label: string;
  text: string;
  /** The document it was rejected in (workspace-relative, as `meta.path` in the store). */
  path: string;
}

export const REVIEW_FILE = 'review.json';
export const UNREADABLE_REVIEW_FILE = 'review.unreadable.json';

/**
 * The predictions a person rejected in review, remembered so that they are never proposed again:
 * `.bert-lens/review.json`, `{"rejected": [{"key", "label", "text", "path"}, ...]}`, beside the
 * annotation store (whose files are left as they are, so stores written before review existed load
 * unchanged and exporters never see rejections). Keys are content hashes of the line (see
 * reviewKey), not paths, so a rejection survives renames and edits elsewhere in the document.
 *
 * Every write replaces the file atomically; writes are serialized. A file that cannot be read is
 * reported in `problems` and copied to `review.unreadable.json` before the first rewrite, never
 * silently lost; entries of the wrong shape are reported and left out.
 */
export class ReviewRejections {
  readonly file: string;
  readonly unreadableFile: string;
  private readonly entries = new Map<string, RejectedProposal>();
  private readonly loadProblems: ParseIssue[] = [];
  private unreadable: Buffer | undefined;
  private lastWrite: Promise<void> = Promise.resolve();

  private constructor(workspaceDir: string) {
    this.file = path.join(workspaceDir, STORE_DIR, REVIEW_FILE);
    this.unreadableFile = path.join(workspaceDir, STORE_DIR, UNREADABLE_REVIEW_FILE);
  }

  static async open(workspaceDir: string): Promise<ReviewRejections> {
    const store = new ReviewRejections(workspaceDir);
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(store.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return store;
      throw error;
    }
    store.read(bytes);
    return store;
  }

  get problems(): readonly ParseIssue[] {
    return this.loadProblems;
  }

  get size(): number {
    return this.entries.size;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  list(): RejectedProposal[] {
    return [...this.entries.values()].map((entry) => ({ ...entry }));
  }

  /** Remembers rejections; resolves once the file holding them is in place. */
  add(proposals: readonly RejectedProposal[]): Promise<void> {
    let changed = false;
    for (const proposal of proposals) {
      if (this.entries.has(proposal.key)) continue;
      this.entries.set(proposal.key, { key: proposal.key, label: proposal.label, text: proposal.text, path: proposal.path });
      changed = true;
    }
    return changed ? this.write() : this.lastWrite;
  }

  /** Forgets rejections (a decision changed back in the same review). */
  remove(keys: readonly string[]): Promise<void> {
    let changed = false;
    for (const key of keys) changed = this.entries.delete(key) || changed;
    return changed ? this.write() : this.lastWrite;
  }

  private read(bytes: Buffer): void {
    const file = this.file;
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      this.unreadable = bytes;
      this.loadProblems.push({ file, line: 0, message: `not valid JSON (${(error as Error).message}); copied to ${UNREADABLE_REVIEW_FILE} before it is rewritten` });
      return;
    }
    const list = isPlainObject(value) ? value.rejected : undefined;
    if (!Array.isArray(list)) {
      this.unreadable = bytes;
      this.loadProblems.push({ file, line: 0, message: `expected {"rejected": [...]}; copied to ${UNREADABLE_REVIEW_FILE} before it is rewritten` });
      return;
    }
    list.forEach((entry: unknown, index: number) => {
      if (!isPlainObject(entry) || typeof entry.key !== 'string' || entry.key === '') {
        this.loadProblems.push({ file, line: 0, message: `rejected[${index}] has no "key"; left out` });
        return;
      }
      const text = (field: unknown): string => (typeof field === 'string' ? field : '');
      this.entries.set(entry.key, { key: entry.key, label: text(entry.label), text: text(entry.text), path: text(entry.path) });
    });
  }

  private write(): Promise<void> {
    const run = this.lastWrite
      .catch(() => undefined)
      .then(async () => {
        if (this.unreadable) {
          await writeFileAtomic(this.unreadableFile, this.unreadable);
          this.unreadable = undefined;
        }
        // Snapshot when the write starts: every change made before it is included.
        await writeFileAtomic(this.file, `${JSON.stringify({ rejected: [...this.entries.values()] }, null, 1)}\n`);
      });
    this.lastWrite = run;
    return run;
  }
}
