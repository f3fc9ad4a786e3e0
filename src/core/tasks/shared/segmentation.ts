/**
 * Splits a document into segments (sentences, or lines) so that windows of a model input can hold
 * whole segments and entities never run from one segment into the next.
 *
 * - `sentence`: a blank line (a line break followed by another, with only whitespace between) and a
 *   sentence end are boundaries; a single line break inside a paragraph is not (hard-wrapped prose).
 * - `line`: every line break is a boundary too (lists, titles, CSV-like text), plus sentence ends.
 * - `none`: the whole text is one segment (the behaviour before segmentation existed).
 *
 * Sentence ends come from ICU's sentence break rules (UAX #29) through `Intl.Segmenter`, built into
 * Node. V8's segmenter costs time proportional to the string's length for every segment it yields
 * (200 KB of prose: 1.4 s, 5 MB: many minutes), so it is run over windows of the text (icuSentences),
 * which keeps the whole linear. ICU's root rules break after
 * "Dr." and "J." before a capital; such breaks after a known abbreviation or a single-letter initial
 * are undone here, unless a line break (a hard boundary in the mode) follows.
 *
 * Segments are [start, end) UTF-16 ranges into the exact text, trimmed of surrounding whitespace,
 * never empty, in order and disjoint. CR, LF and CRLF are all line breaks (CRLF counts once).
 */
export type SegmentationMode = 'sentence' | 'line' | 'none';

export const SEGMENTATION_MODES: readonly SegmentationMode[] = ['sentence', 'line', 'none'];

/** How the segments packed into one window see each other (see packing.ts). */
export type SegmentPacking = 'context' | 'isolated';

export const SEGMENT_PACKINGS: readonly SegmentPacking[] = ['context', 'isolated'];

/** The defaults of the NER pipeline, the editor setting and the CLI (measured: BENCHMARKS.md § Sentence-aware windows). */
export const DEFAULT_SEGMENTATION: SegmentationMode = 'line';
export const DEFAULT_SEGMENT_PACKING: SegmentPacking = 'isolated';

/** The config.json key where a model folder states the packing it was trained for (HF ignores unknown keys). */
export const MODEL_PACKING_KEY = 'bert_lens_packing';

/**
 * The packing a model asks for (config.json `bert_lens_packing`: "isolated" or "context"), else
 * DEFAULT_SEGMENT_PACKING; any other value is ignored. A packing the user chose (the
 * bertLens.inference.segmentPacking setting, --packing) is passed as an option and wins over this.
 */
export function segmentPackingOf(config: Readonly<Record<string, unknown>>): SegmentPacking {
  const stated = config[MODEL_PACKING_KEY];
  return SEGMENT_PACKINGS.includes(stated as SegmentPacking) ? (stated as SegmentPacking) : DEFAULT_SEGMENT_PACKING;
}

/** Words after whose period ICU's break is a false sentence end (English titles and Latin short forms). */
const ABBREVIATIONS = new Set([
  'Dr', 'Mr', 'Mrs', 'Ms', 'Mx', 'Prof', 'Sr', 'Jr', 'St', 'Mt', 'Gen', 'Col', 'Capt', 'Lt', 'Sgt', 'Rev', 'Hon', 'Gov', 'Sen', 'Rep',
  'e.g', 'i.e', 'cf', 'vs', 'approx', 'No', 'Nos', 'Fig', 'Figs', 'Vol', 'pp', 'ca', 'Co', 'Corp', 'Ltd',
]);

let segmenter: Intl.Segmenter | undefined;

function sentenceSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  return segmenter;
}

function isLineBreak(code: number): boolean {
  return code === 10 || code === 13 || code === 0x85 || code === 0x2028 || code === 0x2029;
}

function isWhitespace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0x85 || code === 0xa0 || code === 0x1680
    || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * For `sentence` mode: the text with every line break that is alone in its whitespace run replaced by
 * spaces of the same length (so offsets are unchanged), since ICU breaks after any line break. Runs
 * with two or more line breaks (a blank line) stay, and stay boundaries. One linear scan, no regex
 * (a backtracking `\s*\n` would be quadratic on a long run of spaces).
 */
