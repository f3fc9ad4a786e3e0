import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/main';

/** Runs `bert-lens ARGV` in-process and collects what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

export const FIXTURE_MODELS = path.join(__dirname, '..', '..', 'fixtures', 'models');
export const fixtureModel = (name: string): string => path.join(FIXTURE_MODELS, name);

/** A scratch folder per test file; graphs converted from safetensors go to its cache, not the user's. */
export function scratch(prefix: string): { dir: string; file: (name: string, content: string | Uint8Array) => string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `bert-lens-${prefix}-`));
  process.env.BERT_LENS_CACHE = path.join(dir, 'cache');
  return {
    dir,
    file: (name, content) => {
      const target = path.join(dir, name);
      writeFileSync(target, content);
      return target;
    },
  };
}
