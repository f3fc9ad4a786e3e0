import { AddedTokenMatcher, type AddedTokenSpec } from './addedTokens';
import { CharNormalizer, type AlignedText, type BertNormalizerOptions } from './bertNormalizer';
import { cleanUpTokenization, decodeWordPieces } from './decode';
import { WordScanner, type WordSink } from './preTokenizer';
import { TemplateTokenizer, type RawSequence } from './templateTokenizer';
import type { DecodeOptions } from './tokenizer';
import { bertTemplate, type BertTokenizerSpec } from './tokenizerSpec';
import { WordPieceModel } from './wordpiece';
import { pieceStartsWord } from './wordBoundary';

export type { DecodeOptions, EncodeOptions, IdsWithOffsets, PairWindowOptions, WindowOptions } from './tokenizer';

/** Options of `BertTokenizer.fromVocab` (tokenizer_config.json names in the comments). */
export interface VocabOptions {
  /** do_lower_case; default true (HF BertTokenizer's default). */
  lowercase?: boolean;
  /** strip_accents; null/undefined = follow lowercase. */
  stripAccents?: boolean | null;
  /** tokenize_chinese_chars; default true. */
  handleChineseChars?: boolean;
  /** model_max_length; default Infinity. */
  modelMaxLength?: number;
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
  maskToken?: string;
  maxInputCharsPerWord?: number;
  continuingSubwordPrefix?: string;
}

const IDENTITY_NORMALIZER: BertNormalizerOptions = {
  cleanText: false,
  handleChineseChars: false,
  stripAccents: false,
  lowercase: false,
};

/**
 * HF BertTokenizerFast (Rust `tokenizers`: BertNormalizer, BertPreTokenizer, WordPiece,
 * TemplateProcessing) with offsets in UTF-16 units of the original string.
 *
 * Offsets follow the Rust alignment rules: a token covers the original characters of its first and
 * last normalized characters, so "café" (uncased → "cafe") is [0, 4), control characters removed
 * inside a word are covered, two pieces of one original character (Hangul syllables decomposed by
 * NFD, "İ" lowercased to "i̇") share its range. Special tokens added by the template get [0, 0];
 * added tokens written in the text (e.g. a literal "[MASK]") are single tokens with real offsets,
 * word ids and specialTokensMask false, as in HF.
 */
export class BertTokenizer extends TemplateTokenizer {
  readonly modelType = 'WordPiece' as const;
  readonly vocabSize: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number | undefined;
  readonly sepTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  readonly maskToken: string | undefined;
  readonly modelMaxLength: number;
  readonly continuingSubwordPrefix: string;
  readonly spec: Readonly<BertTokenizerSpec>;

  private readonly tokenIds = new Map<string, number>();
  private readonly idTokens: Array<string | undefined> = [];
  private readonly specialIds = new Set<number>();
  private readonly model: WordPieceModel;
  private readonly scanner: WordScanner;
  private readonly identityScanner: WordScanner;
  private readonly rawAdded: AddedTokenMatcher;
  private readonly normalizedAdded: AddedTokenMatcher;

  constructor(spec: BertTokenizerSpec) {
    super(spec.postProcessor);
    this.spec = spec;
    for (const [token, id] of spec.vocab) this.setToken(token, id);
    for (const added of spec.addedTokens) {
      this.setToken(added.content, added.id);
      if (added.special) this.specialIds.add(added.id);
    }
    this.vocabSize = this.idTokens.length;
    this.model = new WordPieceModel(spec.vocab, spec.wordPiece);
    const normalizer = new CharNormalizer(spec.normalizer ?? IDENTITY_NORMALIZER);
    this.scanner = new WordScanner(normalizer);
    this.identityScanner = new WordScanner(new CharNormalizer(IDENTITY_NORMALIZER));
    const raw = spec.addedTokens.filter((t) => !t.normalized);
    const normalized = spec.addedTokens.filter((t) => t.normalized);
    this.rawAdded = new AddedTokenMatcher(raw.map((token) => ({ content: token.content, token })));
    this.normalizedAdded = new AddedTokenMatcher(
      normalized.map((token) => ({ content: normalizer.normalize(token.content), token })),
    );

    const names = spec.specialTokens;
    this.unkTokenId = this.model.unkId;
    this.clsTokenId = names.cls === undefined ? undefined : this.tokenIds.get(names.cls);
    this.sepTokenId = names.sep === undefined ? undefined : this.tokenIds.get(names.sep);
    this.padTokenId = names.pad === undefined ? undefined : this.tokenIds.get(names.pad);
    this.maskTokenId = names.mask === undefined ? undefined : this.tokenIds.get(names.mask);
    this.maskToken = this.maskTokenId === undefined ? undefined : names.mask;
    this.modelMaxLength = spec.modelMaxLength;
    this.continuingSubwordPrefix = spec.wordPiece.continuingSubwordPrefix;
  }

