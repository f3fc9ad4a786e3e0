// Runs once before the e2e scenarios: installs the cached tools and builds the .vsix that every
// scenario installs. Any failure here fails the run with its reason; nothing is skipped.
import type { TestProject } from 'vitest/node';
import { packageVsix } from '../../scripts/e2e/packageVsix';
import { ensureE2eTools, type E2eTools } from '../../scripts/e2e/tools';

declare module 'vitest' {
  export interface ProvidedContext {
    e2eTools: E2eTools;
    vsixPath: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  let started = Date.now();
  const tools = await ensureE2eTools();
  console.log(`[e2e] tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${tools.codeServerVersion})`);
  started = Date.now();
  const vsix = await packageVsix();
  console.log(`[e2e] packaged ${vsix.path} (${(vsix.sizeBytes / 1e6).toFixed(2)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('e2eTools', tools);
  project.provide('vsixPath', vsix.path);
}
