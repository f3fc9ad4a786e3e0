import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..', '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The .vsix size BENCHMARKS.md § Packaging records (the one place it is measured). */
function benchmarkedVsixMb(): string {
  const benchmarks = read('BENCHMARKS.md');
  const section = benchmarks.slice(benchmarks.indexOf('\n## Packaging'));
  const size = /\.vsix`?:\s*\*\*(\d+(?:\.\d+)?) MB\*\*/.exec(section);
  if (!size) throw new Error('BENCHMARKS.md § Packaging no longer states the .vsix size as **N MB**');
  return size[1]!;
}

describe('test/e2e/README.md', () => {
  it('states no .vsix size of its own that differs from BENCHMARKS § Packaging, and points there', () => {
    const readme = read('test/e2e/README.md');
    const current = benchmarkedVsixMb();
    for (const line of readme.split('\n').filter((l) => l.includes('.vsix'))) {
      for (const figure of line.matchAll(/(\d+(?:\.\d+)?) MB/g)) expect(figure[1], line).toBe(current);
    }
    expect(readme).toContain('(../../BENCHMARKS.md#packaging)');
  });
});
