import type { Tokenizer } from '../runtime/tokenizer/tokenizer';
import { strideRanges } from '../runtime/tokenizer/windowing';

export const IGNORE_INDEX = -100;

/** One model input row for training or evaluation, before padding. */
export interface Feature {
  inputIds: number[];
  tokenTypeIds: number[];
  /** Per token (NER: label on each word's first piece, -100 elsewhere). */
  tokenLabels?: number[];
  /** Sequence classification: class index (single-label) or values (regression, multi-label). */
  label?: number;
  labelValues?: number[];
  /** QA: token positions of the answer in this window (0 = [CLS]: no answer here). */
  startPosition?: number;
  endPosition?: number;
  /** The example this row came from (several rows when a long example is windowed). */
  example: number;
  /** NER: for each token, the word index of the example it starts (else -1). */
  wordStarts?: number[];
}

export interface FeatureReport {
  examples: number;
  features: number;
  /** Examples longer than one window, split with overlap. */
  windowed: number;
  /** Examples that produced no token at all (empty after normalization). */
  empty: number;
}

function withSpecials(tokenizer: Tokenizer, ids: number[]): number[] {
  return [tokenizer.clsTokenId!, ...ids, tokenizer.sepTokenId!];
}

/**
 * NER rows as HF's run_ner.py builds them: each word is tokenized, its label goes on the first
 * piece and -100 on the others (label_all_tokens=False). Words are joined by single spaces, which
 * every pre-tokenizer splits on (BERT's, byte-level BPE's, SentencePiece's Metaspace), and each
 * token goes to a word by its offsets, never by its spelling ("##" holds only for WordPiece). A sentence longer
 * than max_seq_length becomes several windows sharing `stride` tokens instead of being cut.
 */
export function nerFeatures(
  sentences: ReadonlyArray<{ tokens: readonly string[]; tags: readonly string[] }>,
  tokenizer: Tokenizer,
  label2id: Readonly<Record<string, number>>,
  options: { maxSeqLength: number; stride?: number },
): { features: Feature[]; report: FeatureReport } {
  const features: Feature[] = [];
  const report: FeatureReport = { examples: sentences.length, features: 0, windowed: 0, empty: 0 };
  const budget = options.maxSeqLength - 2;
  const stride = Math.min(options.stride ?? Math.floor(budget / 4), budget - 1);
  sentences.forEach((sentence, example) => {
    const starts: number[] = [];
    let text = '';
    sentence.tokens.forEach((word, i) => {
      if (i > 0) text += ' ';
      starts.push(text.length);
      text += word;
    });
    const { ids, offsets } = wordsAsRunningText(tokenizer, text);
    if (ids.length === 0) {
      report.empty++;
      return;
    }
    const labels: number[] = [];
    const wordStarts: number[] = [];
    let word = -1;
    let lastLabelled = -1;
    for (let t = 0; t < ids.length; t++) {
      // A token belongs to the word its first character after the joining spaces is in: SentencePiece's
      // "▁" pieces ("▁li" of " lived", a lone "▁") and byte-level BPE without trim_offsets start at the
      // space before their word, and such a token is that word's first (HF's word_ids of split words).
      let start = offsets[2 * t]!;
      while (start < text.length && text.charCodeAt(start) === 0x20) start++;
      while (word + 1 < starts.length && starts[word + 1]! <= start) word++;
      if (word !== lastLabelled) {
        const id = label2id[sentence.tags[word]!];
        if (id === undefined) throw new Error(`label "${sentence.tags[word]}" is not in the label set`);
        labels.push(id);
        wordStarts.push(word);
        lastLabelled = word;
      } else {
        labels.push(IGNORE_INDEX);
        wordStarts.push(-1);
      }
    }
    const ranges = strideRanges(ids.length, budget, stride);
    if (ranges.length > 1) report.windowed++;
    for (const [from, to] of ranges) {
      const windowIds = withSpecials(tokenizer, Array.from(ids.subarray(from, to)));
      features.push({
        inputIds: windowIds,
        tokenTypeIds: windowIds.map(() => 0),
        tokenLabels: [IGNORE_INDEX, ...labels.slice(from, to), IGNORE_INDEX],
        wordStarts: [-1, ...wordStarts.slice(from, to), -1],
        example,
      });
    }
  });
  report.features = features.length;
  return { features, report };
}

/**
 * The ids and offsets (into `text`) of a sentence given as words, as HF's run_ner.py tokenizes them:
 * `is_split_into_words=True`, with `add_prefix_space=True` for a byte-level BPE (RoBERTa, GPT-2),
 * i.e. every word as if a space came before it — the first word too. Inference reads running text,
 * where a sentence mostly follows a space (". EU rejects" gives "ĠEU"), so without that space the
 * model would learn each sentence's first word from pieces ("EU") it rarely sees at inference. Where
 * the first piece already reads as a word start (WordPiece; SentencePiece's "▁", which Metaspace adds
 * itself) the leading space would change nothing and the text is encoded as it is.
 */
