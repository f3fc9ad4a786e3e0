import { AddedTokenMatcher, type AddedTokenSpec } from './addedTokens';
import { CharNormalizer, type AlignedText, type BertNormalizerOptions } from './bertNormalizer';
import { cleanUpTokenization, decodeWordPieces } from './decode';
import type { Encoding } from './encoding';
import { WordScanner, type WordSink } from './preTokenizer';
import { bertTemplate, type BertTokenizerSpec, type PostProcessorSpec } from './tokenizerSpec';
import { strideRanges } from './windowing';
import { WordPieceModel } from './wordpiece';

export interface EncodeOptions {
  /** Add [CLS]/[SEP] (the post-processor template). Default true. */
  addSpecialTokens?: boolean;
}

export interface WindowOptions {
  /** Tokens per window, special tokens included (HF max_length). */
  maxLength: number;
  /** Tokens shared by consecutive windows (HF stride / doc_stride). Default 0. */
  stride?: number;
}

export interface PairWindowOptions extends WindowOptions {
  /** Only HF's `only_second` (the question stays whole, the context is split) is supported. */
  truncation?: 'only_second';
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
  /** Default: tokenizer_config.json clean_up_tokenization_spaces (true when absent). */
  cleanUpTokenizationSpaces?: boolean;
}

export interface IdsWithOffsets {
  ids: Int32Array;
  /** [start0, end0, start1, end1, ...] in UTF-16 units of the text; [0, 0] for special tokens. */
  offsets: Int32Array;
}

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

/** Tokens of one text before post-processing. */
interface RawSequence {
  ids: number[];
  starts: number[];
  ends: number[];
  words: number[];
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
export class BertTokenizer {
  readonly vocabSize: number;
  readonly unkTokenId: number;
  readonly clsTokenId: number | undefined;
  readonly sepTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  readonly modelMaxLength: number;
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
    this.modelMaxLength = spec.modelMaxLength;
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

  /** How many tokens the template adds: 2 for a single text, 3 for a pair in BERT. */
  numSpecialTokensToAdd(pair: boolean): number {
    const processor = this.spec.postProcessor;
    if (processor === null) return 0;
    let count = 0;
    for (const piece of pair ? processor.pair : processor.single) {
      if (piece.kind === 'special') count += processor.specialTokens.get(piece.name)?.ids.length ?? 0;
    }
    return count;
  }

  /** HF `tokenize`: the token strings, without special tokens. */
  tokenize(text: string): string[] {
    return this.tokenizeSequence(text).ids.map((id) => this.idTokens[id]!);
  }

  encode(text: string, options: EncodeOptions = {}): Encoding {
    return this.assemble(this.tokenizeSequence(text), null, options.addSpecialTokens ?? true);
  }

  encodePair(text: string, pair: string, options: EncodeOptions = {}): Encoding {
    return this.assemble(this.tokenizeSequence(text), this.tokenizeSequence(pair), options.addSpecialTokens ?? true);
  }

  /** The ids and flat offsets of `encode`, without building the other Encoding arrays. */
  encodeIdsWithOffsets(text: string, options: EncodeOptions = {}): IdsWithOffsets {
    const seq = this.tokenizeSequence(text);
    const processor = options.addSpecialTokens ?? true ? this.spec.postProcessor : null;
    const template = processor?.single ?? [{ kind: 'sequence', sequence: 0, typeId: 0 }];
    let size = 0;
    for (const piece of template) {
      size += piece.kind === 'sequence' ? seq.ids.length : processor!.specialTokens.get(piece.name)!.ids.length;
    }
    const ids = new Int32Array(size);
    const offsets = new Int32Array(2 * size);
    let n = 0;
    for (const piece of template) {
      if (piece.kind === 'special') {
        for (const id of processor!.specialTokens.get(piece.name)!.ids) ids[n++] = id;
        continue;
      }
      for (let k = 0; k < seq.ids.length; k++, n++) {
        ids[n] = seq.ids[k]!;
        offsets[2 * n] = seq.starts[k]!;
        offsets[2 * n + 1] = seq.ends[k]!;
      }
    }
    return { ids, offsets };
  }

  /**
   * Overlapping windows over one text: HF `tokenizer(text, truncation=True, max_length=maxLength,
   * stride=stride, return_overflowing_tokens=True)` — every window is `[CLS] ... [SEP]`, holds at most
   * maxLength tokens, and consecutive windows share `stride` tokens (see windowing.ts).
   */
  windows(text: string, options: WindowOptions): Encoding[] {
    const seq = this.tokenizeSequence(text);
    const budget = options.maxLength - this.numSpecialTokensToAdd(false);
    return strideRanges(seq.ids.length, budget, options.stride ?? 0).map(([start, stop]) =>
      this.assemble(sliceSequence(seq, start, stop), null, true),
    );
  }

