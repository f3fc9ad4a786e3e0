import { Random } from '../util/random';

export interface MaskedCopyOptions {
  /** Chance that a word of a copy becomes the mask token. */
  probability: number;
  /** Masked copies per example. */
  copies: number;
  /** Examples with fewer words get no copy (masking a word of two changes what they say). */
  minWords: number;
  /** The tokenizer's mask token as it is written in text (BERT: [MASK]). */
  maskToken: string;
  seed: number;
}

/**
 * Word-masking augmentation for text classification (word dropout, Iyyer et al. 2015; the "token
 * cutoff" of Shen et al. 2020): each copy of an example keeps its label and replaces each word, with
 * `probability`, by the mask token. A model trained from scratch on short phrases (SST-2) otherwise
 * memorises them; with copies that lack some words it has to use the others. Seeded; the originals
 * come first, then the copies in order.
 */
export function withMaskedCopies<T extends { text: string }>(examples: readonly T[], options: MaskedCopyOptions): T[] {
  if (!(options.probability > 0 && options.probability < 1)) throw new RangeError(`masking probability must be in (0, 1), got ${options.probability}`);
  const random = new Random(options.seed);
  const copies: T[] = [];
  for (let copy = 0; copy < options.copies; copy++) {
    for (const example of examples) {
      const words = example.text.trim().split(/\s+/).filter((w) => w !== '');
      if (words.length < options.minWords) continue;
      const text = words.map((word) => (random.next() < options.probability ? options.maskToken : word)).join(' ');
      copies.push({ ...example, text });
    }
  }
  return [...examples, ...copies];
}