export function wordsAsRunningText(tokenizer: Tokenizer, text: string): { ids: Int32Array; offsets: Int32Array } {
  const plain = tokenizer.encodeIdsWithOffsets(text, { addSpecialTokens: false });
  if (plain.ids.length === 0 || tokenizer.startsWord(plain.ids[0]!)) return plain;
  const spaced = tokenizer.encodeIdsWithOffsets(` ${text}`, { addSpecialTokens: false });
  const offsets = spaced.offsets.map((offset) => Math.max(0, offset - 1));
  return { ids: spaced.ids, offsets };
}

/**
 * Sequence-classification rows: [CLS] text [SEP] (text pairs: [CLS] a [SEP] b [SEP]). A text longer
 * than max_seq_length becomes several windows with the same label; evaluation averages their logits,
 * as inference does.
 */
export function classificationFeatures(
  examples: ReadonlyArray<{ text: string; textPair?: string; label: number | number[] }>,
  tokenizer: Tokenizer,
  options: { maxSeqLength: number; stride?: number },
): { features: Feature[]; report: FeatureReport } {
  const features: Feature[] = [];
  const report: FeatureReport = { examples: examples.length, features: 0, windowed: 0, empty: 0 };
  examples.forEach((example, index) => {
    const label = example.label;
    const target = Array.isArray(label) ? { labelValues: label } : { label };
    const encodings = example.textPair !== undefined
      ? tokenizer.pairWindows(example.textPair, example.text, { maxLength: options.maxSeqLength, stride: options.stride ?? 0 })
      : tokenizer.windows(example.text, { maxLength: options.maxSeqLength, stride: options.stride ?? Math.floor((options.maxSeqLength - 2) / 4) });
    if (encodings.length > 1) report.windowed++;
    for (const encoding of encodings) features.push({ inputIds: encoding.ids, tokenTypeIds: encoding.typeIds, ...target, example: index });
  });
  report.features = features.length;
  return { features, report };
}

/**
 * Masked-LM rows as HF run_mlm.py's group_texts: every text is tokenized with its [CLS]/[SEP], all
 * are concatenated, and the stream is cut into blocks of max_seq_length (the remainder is dropped).
 * Masking happens per batch in the collator, so every epoch sees new masks.
 */
export function mlmFeatures(texts: Iterable<string>, tokenizer: Tokenizer, options: { maxSeqLength: number }): { features: Feature[]; report: FeatureReport } {
  const stream: number[] = [];
  let examples = 0;
  let empty = 0;
  for (const text of texts) {
    examples++;
    const { ids } = tokenizer.encodeIdsWithOffsets(text, { addSpecialTokens: true });
    if (ids.length <= 2) empty++;
    else for (const id of ids) stream.push(id);
  }
  const features: Feature[] = [];
  const size = options.maxSeqLength;
  for (let at = 0; at + size <= stream.length; at += size) {
    const inputIds = stream.slice(at, at + size);
    features.push({ inputIds, tokenTypeIds: inputIds.map(() => 0), example: features.length });
  }
  return { features, report: { examples, features: features.length, windowed: 0, empty } };
}

/**
 * QA training rows as HF's prepare_train_features: question + context windows with doc_stride; the
 * answer's token span when it lies wholly inside the window's context, else [CLS] (position 0).
 */
export function qaFeatures(
  examples: ReadonlyArray<{ question: string; context: string; answerStart: number | null; answerText: string }>,
  tokenizer: Tokenizer,
  options: { maxSeqLength: number; docStride: number },
): { features: Feature[]; report: FeatureReport } {
  const features: Feature[] = [];
  const report: FeatureReport = { examples: examples.length, features: 0, windowed: 0, empty: 0 };
  examples.forEach((example, index) => {
    const windows = tokenizer.pairWindows(example.question, example.context, { maxLength: options.maxSeqLength, stride: options.docStride });
    if (windows.length > 1) report.windowed++;
    for (const window of windows) {
      let startPosition = 0;
      let endPosition = 0;
      if (example.answerStart !== null) {
        // HF prepare_train_features: the answer must lie inside the window's context; then start =
        // the last token starting at or before the answer start, end = the first token ending at or
        // after the answer end.
        const charStart = example.answerStart;
        const charEnd = charStart + example.answerText.length;
        const context = window.sequenceIds.flatMap((sequence, t) => (sequence === 1 ? [t] : []));
        const first = context[0];
        const last = context[context.length - 1];
        if (first !== undefined && last !== undefined && window.offsets[first]![0] <= charStart && window.offsets[last]![1] >= charEnd) {
          let start = first;
          while (start <= last && window.offsets[start]![0] <= charStart) start++;
          let end = last;
          while (end >= first && window.offsets[end]![1] >= charEnd) end--;
          startPosition = start - 1;
          endPosition = end + 1;
        }
      }
      features.push({ inputIds: window.ids, tokenTypeIds: window.typeIds, startPosition, endPosition, example: index });
    }
  });
  report.features = features.length;
  return { features, report };
}
