import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReadme } from '../../../scripts/readme-tables';

const ROOT = path.join(__dirname, '..', '..', '..');

describe('README', () => {
  it('lists every command and setting of package.json (regenerate: npx tsx scripts/readme-tables.ts)', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(renderReadme(readme, manifest)).toBe(readme);
  });

  it('has a quick start of exactly two commands', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
    const block = /```bash\n([\s\S]*?)```/.exec(section)![1]!;
    const commands = block.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean);
    expect(commands).toEqual(['npm run demo', 'npm test']);
  });
});
