import { describe, expect, it } from 'vitest';
import { formatHelp } from '../../../src/cli/help';
import { verbs } from '../../../src/cli/verbs/index';
import { cli } from './harness';

/** The column where an option line's description starts (after the spec and two or more spaces). */
function descriptionColumns(help: string): number[] {
  const columns: number[] = [];
  // After the usage paragraph: option lines, and the indented lines that continue a description.
  for (const line of help.slice(help.indexOf('\n\n')).split('\n')) {
    const option = /^( {2}-\S.*? {2,})\S/.exec(line);
    if (option) columns.push(option[1]!.length);
    else if (/^ {4,}\S/.test(line)) columns.push(line.length - line.trimStart().length);
  }
  return columns;
}

describe('bert-lens VERB --help', () => {
  it('every verb: option descriptions (and their continuation lines) start at one column, usage continuations under the first argument', async () => {
    for (const verb of verbs) {
      const { code, stdout } = await cli(verb.name, '--help');
      expect(code).toBe(0);
      const columns = descriptionColumns(stdout);
      expect(columns.length, verb.name).toBeGreaterThan(2);
      expect(new Set(columns), `${verb.name}:\n${stdout}`).toEqual(new Set([columns[0]]));
      const usage = stdout.slice(0, stdout.indexOf('\n\n')).split('\n');
      const argColumn = `usage: bert-lens ${verb.name} `.length;
      for (const line of usage.slice(1)) expect(line.length - line.trimStart().length, `${verb.name}: ${line}`).toBe(argColumn);
    }
  });

  it('formatHelp puts a too-wide option spec on its own line and keeps other lines as they are', () => {
    const wide = `  --${'x'.repeat(40)} A   wide one`;
    const help = formatHelp(`usage: bert-lens v A\n     [B]\n\nText  with  spaces.\n\n  --a N   short\n${wide}\n            continued\n`);
    expect(help).toBe(`usage: bert-lens v A\n                   [B]\n\nText  with  spaces.\n\n  --a N  short\n  --${'x'.repeat(40)} A\n         wide one\n         continued\n`);
  });
});
