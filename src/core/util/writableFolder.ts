import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A folder that cannot be created or written; the message names it and says why in words. */
export class UnwritableFolderError extends Error {
  override name = 'UnwritableFolderError';
  constructor(readonly dir: string, message: string) {
    super(message);
  }
}

/**
 * Creates `dir` if needed and proves it writable by creating and removing a small file, so that a
 * run whose output cannot be saved fails before its first step rather than at its first checkpoint
 * (permission bits alone do not tell: root ignores them, a read-only mount does not show in them).
 */
export async function ensureWritableFolder(dir: string, what = 'output folder'): Promise<void> {
  const target = path.resolve(dir);
  try {
    await fs.mkdir(target, { recursive: true });
  } catch (error) {
    throw new UnwritableFolderError(target, `cannot create the ${what} ${target}: ${await reason(error, target)}`);
  }
  const probe = path.join(target, `.bert-lens-write-check-${process.pid}`);
  try {
    await fs.writeFile(probe, '');
  } catch (error) {
    throw new UnwritableFolderError(target, `cannot write to the ${what} ${target}: ${await reason(error, target)}`);
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
}

async function reason(error: unknown, target: string): Promise<string> {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied; choose a folder you can write to';
    case 'EROFS':
      return 'the disk is read-only; choose a folder on a writable disk';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the disk';
    case 'ENOTDIR':
    case 'EEXIST': {
      const file = await firstFileOnPath(target);
      return file ? `${file} is a file, not a folder` : (error as Error).message;
    }
    default:
      return (error as Error).message;
  }
}

/** The nearest path on the way to `target` (itself included) that exists and is not a folder. */
async function firstFileOnPath(target: string): Promise<string | undefined> {
  const parts: string[] = [];
  for (let at = target; ; at = path.dirname(at)) {
    parts.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of parts) {
    const stat = await fs.stat(at).catch(() => undefined);
    if (!stat) return undefined;
    if (!stat.isDirectory()) return at;
  }
  return undefined;
}