  /**
   * Question-answering windows: HF `tokenizer(question, context, truncation="only_second",
   * max_length=maxLength, stride=stride, return_overflowing_tokens=True)` as the
   * QuestionAnsweringPipeline calls it. Each window is `[CLS] question [SEP] context part [SEP]`;
   * context offsets are into `context`, question offsets into `question` (see sequenceIds).
   * Throws when the question leaves no room for context, as HF does.
   */
  pairWindows(question: string, context: string, options: PairWindowOptions): Encoding[] {
    const truncation = options.truncation ?? 'only_second';
    if (truncation !== 'only_second') throw new Error(`pairWindows: unsupported truncation "${String(truncation)}"`);
    const first = this.tokenizeSequence(question);
    const second = this.tokenizeSequence(context);
    const budget = options.maxLength - this.numSpecialTokensToAdd(true);
    const total = first.ids.length + second.ids.length;
    if (total <= budget) return [this.assemble(first, second, true)];
    const toRemove = total - budget;
    if (second.ids.length <= toRemove) {
      throw new Error(
        `pairWindows: the question takes ${first.ids.length} tokens and leaves no room for the context in ` +
          `windows of ${options.maxLength} tokens`,
      );
    }
    return strideRanges(second.ids.length, second.ids.length - toRemove, options.stride ?? 0).map(([start, stop]) =>
      this.assemble(first, sliceSequence(second, start, stop), true),
    );
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

  private setToken(token: string, id: number): void {
    if (!Number.isInteger(id) || id < 0) throw new Error(`token "${token}" has an invalid id ${id}`);
    this.tokenIds.set(token, id);
    while (this.idTokens.length <= id) this.idTokens.push(undefined);
    this.idTokens[id] = token;
  }

  /** Added-token split, then normalizer + pre-tokenizer + WordPiece on each remaining section. */
  private tokenizeSequence(text: string): RawSequence {
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

  private assemble(first: RawSequence, second: RawSequence | null, addSpecialTokens: boolean): Encoding {
    const encoding: Encoding = {
      ids: [],
      typeIds: [],
      offsets: [],
      wordIds: [],
      sequenceIds: [],
      tokens: [],
      specialTokensMask: [],
    };
    const processor: PostProcessorSpec | null = addSpecialTokens ? this.spec.postProcessor : null;
    const template = processor === null ? plainTemplate(second !== null) : second === null ? processor.single : processor.pair;
    for (const piece of template) {
      if (piece.kind === 'special') {
        const special = processor!.specialTokens.get(piece.name)!;
        special.ids.forEach((id, k) => {
          encoding.ids.push(id);
          encoding.typeIds.push(piece.typeId);
          encoding.offsets.push([0, 0]);
          encoding.wordIds.push(null);
          encoding.sequenceIds.push(null);
          encoding.tokens.push(special.tokens[k] ?? this.idTokens[id]!);
          encoding.specialTokensMask.push(true);
        });
        continue;
      }
      const seq = piece.sequence === 0 ? first : second;
      if (seq === null) continue;
      for (let k = 0; k < seq.ids.length; k++) {
        const id = seq.ids[k]!;
        encoding.ids.push(id);
        encoding.typeIds.push(piece.typeId);
        encoding.offsets.push([seq.starts[k]!, seq.ends[k]!]);
        encoding.wordIds.push(seq.words[k]!);
        encoding.sequenceIds.push(piece.sequence);
        encoding.tokens.push(this.idTokens[id]!);
        encoding.specialTokensMask.push(false);
      }
    }
    return encoding;
  }
}

/** Without a template (or with addSpecialTokens false) HF concatenates A (type 0) and B (type 1). */
function plainTemplate(pair: boolean): PostProcessorSpec['single'] {
  const single: PostProcessorSpec['single'] = [{ kind: 'sequence', sequence: 0, typeId: 0 }];
  return pair ? [...single, { kind: 'sequence', sequence: 1, typeId: 1 }] : single;
}

function sliceSequence(seq: RawSequence, start: number, stop: number): RawSequence {
  return {
    ids: seq.ids.slice(start, stop),
    starts: seq.starts.slice(start, stop),
    ends: seq.ends.slice(start, stop),
    words: seq.words.slice(start, stop),
  };
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
