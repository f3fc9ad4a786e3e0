import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

interface ReferenceCase {
  type: string;
  lr: number;
  steps: number;
  options: Record<string, number>;
  lrs: number[];
}
const reference = JSON.parse(readFileSync(join(__dirname, '../../fixtures/train/schedules.json'), 'utf8')) as { cases: ReferenceCase[] };

function flagsOf(c: ReferenceCase): string[] {
  const flags = ['--type', c.type, '--lr', String(c.lr), '--steps', String(c.steps)];
  for (const [key, value] of Object.entries(c.options)) flags.push(`--${key.replace(/_/g, '-')}`, String(value));
  return flags;
}

describe('bert-lens schedule', () => {
  it('prints the torch LambdaLR learning rates as a JSON array for every reference case', async () => {
    for (const c of reference.cases) {
      const { code, stdout, stderr } = await cli('schedule', ...flagsOf(c), '--json');
      const longWarmup = (c.options.warmup_steps ?? 0) > c.steps;
      expect(stderr).toBe(longWarmup ? `warning: --warmup-steps ${c.options.warmup_steps} exceeds --steps ${c.steps}: every step is a warmup step (HF allows this)\n` : '');
      expect(code).toBe(0);
      const rates = JSON.parse(stdout) as number[];
      expect(rates).toHaveLength(c.steps);
      rates.forEach((r, i) => expect(Math.abs(r - c.lrs[i]!)).toBeLessThanOrEqual(1e-15 * c.lrs[i]!));
    }
  });

  it('draws the curve with axis labels when --json is absent', async () => {
    const { code, stdout } = await cli('schedule', '--type', 'linear', '--lr', '5e-5', '--steps', '100', '--warmup-ratio', '0.1');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('linear  lr 0.00005  steps 100  warmup 10  peak 0.00005000  last 5.556e-7');
    expect(lines[1]).toMatch(/^5\.00e-5 ┤[\u2800-\u28ff]{50}$/);
    expect(lines[12]).toMatch(/^ {6}0 ┤[\u2800-\u28ff]{50}$/);
    expect(lines[13]).toBe(`        └${'─'.repeat(50)}`);
    expect(lines[14]).toMatch(/^ +step 0 +step 99$/);
    // Step 0 of a warmup has lr 0: the first dot column of the bottom row holds the lowest dot (⡀ = dot 7).
    expect(lines[12]!.codePointAt(9)! & 0x40).toBe(0x40);
    // The peak (step 10, x ≈ 10/99 of the width) reaches the top row.
    expect(lines[1]!.slice(9).split('').some((ch) => ch !== '\u2800')).toBe(true);
  });

  it('answers bad input with exit code 2 and one line', async () => {
    const cases: [string[], string][] = [
      [['--lr', '1e-3', '--steps', '4'], '--type is required'],
      [['--type', 'triangle', '--lr', '1e-3', '--steps', '4'], 'unknown --type "triangle"'],
      [['--type', 'linear', '--steps', '4'], '--lr is required'],
      [['--type', 'linear', '--lr', '1e-3', '--steps', '0'], '--steps must be ≥ 1'],
      [['--type', 'linear', '--lr', '1e-3', '--steps', '2.5'], '--steps must be an integer'],
      [['--type', 'linear', '--lr', 'abc', '--steps', '4'], '--lr must be a number'],
      [['--type', 'linear', '--lr', '-1', '--steps', '4'], 'learning rate must be a positive number'],
      [['--type', 'linear', '--lr', '1e-3', '--steps', '4', '--warmup-steps', '1', '--warmup-ratio', '0.1'], 'not both'],
      [['--type', 'linear', '--lr', '1e-3', '--steps', '4', '--warmup-ratio', '2'], 'warmup_ratio must be in [0, 1]'],
      [['--type', 'linear', '--lr', '1e-3', '--steps', '4', '--num-cycles', '2'], '--num-cycles applies to cosine and cosine_with_restarts only'],
      [['--type', 'constant', '--lr', '1e-3', '--steps', '4', '--warmup-steps', '2'], 'constant has no warmup; use --type constant_with_warmup'],
      [['--type', 'polynomial', '--lr', '1e-8', '--steps', '4'], 'lr_end (1e-7) must be smaller than initial lr (1e-8)'],
      [['--type', 'cosine_with_restarts', '--lr', '1e-3', '--steps', '4', '--num-cycles', '0.5'], 'num_cycles must be an integer ≥ 1'],
    ];
    for (const [argv, message] of cases) {
      const { code, stdout, stderr } = await cli('schedule', ...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(message);
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });

  it('documents its options in --help', async () => {
    const { code, stdout } = await cli('schedule', '--help');
    expect(code).toBe(0);
    for (const flag of ['--type', '--lr', '--steps', '--warmup-steps', '--warmup-ratio', '--num-cycles', '--power', '--lr-end', '--timescale', '--json']) {
      expect(stdout).toContain(flag);
    }
  });
  it('refuses more steps than the panel preview lists instead of running out of memory', async () => {
    const result = await cli('schedule', '--type', 'linear', '--lr', '1e-3', '--steps', '1e9', '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/at most 1000000/);
  });

  it('warns when warmup is longer than training', async () => {
    const result = await cli('schedule', '--type', 'linear', '--lr', '1e-3', '--steps', '4', '--warmup-steps', '10', '--json');
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warmup-steps 10 exceeds --steps 4/);
    expect(JSON.parse(result.stdout)).toHaveLength(4);
  });
});
