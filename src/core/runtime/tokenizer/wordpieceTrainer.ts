import { CharNormalizer } from './bertNormalizer';
import { specFromVocab } from './bertTokenizer';
import { WordScanner } from './preTokenizer';
import type { BertTokenizerSpec } from './tokenizerSpec';

export interface WordPieceTrainerOptions {
  /** Target vocabulary size, special tokens included. */
  vocabSize: number;
  /** Uncased (BERT-uncased normalization) or cased. */
  lowercase: boolean;
  /** null/undefined: follow `lowercase` (HF default). */
  stripAccents?: boolean | null;
  /** Default true. */
  handleChineseChars?: boolean;
  /** A pair must occur at least this often to be merged (HF WordPieceTrainer min_frequency). Default 2. */
  minFrequency?: number;
  /** At most this many distinct characters, the most frequent (HF limit_alphabet). Default 1000. */
  limitAlphabet?: number;
  /** Characters seen fewer times are left out of the alphabet. Default 1. */
  minCharFrequency?: number;
  /** Placed first, ids 0.. in this order. Default [PAD] [UNK] [CLS] [SEP] [MASK]. */
  specialTokens?: string[];
  /** Default '##'. */
  continuingSubwordPrefix?: string;
}

export interface TrainedWordPiece {
  /** Tokens in id order. */
  vocab: string[];
  /** Settings to build the tokenizer (normalizer, special tokens) with. */
  options: Required<Omit<WordPieceTrainerOptions, 'stripAccents'>> & { stripAccents: boolean | null };
  stats: { words: number; distinctWords: number; alphabet: number; merges: number };
}

export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

const PAIR_SHIFT = 2 ** 21;

/**
 * Trains a WordPiece vocabulary the way HF `tokenizers`' WordPieceTrainer does: BPE merges over
 * words split into characters, where every non-initial character carries the `##` prefix and a
 * merge (a, ##b) yields `ab` (or `##ab` when a is itself a continuation). Each step merges the most
 * frequent adjacent pair (ties: smallest pair of ids, as HF's merge queue), until the vocabulary
 * reaches `vocabSize` or no pair occurs `minFrequency` times.
 *
 * Texts go through the same BertNormalizer + BertPreTokenizer as the tokenizer. The vocabulary is
 * the special tokens, the alphabet (sorted by code point), `##` + every alphabet character (so no
 * character seen in training becomes [UNK] in any position), then merged tokens in merge order.
 * Unlike HF, words with a character outside the alphabet are ignored (WordPiece would map them to
 * [UNK] whole anyway) and the output is deterministic (HF's hash maps order the `##` forms
 * arbitrarily).
 */
