/**
 * Sentence segmenters compared on bench/segmentation/cases.ts (boundary precision / recall / F1 per
 * category, and cases got exactly right) and on speed over ~1 MB of the same prose, as ratios to ICU
 * (`Intl.Segmenter`) measured in the same run.
 *
 *   npx tsx bench/segmentation/compare.ts [--megabytes 1]
 *
 * Contenders: ICU as Node ships it; BERT Lens' `sentence` and `line` modes (ICU over windows, false
 * breaks after titles and initials undone, blank lines / line breaks as boundaries); npm `sbd`
 * 1.0.19 (rules + abbreviation list), `sentence-splitter` 5.0.1 (textlint's), and `sentencex` 1.0.17
 * (Wikimedia's, per-language abbreviations) when installed: it is not a devDependency because its
 * platform packages cannot all be locked (`npm ci` refuses the lock file), so
 * `npm install --no-save sentencex@1.0.17` first to include it. The final boundary (the end of the
 * text) is not scored.
 */
import sbd from 'sbd';
import { split as splitSentences } from 'sentence-splitter';
import { segmentRanges } from '../../src/core/tasks/shared/segmentation';
import { CASES, caseText, type SegmentationCase } from './cases';

type Segmenter = (text: string) => number[];

/** Ends of the pieces a library returns as strings, found in order in the text (whitespace trimmed). */
function endsOfPieces(text: string, pieces: readonly string[]): number[] {
  const ends: number[] = [];
  let cursor = 0;
  for (const piece of pieces) {
    const trimmed = piece.trim();
    if (trimmed === '') continue;
    const at = text.indexOf(trimmed, cursor);
    if (at < 0) continue;
    cursor = at + trimmed.length;
    ends.push(cursor);
  }
  return ends;
}

function trimmedEnd(text: string, end: number): number {
  while (end > 0 && /\s/.test(text[end - 1]!)) end--;
  return end;
}

const icu = new Intl.Segmenter('en', { granularity: 'sentence' });

const SEGMENTERS: Record<string, Segmenter> = {
  'ICU (Intl.Segmenter)': (text) => [...icu.segment(text)].map((p) => trimmedEnd(text, p.index + p.segment.length)).filter((end, i, all) => end > 0 && end !== all[i - 1]),
  'BERT Lens sentence': (text) => segmentRanges(text, 'sentence').map(([, end]) => end),
  'BERT Lens line': (text) => segmentRanges(text, 'line').map(([, end]) => end),
  'sbd 1.0.19': (text) => endsOfPieces(text, sbd.sentences(text, { newline_boundaries: false, preserve_whitespace: true })),
  'sbd 1.0.19 (newline_boundaries)': (text) => endsOfPieces(text, sbd.sentences(text, { newline_boundaries: true, preserve_whitespace: true })),
  'sentence-splitter 5.0.1': (text) => splitSentences(text).filter((node) => node.type === 'Sentence').map((node) => node.range[1]),
};

async function addSentencex(): Promise<void> {
  try {
    const { segment } = (await import('sentencex')) as { segment(language: string, text: string): string[] };
    SEGMENTERS['sentencex 1.0.17'] = (text) => endsOfPieces(text, segment('en', text));
  } catch {
    console.log('(sentencex not installed: npm install --no-save sentencex@1.0.17 to compare it too)');
  }
}

interface Score { truePositives: number; predicted: number; gold: number; exact: number; cases: number }

function score(segmenter: Segmenter, cases: readonly SegmentationCase[]): Score {
  const total: Score = { truePositives: 0, predicted: 0, gold: 0, exact: 0, cases: 0 };
  for (const item of cases) {
    const { text, ends } = caseText(item);
    const gold = new Set(ends.slice(0, -1));
    const predicted = new Set(segmenter(text).filter((end) => end < text.length));
    let hits = 0;
    for (const end of predicted) if (gold.has(end)) hits++;
    total.truePositives += hits;
    total.predicted += predicted.size;
    total.gold += gold.size;
    total.cases++;
    if (hits === gold.size && predicted.size === gold.size) total.exact++;
  }
  return total;
}

function f1(s: Score): string {
  const precision = s.predicted ? s.truePositives / s.predicted : 1;
  const recall = s.gold ? s.truePositives / s.gold : 1;
  return precision + recall === 0 ? '0.00' : ((2 * precision * recall) / (precision + recall)).toFixed(2);
}

async function main(): Promise<void> {
  await addSentencex();
  const megabytesFlag = process.argv.indexOf('--megabytes');
  const megabytes = megabytesFlag >= 0 ? Number(process.argv[megabytesFlag + 1]) : 1;
  const categories = [...new Set(CASES.map((c) => c.category))];
  const names = Object.keys(SEGMENTERS);
  console.log(`${CASES.length} cases, ${CASES.reduce((n, c) => n + c.sentences.length - 1, 0)} scored boundaries\n`);
  console.log(['segmenter'.padEnd(32), 'F1 all', 'exact', ...categories.map((c) => c.slice(0, 8).padStart(8))].join(' '));
  for (const name of names) {
    const all = score(SEGMENTERS[name]!, CASES);
    const perCategory = categories.map((category) => f1(score(SEGMENTERS[name]!, CASES.filter((c) => c.category === category))).padStart(8));
    console.log([name.padEnd(32), f1(all).padStart(6), `${all.exact}/${all.cases}`.padStart(5), ...perCategory].join(' '));
  }
  // Speed: the cases' prose repeated as paragraphs.
  const prose = CASES.filter((c) => c.category !== 'cjk').map((c) => caseText(c).text).join('\n\n');
  const text = prose.repeat(Math.ceil((megabytes * 2 ** 20) / prose.length)).slice(0, megabytes * 2 ** 20);
  console.log(`\nspeed on ${(text.length / 2 ** 20).toFixed(2)} M characters (one text), ratio = ICU's time ÷ the segmenter's:`);
  const time = (segmenter: Segmenter): number => {
    const started = performance.now();
    segmenter(text);
    return (performance.now() - started) / 1000;
  };
  // ICU over the whole text is quadratic in V8 (see segmentation.ts); the anchor is ICU over the
  // same text cut at its blank lines, which is how anyone would call it on a long document.
  const anchor = time((t) => t.split('\n\n').flatMap((paragraph) => [...icu.segment(paragraph)].map((p) => p.index)));
  console.log(`${'ICU per paragraph (anchor)'.padEnd(32)} ${anchor.toFixed(2)} s`);
  for (const name of names) {
    if (name.startsWith('ICU')) continue;
    const seconds = time(SEGMENTERS[name]!);
    console.log(`${name.padEnd(32)} ${seconds.toFixed(2)} s  ×${(anchor / seconds).toFixed(2)}`);
  }
}

void main();
