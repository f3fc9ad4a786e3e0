import type { Encoding } from './encoding';
import type {
  DecodeOptions,
  EncodeOptions,
  IdsWithOffsets,
  PairWindowOptions,
  Tokenizer,
  TokenizerModelType,
  WindowOptions,
} from './tokenizer';
import type { PostProcessorSpec } from './tokenizerSpec';
import { strideRanges } from './windowing';

/** Tokens of one text before post-processing: ids with UTF-16 offsets and word ids. */
export interface RawSequence {
  ids: number[];
  starts: number[];
  ends: number[];
  words: Array<number | null>;
}

/**
 * What every tokenizer type shares once a text is tokens: the post-processor template
 * (`[CLS] A [SEP]`, `<s> A </s></s> B </s>`), HF's overflow windows and only_second pair windows.
 * A type only says how one text becomes tokens (`tokenizeSequence`) and how ids become text.
 */
export abstract class TemplateTokenizer implements Tokenizer {
  abstract readonly modelType: TokenizerModelType;
  abstract readonly vocabSize: number;
  abstract readonly unkTokenId: number | undefined;
  abstract readonly clsTokenId: number | undefined;
  abstract readonly sepTokenId: number | undefined;
  abstract readonly padTokenId: number | undefined;
  abstract readonly maskTokenId: number | undefined;
  abstract readonly maskToken: string | undefined;
  abstract readonly modelMaxLength: number;
  abstract readonly continuingSubwordPrefix: string | null;
  abstract readonly cleanUpTokenizationSpaces: boolean;

  protected constructor(private readonly postProcessor: PostProcessorSpec | null) {}

  abstract tokenToId(token: string): number | undefined;
  abstract idToToken(id: number): string | undefined;
  abstract isSpecialId(id: number): boolean;
  abstract startsWord(id: number): boolean;
  abstract decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  abstract convertTokensToString(tokens: readonly string[]): string;
  /** Added-token split, normalizer, pre-tokenizer and model on one text; no special tokens. */
  protected abstract tokenizeSequence(text: string): RawSequence;

  numSpecialTokensToAdd(pair: boolean): number {
    const processor = this.postProcessor;
    if (processor === null) return 0;
    let count = 0;
    for (const piece of pair ? processor.pair : processor.single) {
      if (piece.kind === 'special') count += processor.specialTokens.get(piece.name)?.ids.length ?? 0;
    }
    return count;
  }

  tokenize(text: string): string[] {
    return this.tokenizeSequence(text).ids.map((id) => this.idToToken(id)!);
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
    const processor = options.addSpecialTokens ?? true ? this.postProcessor : null;
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
   * stride=stride, return_overflowing_tokens=True)` — every window carries the template's special
   * tokens, holds at most maxLength tokens, and consecutive windows share `stride` tokens.
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
   * QuestionAnsweringPipeline calls it. Context offsets are into `context`, question offsets into
   * `question` (see sequenceIds). Throws when the question leaves no room for context, as HF does.
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

  protected assemble(first: RawSequence, second: RawSequence | null, addSpecialTokens: boolean): Encoding {
    const processor: PostProcessorSpec | null = addSpecialTokens ? this.postProcessor : null;
    const template = processor === null ? plainTemplate(second !== null) : second === null ? processor.single : processor.pair;
    let size = 0;
    for (const piece of template) {
      if (piece.kind === 'special') size += processor!.specialTokens.get(piece.name)!.ids.length;
      else size += (piece.sequence === 0 ? first : second)?.ids.length ?? 0;
    }
    // Sized once: a document is tens of thousands of tokens, and seven growing arrays cost more than the words.
    const encoding: Encoding = {
      ids: new Array<number>(size),
      typeIds: new Array<number>(size),
      offsets: new Array<[number, number]>(size),
      wordIds: new Array<number | null>(size),
      sequenceIds: new Array<number | null>(size),
      tokens: new Array<string>(size),
      specialTokensMask: new Array<boolean>(size),
    };
    let n = 0;
    for (const piece of template) {
      if (piece.kind === 'special') {
        const special = processor!.specialTokens.get(piece.name)!;
        special.ids.forEach((id, k) => {
          encoding.ids[n] = id;
          encoding.typeIds[n] = piece.typeId;
          encoding.offsets[n] = [0, 0];
          encoding.wordIds[n] = null;
          encoding.sequenceIds[n] = null;
          encoding.tokens[n] = special.tokens[k] ?? this.idToToken(id)!;
          encoding.specialTokensMask[n] = true;
          n++;
        });
        continue;
      }
      const seq = piece.sequence === 0 ? first : second;
      if (seq === null) continue;
      for (let k = 0; k < seq.ids.length; k++, n++) {
        const id = seq.ids[k]!;
        encoding.ids[n] = id;
        encoding.typeIds[n] = piece.typeId;
        encoding.offsets[n] = [seq.starts[k]!, seq.ends[k]!];
        encoding.wordIds[n] = seq.words[k]!;
        encoding.sequenceIds[n] = piece.sequence;
        encoding.tokens[n] = this.idToToken(id)!;
        encoding.specialTokensMask[n] = false;
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
