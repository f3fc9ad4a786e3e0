import { mulberry32 } from './helpers';

/**
 * Fragments of every kind of text a tokenizer must get right, by category. Strings are built by
 * drawing fragments and separators from these with a seeded PRNG, so the corpus is the same on every
 * run and every machine.
 */
const FRAGMENTS: Record<string, readonly string[]> = {
  english: ['The quick brown fox', 'jumps over the lazy dog.', "It's what they'd've done", 'Hello, world!', 'state-of-the-art models', 'e.g. 3.14 and 1,000,000', 'don\'t stop', 'New York City'],
  accents: ['café', 'naïve', 'résumé', 'Ångström', 'façade', 'Müller-Lüdenscheidt', 'São Paulo', 'crème brûlée', 'Łódź', 'İstanbul', 'straße', 'ÉCOLE'],
  cjk: ['東京は日本の首都です', '你好，世界！', '北京大学', 'こんにちは世界', 'カタカナ', '한국어 텍스트', '서울특별시', '漢字かな交じり文'],
  emoji: ['😀', '👍🏽', '👩‍👩‍👧‍👦', '👨🏽‍💻', '🏳️‍🌈', '🇫🇷🇩🇪', '❤️', '🤷‍♀️', '🧑🏿‍🚀', '✨🎉'],
  combining: ['e\u0301te\u0301', 'a\u0308\u0323', 'n\u0303', 'Z\u0351\u0358\u0341a\u0321lgo', 'o\u0302\u0300', '\u0915\u094d\u0937'],
  arabic: ['مرحبا بالعالم', 'اللغة العربية', 'كتاب', 'مُحَمَّد', '١٢٣'],
  devanagari: ['नमस्ते दुनिया', 'हिन्दी भाषा', 'क्षत्रिय', 'संस्कृतम्', '१२३'],
  thai: ['สวัสดีชาวโลก', 'ภาษาไทย', 'กรุงเทพมหานคร'],
  cyrillicGreek: ['Привет, мир', 'Москва', 'Ελληνικά', 'ΑΘΗΝΑ', 'σοφία'],
  urls: ['https://example.com/path?q=1&r=two#frag', 'www.hf.co/bert-base-cased', 'user@example.org', 'ftp://files.example.net/a_b-c.txt'],
  code: ['function f(x) { return x * 2; }', 'if (a && b) { c++; }', 'const s = `${a}`;', 'def main():\n    print("hi")', '<div class="x">y</div>', 'x[i] += y ** 2', '#include <stdio.h>'],
  caps: ['NASA', 'THE UNITED NATIONS', 'HTTP/2 GET', 'USA TODAY', 'IBM', 'LOL!!!'],
  numbers: ['2024-06-01', '12:30', '$1,299.99', '50%', '+1 (555) 123-4567', '3rd', '0xDEADBEEF'],
  whitespace: ['   ', '\t', '\t\t', '\u00a0', '\u3000', ' \u2003 ', '\u200b'],
  special: ['<mask>', '<s>', '</s>', '<unk>', '[CLS]', '[MASK]'],
};

const SEPARATORS = [' ', ' ', ' ', ' ', '  ', '   ', '\t', '\n', '\r\n', '', ' \r\n ', '\n\n'];

/** `count` strings over every category, each category at least count / (2 × categories) times. */
export function varietyCorpus(seed: number, count: number): string[] {
  const rng = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const categories = Object.keys(FRAGMENTS);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // Each string leads with one category in turn, then mixes in fragments of any category.
    const lead = categories[i % categories.length]!;
    const parts = [pick(FRAGMENTS[lead]!)];
    const extra = Math.floor(rng() * 5);
    for (let k = 0; k < extra; k++) parts.push(pick(FRAGMENTS[rng() < 0.5 ? lead : pick(categories)]!));
    let text = '';
    parts.forEach((part, k) => {
      let fragment = part;
      const roll = rng();
      if (roll < 0.08) fragment = fragment.toUpperCase();
      else if (roll < 0.12) fragment = fragment.toLowerCase();
      text += (k === 0 ? '' : pick(SEPARATORS)) + fragment;
    });
    const edge = rng();
    if (edge < 0.05) text = ` ${text}`;
    else if (edge < 0.1) text = `${text} `;
    else if (edge < 0.12) text = `\t${text}\r\n`;
    out.push(text);
  }
  return out;
}