  /**
   * A tokenizer over an in-memory vocabulary (index = id), with the BERT template and the special
   * tokens as added tokens, exactly what HF converts a `vocab.txt` into.
   */
  static fromVocab(vocab: readonly string[], options: VocabOptions = {}): BertTokenizer {
    const map = new Map<string, number>();
    vocab.forEach((token, id) => map.set(token, id));
    return new BertTokenizer(specFromVocab(map, options));
  }

  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idTokens[id];
  }

  /** Is `id` a special added token ([CLS], [SEP], [PAD], [MASK], [UNK] in BERT)? */
  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  startsWord(id: number): boolean {
    const piece = this.idTokens[id];
    if (piece === undefined || this.specialIds.has(id)) return true;
    return pieceStartsWord({ marks: 'continuation', prefix: this.continuingSubwordPrefix }, piece);
  }

  /** HF decode: WordPiece decoder (## pieces glued), then clean_up_tokenization if enabled. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const token = this.idTokens[id];
      if (token === undefined) throw new RangeError(`decode: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      if (options.skipSpecialTokens && this.specialIds.has(id)) continue;
      tokens.push(token);
    }
    const text = decodeWordPieces(tokens, this.spec.decoder);
    return options.cleanUpTokenizationSpaces ?? this.spec.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
  }

  get cleanUpTokenizationSpaces(): boolean {
    return this.spec.cleanUpTokenizationSpaces;
  }

  /** HF `convert_tokens_to_string`: the WordPiece decoder without clean-up (as the NER pipeline's `word`). */
  convertTokensToString(tokens: readonly string[]): string {
    return decodeWordPieces(tokens, this.spec.decoder);
  }

  private setToken(token: string, id: number): void {
    if (!Number.isInteger(id) || id < 0) throw new Error(`token "${token}" has an invalid id ${id}`);
    this.tokenIds.set(token, id);
    while (this.idTokens.length <= id) this.idTokens.push(undefined);
    this.idTokens[id] = token;
  }

  /** Added-token split, then normalizer + pre-tokenizer + WordPiece on each remaining section. */
  protected tokenizeSequence(text: string): RawSequence {
    const seq: RawSequence = { ids: [], starts: [], ends: [], words: [] };
    let wordIndex = 0;
    const model = this.model;
    const sink: WordSink = (word, base, starts, ends) => {
      const pieces = model.tokenize(word);
      let pieceStart = 0;
      for (let k = 0; k < pieces.length; k += 2) {
        const pieceEnd = pieces[k + 1]!;
        seq.ids.push(pieces[k]!);
        if (base >= 0) {
          seq.starts.push(base + pieceStart);
          seq.ends.push(base + pieceEnd);
        } else {
          seq.starts.push(starts![pieceStart]!);
          seq.ends.push(ends![pieceEnd - 1]!);
        }
        seq.words.push(wordIndex);
        pieceStart = pieceEnd;
      }
      wordIndex++;
    };
    const pushAdded = (id: number, start: number, end: number): void => {
      seq.ids.push(id);
      seq.starts.push(start);
      seq.ends.push(end);
      seq.words.push(wordIndex++);
    };

    let position = 0;
    for (const match of this.rawAdded.find(text)) {
      this.scanSection(text, position, match.start, sink, pushAdded);
      pushAdded(match.id, match.start, match.end);
      position = match.end;
    }
    this.scanSection(text, position, text.length, sink, pushAdded);
    return seq;
  }

  private scanSection(
    text: string,
    from: number,
    to: number,
    sink: WordSink,
    pushAdded: (id: number, start: number, end: number) => void,
  ): void {
    if (from >= to) return;
    if (this.normalizedAdded.isEmpty) {
      this.scanner.scan(text, from, to, sink);
      return;
    }
    // Added tokens with normalized=true are matched in the normalized section (Rust does the same),
    // so this section is normalized up front and pre-tokenized with an identity normalizer.
    const aligned = this.scanner.normalizer.normalizeWithAlignment(text, from, to);
    const composed = composeSink(aligned, sink);
    let position = 0;
    for (const match of this.normalizedAdded.find(aligned.text)) {
      this.identityScanner.scan(aligned.text, position, match.start, composed);
      pushAdded(match.id, aligned.starts[match.start]!, aligned.ends[match.end - 1]!);
      position = match.end;
    }
    this.identityScanner.scan(aligned.text, position, aligned.text.length, composed);
  }

}

