import { describe, expect, it } from 'vitest';
import { withMaskedCopies } from '../../../src/core/train/augment';

const examples = Array.from({ length: 400 }, (_, i) => ({ text: Array.from({ length: 2 + (i % 9) }, (_, w) => `w${i}_${w}`).join(' '), label: i % 2 ? 'POSITIVE' : 'NEGATIVE', line: i + 2 }));
const options = { probability: 0.15, copies: 2, minWords: 3, maskToken: '[MASK]', seed: 5 };

describe('withMaskedCopies', () => {
  it('keeps the originals first, then copies of the long enough examples with their labels', () => {
    const out = withMaskedCopies(examples, options);
    expect(out.slice(0, examples.length)).toEqual(examples);
    const long = examples.filter((e) => e.text.split(' ').length >= 3);
    const copies = out.slice(examples.length);
    expect(copies.length).toBe(2 * long.length);
    copies.forEach((copy, i) => {
      const source = long[i % long.length]!;
      expect(copy.label).toBe(source.label);
      expect(copy.line).toBe(source.line);
      const words = copy.text.split(' ');
      const original = source.text.split(' ');
      expect(words.length).toBe(original.length);
      words.forEach((w, k) => expect(w === '[MASK]' || w === original[k]).toBe(true));
    });
  });

  it('masks about the given share of words, the same way for the same seed', () => {
    const copies = withMaskedCopies(examples, options).slice(examples.length);
    const words = copies.flatMap((c) => c.text.split(' '));
    const share = words.filter((w) => w === '[MASK]').length / words.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.18);
    expect(withMaskedCopies(examples, options)).toEqual(withMaskedCopies(examples, options));
    expect(withMaskedCopies(examples, { ...options, seed: 6 })).not.toEqual(withMaskedCopies(examples, options));
  });

  it('refuses a probability outside (0, 1)', () => {
    expect(() => withMaskedCopies(examples, { ...options, probability: 1 })).toThrow(RangeError);
  });
});
