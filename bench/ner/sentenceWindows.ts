/**
 * Sentence-aware windows (issue 14): strict entity F1 of the NER pipeline on labelled sentences
 * written out as a document, per segmentation and packing, to choose the default.
 *
 *   npx tsx bench/ner/sentenceWindows.ts [DATA] [--model DIR] [--limit N] [--per-paragraph 5] [--wnut17]
 *
 * DATA (default ../shared/data/wikiann-en/dev.txt) is CoNLL. Two layouts of the same sentences:
 * `lines` (one sentence per line, words joined by spaces) and `paragraphs` (N sentences joined by a
 * space, paragraphs by a blank line). Each entity found is put back on the words it overlaps (a word
 * any character of which an entity covers takes it; B- at the first word of an entity and at each
 * sentence start) and scored with strict IOB2 micro F1 (seqeval, src/core/train/metrics.ts). The
 * `sentences` row runs each sentence as its own input, the reference the document should approach.
 * `--wnut17` maps WNUT17's gold types as `npm run train:models` does (person → PER, location → LOC,
 * corporation and group → ORG, product and creative-work → O).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readNerSentences, type NerSentence } from '../../src/core/data/datasets';
import { loadModel } from '../../src/core/runtime/loadModel';
import type { SegmentationMode } from '../../src/core/tasks/shared/segmentation';
import { recognizeEntities, type RecognizeOptions } from '../../src/core/tasks/tokenClassification/pipeline';
import type { EntityGroup } from '../../src/core/tasks/tokenClassification/types';
import { nerMetrics } from '../../src/core/train/metrics';

interface Word { start: number; end: number }

const WNUT17_TYPES: Record<string, string | undefined> = { person: 'PER', location: 'LOC', corporation: 'ORG', group: 'ORG' };

function mapWnut17(tag: string): string {
  if (tag === 'O') return tag;
  const type = WNUT17_TYPES[tag.slice(2)];
  return type ? `${tag.slice(0, 2)}${type}` : 'O';
}
interface Layout { text: string; words: Word[][] }

function layout(sentences: readonly NerSentence[], sentenceSeparator: (i: number) => string): Layout {
  const parts: string[] = [];
  let at = 0;
  const words = sentences.map((sentence, i) => {
    if (i > 0) {
      const separator = sentenceSeparator(i);
      parts.push(separator);
      at += separator.length;
    }
    return sentence.tokens.map((token, w) => {
      if (w > 0) {
        parts.push(' ');
        at++;
      }
      parts.push(token);
      const word = { start: at, end: at + token.length };
      at += token.length;
      return word;
    });
  });
  return { text: parts.join(''), words };
}

function wordTags(words: readonly Word[][], entities: readonly EntityGroup[]): string[][] {
  const sorted = entities.slice().sort((a, b) => a.start - b.start);
  let first = 0;
  return words.map((sentence) => {
    let previous: EntityGroup | undefined;
    return sentence.map((word) => {
      while (first < sorted.length && sorted[first]!.end <= word.start) first++;
      let chosen: EntityGroup | undefined;
      for (let i = first; i < sorted.length && sorted[i]!.start < word.end; i++) {
        if (sorted[i]!.end > word.start) {
          chosen = sorted[i];
          break;
        }
      }
      const tag = chosen ? `${chosen === previous ? 'I' : 'B'}-${chosen.entity_group}` : 'O';
      previous = chosen;
      return tag;
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const modelDir = flag('model') ?? path.join(__dirname, '..', '..', 'models', 'ner');
  const limit = Number(flag('limit') ?? Infinity);
  const perParagraph = Number(flag('per-paragraph') ?? 5);
  const wnut17 = args.includes('--wnut17');
  if (wnut17) args.splice(args.indexOf('--wnut17'), 1);
  const data = args[0] ?? path.join(__dirname, '..', '..', '..', 'shared', 'data', 'wikiann-en', 'dev.txt');
  const sentences = readNerSentences(readFileSync(data, 'utf8'), { file: data, stripLanguagePrefix: true }).records.slice(0, limit);
  const gold = sentences.map((s) => (wnut17 ? s.tags.map(mapWnut17) : s.tags));
  const model = await loadModel(modelDir, { head: 'token-classification' });
  const base: RecognizeOptions = { aggregationStrategy: 'first' };
  const row = (name: string, tags: string[][], seconds: number): void => {
    const m = nerMetrics(gold, tags);
    console.log(`| ${name} | ${(100 * m.f1).toFixed(2)} | ${(100 * m.precision).toFixed(2)} | ${(100 * m.recall).toFixed(2)} | ${seconds.toFixed(1)} s |`);
  };
  console.log(`${sentences.length} sentences of ${data}, model ${modelDir}, aggregation first`);
  console.log('| layout / segmentation / packing | F1 | P | R | time |\n|---|---|---|---|---|');
  let started = performance.now();
  const alone: string[][] = [];
  for (const sentence of sentences) {
    const own = layout([sentence], () => '');
    // Not cut further: the reference is HF's pipeline on the sentence as one input.
    alone.push(wordTags(own.words, (await recognizeEntities(model, own.text, { ...base, segmentation: 'none' })) as EntityGroup[])[0]!);
  }
  row('sentences (each its own input)', alone, (performance.now() - started) / 1000);
  const layouts: Record<string, Layout> = {
    lines: layout(sentences, () => '\n'),
    paragraphs: layout(sentences, (i) => (i % perParagraph === 0 ? '\n\n' : ' ')),
  };
  for (const [name, doc] of Object.entries(layouts)) {
    const runs: Array<[SegmentationMode, RecognizeOptions['packing']]> = [['none', undefined], ['sentence', 'context'], ['line', 'context'], ['sentence', 'isolated'], ['line', 'isolated']];
    for (const [segmentation, packing] of runs) {
      started = performance.now();
      const entities = (await recognizeEntities(model, doc.text, { ...base, segmentation, packing })) as EntityGroup[];
      row(`${name} / ${segmentation}${packing ? ` / ${packing}` : ''}`, wordTags(doc.words, entities), (performance.now() - started) / 1000);
    }
  }
  await model.session.release();
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
