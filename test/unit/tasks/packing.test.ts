import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import type { Tokenizer } from '../../../src/core/runtime/tokenizer/tokenizer';
import { packSegments, type PackedWindow, type PackOptions } from '../../../src/core/tasks/shared/packing';
import { segmentRanges, type SegmentationMode } from '../../../src/core/tasks/shared/segmentation';

const MODEL = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = await loadTokenizer(MODEL);
});

function pack(text: string, mode: SegmentationMode, options: Partial<PackOptions> = {}): PackedWindow[] {
  return [...packSegments(tokenizer, text, segmentRanges(text, mode), { maxLength: 32, stride: 8, packing: 'context', ...options })];
}

function contentOf(window: PackedWindow): number[] {
  return window.encoding.ids.filter((_, t) => !window.encoding.specialTokensMask[t]);
}

const SENTENCES = [
  'John Smith went to London.', 'The city has a new film.', 'Google said it was the first one.',
  'Paris is in France.', 'She was born in Berlin in 1990.', 'The war ended.',
];

describe('packSegments', () => {
  it('packs whole segments in order, each window [CLS] … [SEP] within maxLength, without overlap', () => {
    const text = SENTENCES.join(' ');
    const windows = pack(text, 'sentence');
    expect(windows.length).toBeGreaterThan(1);
    const segments = segmentRanges(text, 'sentence');
    let segment = 0;
    for (const window of windows) {
      const { encoding } = window;
      expect(encoding.ids.length).toBeLessThanOrEqual(32);
      expect(encoding.tokens[0]).toBe('[CLS]');
      expect(encoding.tokens[encoding.tokens.length - 1]).toBe('[SEP]');
      expect(window.stridedGroup).toBeUndefined();
      for (const [from, to] of window.segmentTokens) {
        // Each packed segment is exactly that segment tokenized alone, offsets shifted into the text.
        const [start, end] = segments[segment++]!;
        const alone = tokenizer.encode(text.slice(start, end));
        expect(encoding.ids.slice(from, to)).toEqual(alone.ids.slice(1, -1));
        expect(encoding.offsets.slice(from, to)).toEqual(alone.offsets.slice(1, -1).map(([s, e]) => [s + start, e + start]));
      }
    }
    expect(segment).toBe(segments.length);
    // Greedy: the next window's first segment would not have fitted in the previous window.
    for (let w = 1; w < windows.length; w++) {
      const firstOfNext = windows[w]!.segmentTokens[0]!;
      expect(contentOf(windows[w - 1]!).length + firstOfNext[1] - firstOfNext[0]).toBeGreaterThan(30);
    }
  });

  it('renumbers word ids so that no word spans two segments', () => {
    const text = SENTENCES.slice(0, 2).join(' ');
    const [window] = pack(text, 'sentence', { maxLength: 64 });
    expect(window!.segmentTokens).toHaveLength(2);
    const [first, second] = window!.segmentTokens as [[number, number], [number, number]];
    const wordsOf = ([a, b]: [number, number]): Set<number> => new Set(window!.encoding.wordIds.slice(a, b) as number[]);
    const shared = [...wordsOf(first)].filter((w) => wordsOf(second).has(w));
    expect(shared).toEqual([]);
  });

  it('uses as many tokens as the whole document tokenized at once (no token lost or added)', () => {
    const text = `${SENTENCES.join('\n')}\r\n\r\n${SENTENCES.join(' ')}`;
    const whole = tokenizer.encode(text, { addSpecialTokens: false });
    const windows = pack(text, 'line');
    const packed = windows.flatMap(contentOf);
    expect(packed).toEqual(whole.ids);
  });

  it('isolated packing puts one segment per window', () => {
    const text = SENTENCES.join(' ');
    const windows = pack(text, 'sentence', { packing: 'isolated', maxLength: 512 });
    expect(windows.map((w) => w.segmentTokens.length)).toEqual(SENTENCES.map(() => 1));
  });

  it('falls back to strided windows inside a segment longer than one window, and only there', () => {
    const long = Array.from({ length: 40 }, (_, i) => SENTENCES[i % SENTENCES.length]!.replace('.', ',')).join(' ') + '.';
    const text = `Short one. ${long} Another short.`;
    const windows = pack(text, 'sentence');
    const [longStart, longEnd] = segmentRanges(text, 'sentence')[1]!;
    expect(windows[0]!.stridedGroup).toBeUndefined();
    expect(windows[windows.length - 1]!.stridedGroup).toBeUndefined();
    const strided = windows.filter((w) => w.stridedGroup !== undefined);
    expect(strided.length).toBe(windows.length - 2);
    // The same windows as today's over that segment alone, offsets shifted.
    const today = tokenizer.windows(text.slice(longStart, longEnd), { maxLength: 32, stride: 8 });
    expect(strided.map((w) => w.encoding.ids)).toEqual(today.map((e) => e.ids));
    for (const w of strided) {
      for (let t = 0; t < w.encoding.ids.length; t++) {
        if (w.encoding.specialTokensMask[t]) continue;
        const [s, e] = w.encoding.offsets[t]!;
        expect(s >= longStart && e <= longEnd).toBe(true);
      }
    }
  });

  it('is bounded on one 5 MB line: strided windows by blocks, exact offsets', () => {
    const text = 'Paris '.repeat(850_000);
    let windows = 0;
    let lastEnd = 0;
    let wrong = 0;
    for (const window of packSegments(tokenizer, text, segmentRanges(text, 'sentence'), { maxLength: 512, stride: 128, packing: 'context' })) {
      windows++;
      const [from, to] = window.segmentTokens[0]!;
      for (let t = from; t < to; t++) {
        const [s, e] = window.encoding.offsets[t]!;
        if (text.slice(s, e) !== 'Paris') wrong++;
        lastEnd = Math.max(lastEnd, e);
      }
    }
    expect(wrong).toBe(0);
    expect(lastEnd).toBe(text.length - 1);
    expect(windows).toBeGreaterThan(850_000 / 510);
  });

  it('packs 5,000 one-word lines into few windows and a line of 10,000 emoji as one segment', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'London' : 'Paris')).join('\r\n');
    const windows = pack(lines, 'line', { maxLength: 512 });
    expect(windows.reduce((n, w) => n + w.segmentTokens.length, 0)).toBe(5000);
    expect(windows.length).toBe(Math.ceil(5000 / 510));
    const emoji = '😀'.repeat(10_000);
    const emojiWindows = pack(emoji, 'sentence', { maxLength: 512 });
    for (const w of emojiWindows) {
      for (const [s, e] of w.encoding.offsets.filter((_, t) => !w.encoding.specialTokensMask[t])) expect(emoji.slice(s, e)).toBe('😀'.repeat((e - s) / 2));
    }
  });

  it('refuses a window with no room besides the special tokens', () => {
    expect(() => pack('a b.', 'sentence', { maxLength: 2 })).toThrow(/no room besides the 2 special tokens/);
  });
});
