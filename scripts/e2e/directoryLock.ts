// A cross-process lock made of a directory (mkdir is atomic). Holds the owner's pid so a lock left
// by a process that died is recognised and taken over instead of blocking forever.
import * as fs from 'node:fs';
import * as path from 'node:path';

function ownerAlive(lockDir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM means the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withDirectoryLock<T>(lockDir: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock without a readable pid may be one being created right now: give it a moment.
      const stat = fs.statSync(lockDir, { throwIfNoEntry: false });
      if (!stat) continue;
      if (!ownerAlive(lockDir) && Date.now() - stat.mtimeMs > 2_000) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the lock ${lockDir}`);
      if (!announced) {
        process.stderr.write(`[e2e] waiting for another setup to release ${lockDir}\n`);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
