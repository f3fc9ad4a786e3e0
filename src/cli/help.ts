/**
 * Lays out a verb's help text so that it reads as a table whatever widths its source lines had
 * (verbs share option lines, e.g. MODEL_FLAGS_USAGE, written with their own padding):
 * - the usage paragraph's continuation lines start under the first argument after the verb;
 * - in option lines (`  --flag ARG   description`, the description after two or more spaces)
 *   every description starts at one column, and a description's continuation lines start there too.
 * An option whose spec is wider than OPTION_SPEC_MAX gets its description on the next line.
 */
export const OPTION_SPEC_MAX = 34;

const OPTION_LINE = /^ {2}(-\S.*?) {2,}(\S.*)$/;
const CONTINUATION = /^ {4,}(\S.*)$/;

export function formatHelp(usage: string): string {
  const lines = usage.replace(/\n+$/, '').split('\n');
  const usageIndent = usageColumn(lines[0] ?? '');
  const specs = lines.map((line) => OPTION_LINE.exec(line)?.[1]).filter((spec): spec is string => spec !== undefined);
  const column = 2 + Math.max(0, ...specs.map((s) => s.length).filter((n) => n <= OPTION_SPEC_MAX)) + 2;
  const out: string[] = [];
  let inUsage = true;
  let afterOption = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') {
      inUsage = false;
      afterOption = false;
      out.push('');
      continue;
    }
    if (inUsage && i > 0 && usageIndent !== undefined) {
      out.push(' '.repeat(usageIndent) + line.trim());
      continue;
    }
    const option = OPTION_LINE.exec(line);
    if (option) {
      const [, spec, description] = option as unknown as [string, string, string];
      const head = `  ${spec}`;
      if (head.length + 2 > column) out.push(head, ' '.repeat(column) + description);
      else out.push(head.padEnd(column) + description);
      afterOption = true;
      continue;
    }
    const continuation = afterOption ? CONTINUATION.exec(line) : null;
    if (continuation) {
      out.push(' '.repeat(column) + continuation[1]);
      continue;
    }
    afterOption = /^ {2}-/.test(line);
    out.push(line);
  }
  return out.join('\n') + '\n';
}

/** `usage: bert-lens VERB ` → its length, where wrapped usage lines continue. */
function usageColumn(first: string): number | undefined {
  const match = /^usage: bert-lens \S+ /.exec(first);
  return match ? match[0].length : undefined;
}
