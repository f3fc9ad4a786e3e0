// Tokenization with offsets of the 24,000-token English document (WikiANN + SST-2 dev sentences, as
// bench/ner/run.ts builds it) for each tokenizer type, against transformers.js (ids only) in the same run:
//   npx tsx bench/tokenizers/run.ts [--tokens 24000] [--rounds 7]
// Tokenizers: the committed fixtures (WordPiece bert-cased, byte-level BPE roberta-bpe, SentencePiece
// Unigram xlmr-unigram). "Ours" is Tokenizer.encode (ids, offsets, word ids, tokens); for WordPiece the
// Rust library through the same bridge is timed too, the measurement behind keeping the hand-written one;
// for byte-level BPE a cold row times the first encode on freshly loaded tokenizers.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { corpusSentences } from '../ner/corpus';
import { LibraryTokenizer } from '../../src/core/runtime/tokenizer/library/libraryTokenizer';
import { byteLevelBpeTokenizerJson } from '../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { loadTokenizer } from '../../src/core/runtime/tokenizer/loadTokenizer';
import { readSentencePieceModel } from '../../src/core/runtime/tokenizer/sentencepiece/sentencepieceModel';
import { spmTokenizerJson } from '../../src/core/runtime/tokenizer/sentencepiece/spmConverter';
import type { Tokenizer } from '../../src/core/runtime/tokenizer/tokenizer';

const flag = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const TOKENS = Number(flag('tokens', '24000'));
const ROUNDS = Number(flag('rounds', '7'));
const FIXTURES = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'tokenizer');

function prose(): string {
  const sentences = corpusSentences(() => readFileSync(path.join(FIXTURES, 'sample.txt'), 'utf8').split('\n'));
  let text = sentences.filter((s) => s.length > 0).join(' ');
  while (text.length < 400_000) text += ` ${text}`;
  return text;
}

function best(run: () => unknown): number {
  run();
  let fastest = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

async function transformersJs(tokenizerJson: unknown, config: unknown): Promise<(text: string) => number[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-tok-'));
  mkdirSync(path.join(root, 't'));
  writeFileSync(path.join(root, 't', 'tokenizer.json'), JSON.stringify(tokenizerJson));
  writeFileSync(path.join(root, 't', 'tokenizer_config.json'), JSON.stringify(config));
  env.localModelPath = `${root}/`;
  env.allowRemoteModels = false;
  const hf = await AutoTokenizer.from_pretrained('t');
  return (text) => hf.encode(text) as number[];
}

async function main(): Promise<void> {
  const text = prose();
  const json = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const bert = path.join(FIXTURES, 'bert-cased');
  const bpe = path.join(FIXTURES, 'roberta-bpe');
  const spm = path.join(FIXTURES, 'xlmr-unigram');
  const bpeConfig = json(path.join(bpe, 'tokenizer_config.json'));
  const spmConfig = json(path.join(spm, 'tokenizer_config.json'));
  const bpeJson = byteLevelBpeTokenizerJson(readFileSync(path.join(bpe, 'vocab.json'), 'utf8'), readFileSync(path.join(bpe, 'merges.txt'), 'utf8'), bpeConfig, {}, { vocab: 'vocab.json', merges: 'merges.txt' });
  const spmJson = spmTokenizerJson(readSentencePieceModel(readFileSync(path.join(spm, 'sentencepiece.bpe.model')), 'm'), 'xlm-roberta', spmConfig, {}, 'm');
  const cases: Array<{ name: string; ours: Tokenizer; hf: (t: string) => number[] }> = [
    { name: 'WordPiece (hand-written)', ours: await loadTokenizer(bert), hf: await transformersJs(json(path.join(bert, 'tokenizer.json')), json(path.join(bert, 'tokenizer_config.json'))) },
    {
      name: 'WordPiece (Rust library)',
      ours: new LibraryTokenizer(readFileSync(path.join(bert, 'tokenizer.json'), 'utf8'), json(path.join(bert, 'tokenizer_config.json')), {}, 'tokenizer.json'),
      hf: await transformersJs(json(path.join(bert, 'tokenizer.json')), json(path.join(bert, 'tokenizer_config.json'))),
    },
    { name: 'byte-level BPE (Rust library)', ours: await loadTokenizer(bpe), hf: await transformersJs(bpeJson, bpeConfig) },
    { name: 'SentencePiece Unigram (Rust library)', ours: await loadTokenizer(spm, { cacheDir: mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bench-cache-')) }), hf: await transformersJs(spmJson, spmConfig) },
  ];
  process.stdout.write(`best of ${ROUNDS} rounds; ratio = transformers.js time / ours (≥ 1.0: ours is faster)\n`);
  for (const { name, ours, hf } of cases) {
    const { offsets } = ours.encodeIdsWithOffsets(text, { addSpecialTokens: false });
    const count = Math.min(TOKENS, offsets.length / 2);
    const doc = text.slice(0, offsets[2 * (count - 1) + 1]);
    const same = JSON.stringify(ours.encode(doc).ids) === JSON.stringify(hf(doc));
    const oursMs = best(() => ours.encode(doc));
    const hfMs = best(() => hf(doc));
    process.stdout.write(
      `${name.padEnd(38)} ${count} tokens  ours ${oursMs.toFixed(1).padStart(7)} ms  transformers.js ${hfMs.toFixed(1).padStart(7)} ms  ratio ${(hfMs / oursMs).toFixed(2)}  ids equal: ${same}\n`,
    );
  }
  // Both sides keep a word cache (ours: byteLevelWords.ts; transformers.js: its BPE cache), so the rows
  // above are a document encoded again (the editor re-reads a document on every edit). Cold: the first
  // encode on a tokenizer that has seen no text, both sides freshly loaded before the clock starts.
  const { offsets } = (await loadTokenizer(bpe)).encodeIdsWithOffsets(text, { addSpecialTokens: false });
  const doc = text.slice(0, offsets[2 * (Math.min(TOKENS, offsets.length / 2) - 1) + 1]);
  let oursCold = Infinity;
  let hfCold = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const ours = await loadTokenizer(bpe);
    const hf = await transformersJs(bpeJson, bpeConfig);
    let start = performance.now();
    ours.encode(doc);
    oursCold = Math.min(oursCold, performance.now() - start);
    start = performance.now();
    hf(doc);
    hfCold = Math.min(hfCold, performance.now() - start);
  }
  process.stdout.write(
    `${'byte-level BPE, cold (first encode)'.padEnd(38)} ${TOKENS} tokens  ours ${oursCold.toFixed(1).padStart(7)} ms  transformers.js ${hfCold.toFixed(1).padStart(7)} ms  ratio ${(hfCold / oursCold).toFixed(2)}\n`,
  );
}

void main();
