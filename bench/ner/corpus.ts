// The NER benchmarks' document: ~24,000 tokens of English prose (WikiANN and SST-2 dev sentences from
// ../shared/data, or the sample workspace's texts when absent) laid out as paragraphs of 5 sentences by
// src/core/data/documentLayout.ts, as `evaluate --layout paragraphs`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { layOutDocument } from '../../src/core/data/documentLayout';

const DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data');

/**
 * English prose: WikiANN dev sentences and SST-2 dev sentences; when ../shared/data is absent,
 * `fallback()` (default: the sample workspace's sentences).
 */
export function corpusSentences(fallback: () => string[] = sampleWorkspaceSentences): string[] {
  const sentences: string[] = [];
  const wikiann = path.join(DATA, 'wikiann-en', 'dev.txt');
  if (existsSync(wikiann)) {
    let words: string[] = [];
    for (const line of readFileSync(wikiann, 'utf8').split('\n')) {
      if (line.trim() === '') {
        if (words.length) sentences.push(words.join(' '));
        words = [];
      } else words.push(line.split('\t')[0]!.replace(/^en:/, ''));
    }
  }
  const sst = path.join(DATA, 'sst2', 'dev.tsv');
  if (existsSync(sst)) for (const line of readFileSync(sst, 'utf8').split('\n').slice(1)) sentences.push(line.split('\t')[0]!.trim());
  if (sentences.length === 0) sentences.push(...fallback());
  return sentences.filter((s) => s.trim().length > 0);
}

function sampleWorkspaceSentences(): string[] {
  const samples = path.join(__dirname, '..', '..', 'samples', 'workspace');
  return readdirSafe(samples).flatMap((name) => readFileSync(path.join(samples, name), 'utf8').split(/(?<=[.!?])\s+/));
}

/** The sentences as a document in paragraphs, with each sentence's [start, end) in it. */
export function corpus(): { text: string; sentenceSpans: Array<[number, number]> } {
  const document = layOutDocument(corpusSentences().map((s) => ({ tokens: s.trim().split(/\s+/) })), { layout: 'paragraphs' });
  return { text: document.text, sentenceSpans: document.words.map((w): [number, number] => [w[0]!.start, w[w.length - 1]!.end]) };
}

function readdirSafe(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => /\.(txt|md)$/.test(n)) : [];
}
