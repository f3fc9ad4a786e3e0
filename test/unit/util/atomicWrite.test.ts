import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../../src/core/util/atomicWrite';

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-atomic-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** Records, in order, every fsync (with the path its handle was opened on) and every rename. */
async function traceWrite(target: string, options?: { durable?: boolean }): Promise<string[]> {
  const trace: string[] = [];
  const realOpen = fs.open.bind(fs);
  const realRename = fs.rename.bind(fs);
  const openSpy = vi.spyOn(fs, 'open').mockImplementation(async (...args: Parameters<typeof fs.open>) => {
    const handle = await realOpen(...args);
    const opened = String(args[0]);
    const realSync = handle.sync.bind(handle);
    handle.sync = async () => {
      trace.push(`sync ${opened === path.dirname(target) ? 'dir' : path.basename(opened).startsWith(`.${path.basename(target)}.`) ? 'temp' : opened}`);
      return realSync();
    };
    return handle;
  });
  const renameSpy = vi.spyOn(fs, 'rename').mockImplementation(async (...args: Parameters<typeof fs.rename>) => {
    trace.push('rename');
    return realRename(...args);
  });
  try {
    await writeFileAtomic(target, 'content', options);
  } finally {
    openSpy.mockRestore();
    renameSpy.mockRestore();
  }
  return trace;
}

describe('writeFileAtomic', () => {
  it('flushes the file before the rename and its directory after it', async () => {
    const target = path.join(work, 'a.json');
    expect(await traceWrite(target)).toEqual(['sync temp', 'rename', 'sync dir']);
    expect(await fs.readFile(target, 'utf8')).toBe('content');
  });

  it('skips both flushes only when asked (for measuring their cost)', async () => {
    expect(await traceWrite(path.join(work, 'b.json'), { durable: false })).toEqual(['rename']);
  });
});
