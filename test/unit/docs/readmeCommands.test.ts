// Every CLI command in README.md's bash blocks is run here, offline, on what ships (bundled models,
// samples/), and must exit 0: a README example that stops working fails the suite. Commands that
// cannot run offline are listed in NOT_RUN with the reason; the test also checks that exactly those
// were left out, so the list cannot go stale.
import { mkdtempSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

const ROOT = path.join(__dirname, '..', '..', '..');
const CLI_PREFIXES = [['node', 'dist/cli.js'], ['bert-lens']];
/** Lines of the README's bash blocks that are not CLI commands (the quick start has its own test). */
const NOT_CLI = ['npm run demo', 'npm test'];
/** CLI commands not run, keyed by their arguments joined with single spaces. */
const NOT_RUN: Record<string, string> = {
  'qa samples/workspace/harbour-expansion.txt --question Who approved the expansion? --model deepset/bert-base-cased-squad2 --top-k 3':
    'no question-answering model ships: it is downloaded from the hub (network)',
};

/** Splits a shell line into words: single and double quotes, backslash escapes; no expansions. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word = (word ?? '') + line[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word = word ?? '';
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if (c === '#' && word === undefined) {
      break;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new Error(`unbalanced quote in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The commands of every ```bash block, continuation lines joined. */
export function readmeCommands(readme: string): string[][] {
  const commands: string[][] = [];
  for (const block of readme.matchAll(/```bash\n([\s\S]*?)```/g)) {
    const joined = block[1]!.replace(/\\\n/g, ' ');
    for (const line of joined.split('\n')) {
      const words = shellWords(line);
      if (words.length > 0) commands.push(words);
    }
  }
  return commands;
}

function cliArgs(words: string[]): string[] | undefined {
  const prefix = CLI_PREFIXES.find((p) => p.every((w, i) => words[i] === w));
  return prefix ? words.slice(prefix.length) : undefined;
}

let cwd: string;
const saved = { cache: process.env.BERT_LENS_CACHE, offline: process.env.HF_HUB_OFFLINE };
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-readme-'));

beforeAll(() => {
  // The commands' relative paths resolve as in a clone; what they write (runs/) lands in the scratch folder.
  for (const entry of ['samples', 'models']) symlinkSync(path.join(ROOT, entry), path.join(work, entry));
  cwd = process.cwd();
  process.chdir(work);
  process.env.BERT_LENS_CACHE = path.join(work, 'cache');
  process.env.HF_HUB_OFFLINE = '1';
});
afterAll(() => {
  process.chdir(cwd);
  for (const [key, value] of [['BERT_LENS_CACHE', saved.cache], ['HF_HUB_OFFLINE', saved.offline]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('README.md commands', () => {
  it('shellWords splits as a shell does for the README\'s lines', () => {
    expect(shellWords('a "b c" \'d e\' f\\ g  # comment')).toEqual(['a', 'b c', 'd e', 'f g']);
    expect(shellWords('x --q "Who\'s \\"there\\"?"')).toEqual(['x', '--q', 'Who\'s "there"?']);
    expect(shellWords('# only a comment')).toEqual([]);
  });

  it('every CLI command of the README exits 0 offline; only NOT_RUN is skipped, each with its reason', { timeout: 120_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const commands = readmeCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    const skipped: string[] = [];
    let ran = 0;
    for (const words of commands) {
      const args = cliArgs(words);
      if (!args) {
        expect(NOT_CLI, `a README command that is neither a CLI command nor known: ${words.join(' ')}`).toContain(words.join(' '));
        continue;
      }
      const key = args.join(' ');
      if (key in NOT_RUN) {
        skipped.push(key);
        continue;
      }
      let stderr = '';
      const code = await main(args, { stdout: () => {}, stderr: (t) => (stderr += t) });
      expect(code, `${words.join(' ')}\n${stderr}`).toBe(0);
      ran++;
    }
    expect(ran).toBeGreaterThanOrEqual(5);
    expect(skipped.sort()).toEqual(Object.keys(NOT_RUN).sort());
    for (const reason of Object.values(NOT_RUN)) expect(reason.length).toBeGreaterThan(10);
  });
});
