import { describe, expect, it } from 'vitest';
import { paragraphExcerpt } from '../../../src/cli/verbs/classify';
import { cli, fixtureModel, scratch } from './harness';

const { file } = scratch('classify-paragraphs');

describe('bert-lens classify --per-paragraph', () => {
  it('prints each paragraph\'s offsets, its first words and its labels; --json keeps offsets only', async () => {
    const text = 'The movie was good, warm and surprisingly funny all along.\n\n\u001b[31mRED\u001b[0m alert\u0007 \u202eevil\u202c text\n';
    const target = file('paragraphs.txt', text);
    const model = fixtureModel('sequence-classification');
    const plain = await cli('classify', target, '--per-paragraph', '--model', model, '--threads', '1');
    expect(plain.code).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^0-58 {10}"The movie was good, warm and…" {2}\S+ \d\.\d{3}/);
    // ESC sequences, BEL and bidi overrides never reach the terminal.
    expect(lines[1]).toMatch(/^60-\d+ +"\[31mRED\[0m alert evil text" {2}\S+ \d\.\d{3}/);
    // eslint-disable-next-line no-control-regex -- the test is about control characters
    expect(plain.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const json = JSON.parse((await cli('classify', target, '--per-paragraph', '--model', model, '--json', '--threads', '1')).stdout) as Array<Record<string, unknown>>;
    expect(Object.keys(json[0]!).sort()).toEqual(['end', 'results', 'start']);
  });

  it('paragraphExcerpt: at most six words and forty characters, whitespace folded, an ellipsis when cut', () => {
    expect(paragraphExcerpt('  one\ttwo\n three ')).toBe('one two three');
    expect(paragraphExcerpt('a b c d e f g')).toBe('a b c d e f…');
    expect(paragraphExcerpt('x'.repeat(50))).toBe(`${'x'.repeat(40)}…`);
    expect(paragraphExcerpt('😀'.repeat(45))).toBe(`${'😀'.repeat(40)}…`);
  });
});