/** Maps words found in a normalized text back to the original text through its alignment. */
function composeSink(aligned: AlignedText, sink: WordSink): WordSink {
  const starts: number[] = [];
  const ends: number[] = [];
  return (word, base, wordStarts, wordEnds) => {
    starts.length = 0;
    ends.length = 0;
    for (let k = 0; k < word.length; k++) {
      const normalizedStart = base >= 0 ? base + k : wordStarts![k]!;
      const normalizedEnd = base >= 0 ? base + k + 1 : wordEnds![k]!;
      starts.push(aligned.starts[normalizedStart]!);
      ends.push(aligned.ends[normalizedEnd - 1]!);
    }
    sink(word, -1, starts, ends);
  };
}

/** The spec HF builds from a vocab.txt (BertConverter): special tokens become added tokens. */
export function specFromVocab(vocab: ReadonlyMap<string, number>, options: VocabOptions = {}): BertTokenizerSpec {
  const names = {
    unk: options.unkToken ?? '[UNK]',
    cls: options.clsToken ?? '[CLS]',
    sep: options.sepToken ?? '[SEP]',
    pad: options.padToken ?? '[PAD]',
    mask: options.maskToken ?? '[MASK]',
  };
  const addedTokens: AddedTokenSpec[] = [];
  for (const name of [names.pad, names.unk, names.cls, names.sep, names.mask]) {
    const id = vocab.get(name);
    if (id === undefined) continue;
    addedTokens.push({ id, content: name, singleWord: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }
  addedTokens.sort((a, b) => a.id - b.id);
  for (const required of [names.unk, names.cls, names.sep]) {
    if (!vocab.has(required)) throw new Error(`vocabulary has no "${required}" token`);
  }
  const lowercase = options.lowercase ?? true;
  return {
    vocab,
    normalizer: {
      cleanText: true,
      handleChineseChars: options.handleChineseChars ?? true,
      stripAccents: options.stripAccents ?? null,
      lowercase,
    },
    wordPiece: {
      unkToken: names.unk,
      continuingSubwordPrefix: options.continuingSubwordPrefix ?? '##',
      maxInputCharsPerWord: options.maxInputCharsPerWord ?? 100,
    },
    addedTokens,
    postProcessor: bertTemplate({ token: names.cls, id: vocab.get(names.cls)! }, { token: names.sep, id: vocab.get(names.sep)! }),
    decoder: { prefix: options.continuingSubwordPrefix ?? '##', cleanup: true },
    specialTokens: names,
    modelMaxLength: options.modelMaxLength ?? Number.POSITIVE_INFINITY,
    cleanUpTokenizationSpaces: true,
  };
}
