import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The read-only datasets beside the checkout (../shared/data, see its README), or $BERT_LENS_DATA.
 * Never copied into the repository; tests that need them skip, saying so, when they are absent.
 */
export const SHARED_DATA = path.resolve(process.env.BERT_LENS_DATA ?? path.join(__dirname, '..', '..', 'shared', 'data'));

/** True when every named file exists under SHARED_DATA; otherwise warns once for the test file. */
export function haveSharedData(testFile: string, ...files: string[]): boolean {
  const missing = files.filter((file) => !existsSync(path.join(SHARED_DATA, file)));
  if (missing.length > 0) console.warn(`${testFile}: ${missing.map((f) => path.join(SHARED_DATA, f)).join(', ')} absent; the checks on the shared datasets are skipped`);
  return missing.length === 0;
}
