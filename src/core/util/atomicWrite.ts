import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /**
   * Flush the file before the rename and its directory after it (default true), as VS Code's and
   * SQLite's atomic writes do: without the first, a power loss can leave the renamed file empty;
   * without the second, the rename itself can be lost. Off only to measure what the flushes cost.
   */
  durable?: boolean;
}

/**
 * Writes a file so that readers only ever see the old or the new content: the data goes to a
 * temporary file in the same directory (same filesystem, so rename is atomic), is flushed to disk,
 * and then replaces the target; the directory is flushed so that the rename survives a power loss.
 * On any failure (disk full, kill) the previous file is untouched.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    // writeFile also takes (async) iterables: large files (weights, downloads) stream in chunks.
    await fs.writeFile(handle, data);
    if (durable) await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  if (durable) await syncDirectory(dir);
}

/** Filesystems that cannot fsync a directory say so with these; the rename is done all the same. */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'EISDIR', 'EACCES']);

/**
 * Flushes a directory's entries (a rename or a new file in it) to disk. Windows cannot open a
 * directory for fsync, and NTFS journals renames itself, so there it is a no-op.
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}
