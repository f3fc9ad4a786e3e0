import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite';
import { isCommitHash } from './modelId';

/**
 * The cache uses the layout of the Python `huggingface_hub` cache, so that models already
 * downloaded with transformers are found offline, and ours are usable from Python:
 *
 *   <cacheDir>/models--<owner>--<name>/
 *     refs/<revision>                 commit hash the revision (e.g. main) resolved to
 *     snapshots/<commit>/<file>       the files, in the HF folder layout (onnx/model.onnx, ...)
 *     .no_exist/<commit>/<file>       empty marker: the repo has no such file at that commit
 *
 * Python stores blobs once under blobs/ and symlinks them from snapshots/; we write files directly
 * into snapshots/, which is what huggingface_hub itself does where symlinks are unavailable (Windows),
 * and which it reads back fine. Symlinked files written by Python are read through the links.
 *
 * Files only ever appear in snapshots/ by an atomic rename of a fully downloaded and verified
 * temporary file, so a file that exists is complete.
 */

/** `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (as huggingface_hub). */
export function defaultHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  const home = env.HF_HOME ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'huggingface');
  return path.join(home, 'hub');
}

export class HubRepoCache {
  readonly repoDir: string;

  constructor(cacheDir: string, modelId: string) {
    this.repoDir = path.join(cacheDir, `models--${modelId.split('/').join('--')}`);
  }

  snapshotDir(commit: string): string {
    return path.join(this.repoDir, 'snapshots', commit);
  }

  filePath(commit: string, file: string): string {
    return path.join(this.snapshotDir(commit), ...file.split('/'));
  }

  /** The commit a revision resolved to last time; a commit hash resolves to itself. */
  async readRef(revision: string): Promise<string | undefined> {
    if (isCommitHash(revision)) return revision;
    const text = await fs.readFile(this.refPath(revision), 'utf8').catch(() => undefined);
    const commit = text?.trim();
    return commit && isSafeSnapshotName(commit) ? commit : undefined;
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if (isCommitHash(revision) || revision === commit) return;
    await writeFileAtomic(this.refPath(revision), commit);
  }

  async has(commit: string, file: string): Promise<boolean> {
    return (await fs.stat(this.filePath(commit, file)).catch(() => undefined))?.isFile() ?? false;
  }

  async isKnownMissing(commit: string, file: string): Promise<boolean> {
    return (await fs.stat(this.noExistPath(commit, file)).catch(() => undefined)) !== undefined;
  }

  async markMissing(commit: string, file: string): Promise<void> {
    await writeFileAtomic(this.noExistPath(commit, file), '');
  }

  private refPath(revision: string): string {
    return path.join(this.repoDir, 'refs', ...revision.split('/'));
  }

  private noExistPath(commit: string, file: string): string {
    return path.join(this.repoDir, '.no_exist', commit, ...file.split('/'));
  }
}

/** Commit hashes come from response headers: accept only names that cannot escape the cache. */
export function isSafeSnapshotName(name: string): boolean {
  return /^[\w.-]{1,128}$/.test(name) && name !== '.' && name !== '..';
}
