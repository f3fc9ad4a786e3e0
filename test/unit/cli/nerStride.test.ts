import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

describe('bert-lens ner --stride', () => {
  it('refuses a stride of at least --max-length even for a text that fits one window', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ner-stride-')), 'short.txt');
    writeFileSync(file, 'Ada Lovelace lived in London.');
    let stderr = '';
    const code = await main(['ner', file, '--max-length', '16', '--stride', '16'], { stdout: () => {}, stderr: (t) => (stderr += t) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--stride 16 must be smaller than --max-length 16/);
  });
});
