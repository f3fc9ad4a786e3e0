// Tokenizer throughput on ~1 MB of English (SST-2 + WikiANN sentences from /work/shared/data),
// with transformers.js on the same text as the anchor:  npx tsx bench/tokenizerThroughput.ts
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BertTokenizer as HfBertTokenizer } from '@huggingface/transformers';
import { BertTokenizer } from '../src/core/runtime/tokenizer/bertTokenizer';
import { serializeTokenizer } from '../src/core/runtime/tokenizer/tokenizerWriter';
import { trainWordPiece } from '../src/core/runtime/tokenizer/wordpieceTrainer';

const DATA = '/work/shared/data';

function sentences(): string[] {
  const sst = readFileSync(path.join(DATA, 'sst2/train.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0]!);
  const wiki: string[] = [];
  let words: string[] = [];
  for (const line of readFileSync(path.join(DATA, 'wikiann-en/train.txt'), 'utf8').split('\n')) {
    if (line.trim() === '') {
      if (words.length > 0) wiki.push(words.join(' '));
      words = [];
    } else {
      words.push(line.split('\t')[0]!.replace(/^en:/, ''));
    }
  }
  return [...sst, ...wiki].filter((s) => s.length > 0);
}

function rate(label: string, bytes: number, run: () => void, repeats = 5): number {
  run();
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  const mbPerSecond = bytes / 1e6 / (best / 1000);
  console.log(`${label.padEnd(58)} ${mbPerSecond.toFixed(2).padStart(7)} MB/s  (${best.toFixed(0)} ms)`);
  return mbPerSecond;
}

function main(): void {
  if (!existsSync(DATA)) {
    console.log(`${DATA} not found`);
    return;
  }
  const all = sentences();
  const trained = trainWordPiece(all, { vocabSize: 30_000, lowercase: true });
  const tokenizer = BertTokenizer.fromVocab(trained.vocab, { lowercase: true });
  const files = serializeTokenizer(tokenizer.spec);
  const hf = new HfBertTokenizer(JSON.parse(files.tokenizerJson), JSON.parse(files.tokenizerConfig));

  // ~1 MB, as documents of ~40 sentences (about the size of a source file or an article).
  const docs: string[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000; i += 40) {
    const doc = all.slice(i % all.length, (i % all.length) + 40).join('\n');
    docs.push(doc);
    size += Buffer.byteLength(doc, 'utf8');
  }
  console.log(`${docs.length} documents, ${(size / 1e6).toFixed(2)} MB, vocab ${tokenizer.vocabSize}`);
  const cold = BertTokenizer.fromVocab(trained.vocab, { lowercase: true });
  const start = performance.now();
  for (const doc of docs) cold.encode(doc);
  console.log(`${'encode, first pass (cold word cache)'.padEnd(58)} ${(size / 1e6 / ((performance.now() - start) / 1000)).toFixed(2).padStart(7)} MB/s`);
  const ours = rate('encode (Encoding with offsets, word ids, tokens)', size, () => docs.forEach((d) => tokenizer.encode(d)));
  rate('encodeIdsWithOffsets', size, () => docs.forEach((d) => tokenizer.encodeIdsWithOffsets(d)));
  rate('windows(maxLength 512, stride 128)', size, () => docs.forEach((d) => tokenizer.windows(d, { maxLength: 512, stride: 128 })));
  const anchor = rate('transformers.js encode (ids only, no offsets)', size, () => docs.forEach((d) => hf.encode(d)), 2);
  console.log(`ratio encode / transformers.js: ${(ours / anchor).toFixed(1)}x`);
}

main();
