import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The tasks that have a model shipped inside the extension/CLI (see models/README.md). */
export type BundledTask = 'ner' | 'sentiment';

/**
 * The package root: dist/*.js sits one level below it once bundled; under vitest/tsx the source
 * file sits three levels below (src/core/runtime).
 */
function packageRoot(): string {
  const candidates = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', '..')];
  return candidates.find((dir) => existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models'))) ?? candidates[0]!;
}

export function bundledModelDir(task: BundledTask): string {
  return path.join(packageRoot(), 'models', task);
}
