import { describe, expect, it } from 'vitest';
import { cli, fixtureModel, scratch } from './harness';

const { file } = scratch('classify-segmentation');

describe('bert-lens classify --segmentation', () => {
  it('cuts a text longer than one window by sentences unless told none; a bad mode exits 2 before any model loads', async () => {
    const model = fixtureModel('sequence-classification');
    // About 150 tokens: three windows of the fixture model's 64.
    const text = Array.from({ length: 15 }, (_, i) => (i % 2 ? 'It was a terrible film and the actors were bored.' : 'The movie was good.')).join(' ');
    const target = file('long.txt', text);
    const scores = async (...flags: string[]) => {
      const run = await cli('classify', target, '--model', model, '--function-to-apply', 'none', '--json', '--threads', '1', ...flags);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return Object.fromEntries((JSON.parse(run.stdout) as Array<{ label: string; score: number }>).map((r) => [r.label, r.score]));
    };
    const byDefault = await scores();
    expect(await scores('--segmentation', 'line')).toEqual(byDefault);
    const none = await scores('--segmentation', 'none');
    expect(none.POSITIVE).not.toBeCloseTo(byDefault.POSITIVE!, 6);
    const bad = await cli('classify', target, '--model', '/nonexistent', '--segmentation', 'words');
    expect(bad).toEqual({ code: 2, stdout: '', stderr: 'bert-lens classify: --segmentation must be one of sentence, line, none, got "words"\n' });
  });
});
