import * as path from 'node:path';
import { buildFixture, FIXTURES } from './fixtureModels';

/** `npm run fixtures`: writes test/fixtures/models/<name>/ for every fixture head. */
async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'test', 'fixtures', 'models'));
  for (const spec of FIXTURES) {
    const dir = await buildFixture(root, spec);
    process.stdout.write(`${path.relative(process.cwd(), dir)}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`build-fixtures: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