function joinWrappedLines(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isWhitespace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const runStart = i;
    let breaks = 0;
    while (i < text.length && isWhitespace(text.charCodeAt(i))) {
      const code = text.charCodeAt(i);
      // CRLF is one line break.
      if (isLineBreak(code) && !(code === 10 && i > runStart && text.charCodeAt(i - 1) === 13)) breaks++;
      i++;
    }
    if (breaks !== 1) continue;
    parts.push(text.slice(copied, runStart), ' '.repeat(i - runStart));
    copied = i;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}

/** The word before a segment's final period, when ICU's break after it is a false sentence end. */
function endsWithAbbreviation(text: string, start: number, end: number): boolean {
  if (end - start < 2 || text.charCodeAt(end - 1) !== 46 /* . */) return false;
  let wordStart = end - 1;
  while (wordStart > start && !isWhitespace(text.charCodeAt(wordStart - 1)) && text.charCodeAt(wordStart - 1) !== 40 /* ( */) wordStart--;
  const word = text.slice(wordStart, end - 1);
  if (word.length === 1 && /\p{Lu}/u.test(word)) return true; // an initial: "J. R. R. Tolkien"
  return ABBREVIATIONS.has(word);
}

/** Yields the segments of `text` lazily, so a caller can stream a large document. */
export function* segments(text: string, mode: SegmentationMode): Generator<[number, number]> {
  if (mode === 'none') {
    const trimmed = trim(text, 0, text.length);
    if (trimmed) yield trimmed;
    return;
  }
  if (!SEGMENTATION_MODES.includes(mode)) throw new RangeError(`segmentation must be one of ${SEGMENTATION_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const source = mode === 'sentence' ? joinWrappedLines(text) : text;
  let pendingStart = -1;
  for (const [rawStart, rawEnd] of icuSentences(source)) {
    const trimmed = trim(text, rawStart, rawEnd);
    if (!trimmed) continue;
    const start = pendingStart >= 0 ? pendingStart : trimmed[0];
    // A line break in the raw piece (in `source`, where lone breaks became spaces in sentence mode) is a hard boundary.
    const hardEnd = hasLineBreak(source, trimmed[1], rawEnd);
    if (!hardEnd && endsWithAbbreviation(text, trimmed[0], trimmed[1])) {
      pendingStart = start;
      continue;
    }
    pendingStart = -1;
    yield [start, trimmed[1]];
  }
  if (pendingStart >= 0) {
    const trimmed = trim(text, pendingStart, text.length);
    if (trimmed) yield trimmed;
  }
}

/** Characters handed to ICU at once: its cost per segment grows with the string (4,096 measured fastest of 2K–16K: bench/segmentation/compare.ts). */
const ICU_WINDOW = 4096;
/**
 * A break this close to a window's end is not trusted: UAX #29 decides some breaks by looking ahead
 * (SB8 looks past closing punctuation and spaces for a lower-case letter), and the window may cut
 * that context off. The text is resumed from the last trusted break instead.
 */
const LOOKAHEAD_MARGIN = 1_024;

/**
 * ICU's sentence pieces of `text` as [start, end) ranges, computed over windows: each window starts
 * at a break already found (where ICU's start-of-text rule gives the same break) and only breaks at
 * least LOOKAHEAD_MARGIN before the window's end are kept. A sentence longer than a window doubles
 * the window until it ends. The pieces are the ones ICU gives for the whole text
 * (test/unit/tasks/segmentation.test.ts compares them).
 */
export function* icuSentences(text: string): Generator<[number, number]> {
  const segmenter = sentenceSegmenter();
  let from = 0;
  let size = ICU_WINDOW;
  while (from < text.length) {
    const to = Math.min(text.length, from + size);
    const atEnd = to === text.length;
    const trustedEnd = atEnd ? to : to - Math.min(LOOKAHEAD_MARGIN, size / 2);
    let resume = from;
    for (const piece of segmenter.segment(text.slice(from, to))) {
      const start = from + piece.index;
      const end = start + piece.segment.length;
      if (!atEnd && end > trustedEnd) break;
      yield [start, end];
      resume = end;
    }
    if (resume === from) size *= 2;
    else {
      from = resume;
      size = ICU_WINDOW;
    }
  }
}

/** All segments as an array (tests, small texts). */
export function segmentRanges(text: string, mode: SegmentationMode): Array<[number, number]> {
  return [...segments(text, mode)];
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (isLineBreak(text.charCodeAt(i))) return true;
  return false;
}

function trim(text: string, start: number, end: number): [number, number] | undefined {
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return start < end ? [start, end] : undefined;
}