export function trainWordPiece(texts: Iterable<string>, options: WordPieceTrainerOptions): TrainedWordPiece {
  const resolved = {
    vocabSize: options.vocabSize,
    lowercase: options.lowercase,
    stripAccents: options.stripAccents ?? null,
    handleChineseChars: options.handleChineseChars ?? true,
    minFrequency: options.minFrequency ?? 2,
    limitAlphabet: options.limitAlphabet ?? 1000,
    minCharFrequency: options.minCharFrequency ?? 1,
    specialTokens: options.specialTokens ?? BERT_SPECIAL_TOKENS,
    continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
  };
  if (!Number.isInteger(resolved.vocabSize) || resolved.vocabSize <= 0) throw new RangeError('vocabSize must be a positive integer');
  const prefix = resolved.continuingSubwordPrefix;

  // 1. Word counts, after the tokenizer's own normalization and pre-tokenization.
  const scanner = new WordScanner(
    new CharNormalizer({
      cleanText: true,
      handleChineseChars: resolved.handleChineseChars,
      stripAccents: resolved.stripAccents,
      lowercase: resolved.lowercase,
    }),
  );
  const wordCounts = new Map<string, number>();
  let totalWords = 0;
  const countWord = (word: string): void => {
    wordCounts.set(word, (wordCounts.get(word) ?? 0) + 1);
    totalWords++;
  };
  for (const text of texts) scanner.scan(text, 0, text.length, countWord);

  // 2. Alphabet: the most frequent characters.
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    for (const ch of word) charCounts.set(ch, (charCounts.get(ch) ?? 0) + count);
  }
  const alphabet = [...charCounts]
    .filter(([, count]) => count >= resolved.minCharFrequency)
    .sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!)
    .slice(0, resolved.limitAlphabet)
    .map(([ch]) => ch)
    .sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);

  const tokens: string[] = [];
  const tokenIds = new Map<string, number>();
  const addToken = (token: string): number => {
    let id = tokenIds.get(token);
    if (id === undefined) {
      id = tokens.length;
      tokens.push(token);
      tokenIds.set(token, id);
    }
    return id;
  };
  for (const special of resolved.specialTokens) addToken(special);
  for (const ch of alphabet) addToken(ch);
  for (const ch of alphabet) addToken(prefix + ch);

  // 3. Words as symbol sequences; pair counts and where each pair occurs.
  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    const chars = [...word];
    if (chars.length < 2) continue;
    const symbols: number[] = [];
    let known = true;
    for (let k = 0; k < chars.length; k++) {
      const id = tokenIds.get(k === 0 ? chars[k]! : prefix + chars[k]!);
      if (id === undefined) {
        known = false;
        break;
      }
      symbols.push(id);
    }
    if (!known) continue;
    words.push(symbols);
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number, increased: Set<number> | null): void => {
    const symbols = words[w]!;
    const weight = sign * counts[w]!;
    for (let k = 0; k + 1 < symbols.length; k++) {
      const key = symbols[k]! * PAIR_SHIFT + symbols[k + 1]!;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + weight);
      if (sign > 0) {
        let set = where.get(key);
        if (set === undefined) where.set(key, (set = new Set()));
        set.add(w);
        increased?.add(key);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1, null);

  const queue = new PairQueue();
  for (const [key, count] of pairCounts) queue.push(count, key);

  // 4. Merges.
  let merges = 0;
  const increased = new Set<number>();
  while (tokens.length < resolved.vocabSize && queue.size > 0) {
    const { count, key } = queue.pop();
    const current = pairCounts.get(key) ?? 0;
    if (count !== current) {
      // Stale entry: a lower count is queued again; a higher one already has its own entry.
      if (current > 0 && current < count) queue.push(current, key);
      continue;
    }
    if (count < resolved.minFrequency) break;
    const a = Math.floor(key / PAIR_SHIFT);
    const b = key % PAIR_SHIFT;
    const right = tokens[b]!;
    const merged = addToken(tokens[a]! + (right.startsWith(prefix) ? right.slice(prefix.length) : right));
    merges++;

    increased.clear();
    for (const w of where.get(key) ?? []) {
      const symbols = words[w]!;
      let found = false;
      for (let k = 0; k + 1 < symbols.length; k++) {
        if (symbols[k] === a && symbols[k + 1] === b) {
          found = true;
          break;
        }
      }
      if (!found) continue;
      addPairs(w, -1, null);
      const next: number[] = [];
      for (let k = 0; k < symbols.length; k++) {
        if (k + 1 < symbols.length && symbols[k] === a && symbols[k + 1] === b) {
          next.push(merged);
          k++;
        } else {
          next.push(symbols[k]!);
        }
      }
      words[w] = next;
      addPairs(w, 1, increased);
    }
    pairCounts.delete(key);
    where.delete(key);
    for (const changed of increased) {
      const value = pairCounts.get(changed) ?? 0;
      if (value > 0) queue.push(value, changed);
    }
  }

  return {
    vocab: tokens,
    options: resolved,
    stats: { words: totalWords, distinctWords: wordCounts.size, alphabet: alphabet.length, merges },
  };
}

/** The tokenizer spec of a trained vocabulary (BERT template, special tokens as added tokens). */
export function specFromTrained(trained: TrainedWordPiece, modelMaxLength = 512): BertTokenizerSpec {
  const [pad, unk, cls, sep, mask] = trained.options.specialTokens;
  const map = new Map<string, number>();
  trained.vocab.forEach((token, id) => map.set(token, id));
  return specFromVocab(map, {
    lowercase: trained.options.lowercase,
    stripAccents: trained.options.stripAccents,
    handleChineseChars: trained.options.handleChineseChars,
    continuingSubwordPrefix: trained.options.continuingSubwordPrefix,
    modelMaxLength,
    padToken: pad,
    unkToken: unk,
    clsToken: cls,
    sepToken: sep,
    maskToken: mask,
  });
}

/** Max-heap of (count, pair key): higher count first, then the smaller pair (HF's Merge order). */
class PairQueue {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    const counts = this.counts;
    const keys = this.keys;
    let i = counts.length;
    counts.push(count);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(count, key, counts[parent]!, keys[parent]!)) break;
      counts[i] = counts[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    counts[i] = count;
    keys[i] = key;
  }

  pop(): { count: number; key: number } {
    const counts = this.counts;
    const keys = this.keys;
    const top = { count: counts[0]!, key: keys[0]! };
    const lastCount = counts.pop()!;
    const lastKey = keys.pop()!;
    const n = counts.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && this.before(counts[child + 1]!, keys[child + 1]!, counts[child]!, keys[child]!)) child++;
        if (!this.before(counts[child]!, keys[child]!, lastCount, lastKey)) break;
        counts[i] = counts[child]!;
        keys[i] = keys[child]!;
        i = child;
      }
      counts[i] = lastCount;
      keys[i] = lastKey;
    }
    return top;
  }

  private before(countA: number, keyA: number, countB: number, keyB: number): boolean {
    return countA > countB || (countA === countB && keyA < keyB);
  }
}
