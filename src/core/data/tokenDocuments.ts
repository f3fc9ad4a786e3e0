import type { AnnotatedDocument, DocumentToken, Span } from './annotation';
import { spansToTags, tagsToSpans, type AlignmentIssue } from './bioAlignment';
import { joinWords, punctuationWordTokens, whitespaceTokens } from './wordTokens';
import { segmentRanges, type SegmentationMode } from '../tasks/shared/segmentation';

/**
 * Words-and-tags sentences (CoNLL, HF token classification) ↔ character documents. A sentence's
 * text is its words joined by single spaces; a document holding several sentences puts one per line.
 */

export interface TaggedSentence {
  tokens: string[];
  /** IOB2 (or any scheme `decodeEntities` reads) tags, one per token. */
  tags: string[];
}

/** One document from sentences: text, spans from the B/I runs, and the words as `tokens`. */
export function sentencesToDocument(sentences: readonly TaggedSentence[], meta: AnnotatedDocument['meta']): AnnotatedDocument {
  const lines: string[] = [];
  const tokens: DocumentToken[] = [];
  const spans: Span[] = [];
  let base = 0;
  for (const sentence of sentences) {
    const joined = joinWords(sentence.tokens);
    const offsets = joined.offsets.map(([start, end]) => [start + base, end + base] as [number, number]);
    offsets.forEach(([start, end], i) => tokens.push({ text: sentence.tokens[i]!, start, end, id: tokens.length, ws: true }));
    spans.push(...tagsToSpans(sentence.tags, offsets).spans);
    lines.push(joined.text);
    base += joined.text.length + 1;
  }
  if (tokens.length > 0) tokens[tokens.length - 1]!.ws = false;
  return { text: lines.join('\n'), spans, tokens, meta };
}

export interface DocumentsToSentencesOptions {
  /**
   * Words of a document without usable `tokens`: 'punctuation' (default: whitespace, and each
   * punctuation character alone, as BERT's BasicTokenizer) or 'whitespace'.
   */
  words?: 'punctuation' | 'whitespace';
  /** Passed to spansToTags: 'outward' widens spans that cut a word instead of leaving them out. */
  snap?: 'none' | 'outward';
  /**
   * Where one sentence (one training row) ends. Unset: at every line break — the layout of CoNLL and
   * token JSONL documents, whose lines are their sentences (exports round-trip). Set: the segments
   * NER inference reads (segmentation.ts), so a model trained on a workspace's documents sees the
   * units the editor will give it; `none`: each document is one sequence.
   */
  segmentation?: SegmentationMode;
}

export interface DocumentSentence extends TaggedSentence {
  /** Index of the document in the input. */
  documentIndex: number;
}

/** Words of a document: its own tokens when they are plain words, else the chosen word tokenizer. */
export function documentWordOffsets(document: AnnotatedDocument, words: 'punctuation' | 'whitespace' = 'punctuation'): Array<[number, number]> {
  const own = document.tokens?.filter((token) => token.end > token.start && token.text.trim() !== '');
  if (own && own.every((token) => !/\s/.test(token.text))) return own.map((token) => [token.start, token.end]);
  return words === 'whitespace' ? whitespaceTokens(document.text) : punctuationWordTokens(document.text);
}

/**
 * Sentences of words and IOB2 tags: each line of a document's text is a sentence, or, with
 * `segmentation`, each segment as NER inference cuts the text (a word belongs to the segment it
 * starts in). Spans off word boundaries and overlapping spans are in `alignment` (skipped, or widened
 * with `snap: 'outward'`).
 */
export function documentsToSentences(
  documents: readonly AnnotatedDocument[],
  options: DocumentsToSentencesOptions = {},
): { sentences: DocumentSentence[]; alignment: AlignmentIssue[] } {
  const sentences: DocumentSentence[] = [];
  const alignment: AlignmentIssue[] = [];
  documents.forEach((document, documentIndex) => {
    const offsets = documentWordOffsets(document, options.words);
    const encoded = spansToTags(document.spans, offsets, { snap: options.snap ?? 'none', documentPath: document.meta.path, text: document.text });
    alignment.push(...encoded.issues);
    const segmentOf = segmentLocator(document.text, options.segmentation);
    let current: DocumentSentence | undefined;
    let currentSegment = -1;
    offsets.forEach(([start, end], i) => {
      const segment = segmentOf(start);
      if (!current || segment !== currentSegment) {
        current = { tokens: [], tags: [], documentIndex };
        sentences.push(current);
        currentSegment = segment;
      }
      current.tokens.push(document.text.slice(start, end));
      current.tags.push(encoded.tags[i]!);
    });
  });
  return { sentences, alignment };
}

/**
 * For words given in order: the index of the sentence a word starting at `start` is in — counting
 * line breaks without `segmentation`, else the inference segment it starts in.
 */
function segmentLocator(text: string, segmentation: SegmentationMode | undefined): (start: number) => number {
  let index = 0;
  let scanned = 0;
  if (segmentation === undefined) {
    return (start) => {
      if (/[\r\n\u2028\u2029]/.test(text.slice(scanned, start))) index++;
      scanned = Math.max(scanned, start);
      return index;
    };
  }
  const bounds = segmentRanges(text, segmentation);
  return (start) => {
    while (index < bounds.length - 1 && bounds[index]![1] <= start) index++;
    return index;
  };
}

export function describeAlignmentIssue(issue: AlignmentIssue): string {
  return `${issue.documentPath ?? '(document)'}: span ${issue.spanIndex} ${issue.action}: ${issue.reason}`;
}
