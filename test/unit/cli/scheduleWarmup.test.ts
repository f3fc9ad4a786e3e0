import { describe, expect, it } from 'vitest';
import { cli } from './harness';

describe('bert-lens schedule --warmup-steps larger than --steps', () => {
  it('warns on stderr (HF allows it) and still prints the warmup-only rates', async () => {
    const { code, stdout, stderr } = await cli('schedule', '--type', 'linear', '--lr', '1e-3', '--steps', '4', '--warmup-steps', '10', '--json');
    expect(code).toBe(0);
    expect(stderr).toBe('warning: --warmup-steps 10 exceeds --steps 4: every step is a warmup step (HF allows this)\n');
    // HF linear warmup: lr × step / warmup for every step below the warmup.
    expect(JSON.parse(stdout)).toEqual([0, 1e-4, 2e-4, 3e-4].map((x) => expect.closeTo(x, 15)));
    const ratio = await cli('schedule', '--type', 'linear', '--lr', '1e-3', '--steps', '4', '--warmup-steps', '4', '--json');
    expect(ratio.stderr).toBe('');
  });
});
