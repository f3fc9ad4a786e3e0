import { promises as fs } from 'node:fs';
import { vi } from 'vitest';

export const enospc = (): NodeJS.ErrnoException => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/**
 * A full disk without filling one: writes through a file handle opened on a path that `match`
 * accepts write the first half of their data (the part that fit) and then fail with `error`;
 * fs.writeFile on such a path fails at once.
 * `failed` lists the paths whose writes failed.
 */
export function failWrites(match: (file: string) => boolean, error: () => Error = enospc): { failed: string[]; restore(): void } {
  const doomed = new WeakMap<object, string>();
  const failed: string[] = [];
  const realOpen = fs.open.bind(fs);
  const realWriteFile = fs.writeFile.bind(fs);
  const openSpy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await realOpen(...args);
    if (match(String(args[0]))) doomed.set(handle, String(args[0]));
    return handle;
  });
  const writeSpy = vi.spyOn(fs, 'writeFile').mockImplementation(async (...args: Parameters<typeof fs.writeFile>) => {
    if (typeof args[0] === 'string' && match(args[0])) {
      failed.push(args[0]);
      throw error();
    }
    const file = typeof args[0] === 'object' ? doomed.get(args[0] as object) : undefined;
    if (file === undefined) return realWriteFile(...args);
    const data = args[1];
    const bytes = typeof data === 'string' ? Buffer.from(data) : data instanceof Uint8Array ? data : Array.isArray(data) ? Buffer.concat(data as Uint8Array[]) : new Uint8Array(0);
    await realWriteFile(args[0], bytes.subarray(0, bytes.byteLength >> 1));
    failed.push(file);
    throw error();
  });
  return {
    failed,
    restore() {
      openSpy.mockRestore();
      writeSpy.mockRestore();
    },
  };
}
