import { promises as fs } from 'node:fs';
import * as path from 'node:path';

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

export function isDiskFull(error: unknown): boolean {
  return DISK_FULL.has((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Bytes free to this user on the filesystem of `at` (or of its nearest existing parent); undefined if unknown. */
export async function freeBytes(at: string): Promise<number | undefined> {
  for (let dir = path.resolve(at); ; dir = path.dirname(dir)) {
    const stats = await fs.statfs(dir).catch(() => undefined);
    if (stats) return stats.bavail * stats.bsize;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * Why writing `file` (one file of a save that needs `neededBytes` in all) failed, in one sentence:
 * for a full disk, how much the save needs and how much is free, so the user knows what to clear.
 */
export async function describeWriteFailure(error: unknown, file: string, neededBytes: number): Promise<string> {
  if (isDiskFull(error)) {
    const free = await freeBytes(path.dirname(file));
    const freeText = free === undefined ? '' : `, ${formatBytes(free)} are free there`;
    return `writing ${file} failed: no space left on the disk (the save needs about ${formatBytes(neededBytes)}${freeText})`;
  }
  return `writing ${file} failed (${(error as Error).message})`;
}
