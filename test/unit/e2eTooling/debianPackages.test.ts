import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGES, REPO_ROOT } from '../../../scripts/e2e/layout';

// demo.mjs runs before npm ci and .ci/run is bash, so neither can import the list: they repeat it.
describe('Debian package list', () => {
  it('is the same in scripts/demo.mjs', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'scripts', 'demo.mjs'), 'utf8');
    const listed = /const debianPackages = \[([^\]]*)\]/.exec(text)?.[1];
    expect(listed, 'demo.mjs declares const debianPackages = [...]').toBeDefined();
    expect([...listed!.matchAll(/'([^']+)'/g)].map((m) => m[1])).toEqual([...DEBIAN_PACKAGES]);
  });

  it('is the same in .ci/run', () => {
    const text = fs.readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
    const listed = /^packages=\(([^)]*)\)/m.exec(text)?.[1];
    expect(listed, '.ci/run declares packages=(...)').toBeDefined();
    expect(listed!.trim().split(/\s+/)).toEqual([...DEBIAN_PACKAGES]);
  });
});
