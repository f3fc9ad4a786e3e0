/**
 * Minimal GNU-style argument parsing shared by every verb: `--flag value`, `--flag=value`,
 * boolean `--flag`, and positionals. Unknown flags are an error so that typos never pass silently.
 */
export class UsageError extends Error {}

export interface FlagSpec {
  /** 'string' flags take a value; 'boolean' flags do not. */
  [flag: string]: 'string' | 'boolean';
}

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq >= 0) {
      flags.set(name, arg.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i++;
    }
  }
  return { positionals, flags };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}

export function numberFlag(args: ParsedArgs, name: string, options: { integer?: boolean; min?: number } = {}): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (options.integer && !Number.isInteger(value)) throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  if (options.min !== undefined && value < options.min) throw new UsageError(`--${name} must be ≥ ${options.min}, got ${raw}`);
  return value;
}
