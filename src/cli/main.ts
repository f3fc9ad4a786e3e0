import { UsageError } from './args';
import type { CliIO } from './verb';
import { verbs } from './verbs/index';

function usage(): string {
  const lines = ['usage: bert-lens <verb> [options]', '', 'verbs:'];
  for (const verb of verbs) lines.push(`  ${verb.name.padEnd(12)} ${verb.summary}`);
  lines.push('', 'Run `bert-lens <verb> --help` for the options of a verb.');
  return lines.join('\n') + '\n';
}

/** Runs the CLI and returns the exit code; bad input gives one line on stderr and a non-zero code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  const verb = verbs.find((v) => v.name === name);
  if (!verb) {
    io.stderr(`bert-lens: unknown verb "${name}" (try --help)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(verb.usage.endsWith('\n') ? verb.usage : verb.usage + '\n');
    return 0;
  }
  try {
    return await verb.run(rest, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`bert-lens ${verb.name}: ${message.split('\n')[0]}\n`);
    if (process.env.BERT_LENS_DEBUG && error instanceof Error && !(error instanceof UsageError)) io.stderr(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
