import { TextFileError } from '../core/util/textFile';
import { EXIT_BAD_INPUT, EXIT_CODES_USAGE, EXIT_OK, exitCodeFor, isBadInput } from './exitCodes';
import { formatHelp } from './help';
import type { CliIO } from './verb';
import { verbs } from './verbs/index';

function usage(): string {
  const lines = ['usage: bert-lens <verb> [options]', '', 'verbs:'];
  for (const verb of verbs) lines.push(`  ${verb.name.padEnd(12)} ${verb.summary}`);
  lines.push('', 'Run `bert-lens <verb> --help` for the options of a verb.', '', EXIT_CODES_USAGE);
  return lines.join('\n') + '\n';
}

/** The one line printed for an error: its first line, with a way out where the CLI knows one. */
function errorLine(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  if (error instanceof TextFileError && error.problem === 'invalid-utf-8') return `${message}; if it is in another encoding, pass --encoding NAME (e.g. --encoding latin1)`;
  return message;
}

/** Runs the CLI and returns the exit code (see EXIT_CODES_USAGE); bad input gives one line on stderr. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout(usage());
    return name ? EXIT_OK : EXIT_BAD_INPUT;
  }
  const verb = verbs.find((v) => v.name === name);
  if (!verb) {
    io.stderr(`bert-lens: unknown verb "${name}" (try --help)\n`);
    return EXIT_BAD_INPUT;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${formatHelp(verb.usage)}\n${EXIT_CODES_USAGE}\n`);
    return EXIT_OK;
  }
  try {
    return await verb.run(rest, io);
  } catch (error) {
    io.stderr(`bert-lens ${verb.name}: ${errorLine(error)}\n`);
    if (process.env.BERT_LENS_DEBUG && error instanceof Error && !isBadInput(error)) io.stderr(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}
