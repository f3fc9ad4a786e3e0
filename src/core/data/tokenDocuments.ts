import type { AnnotatedDocument, DocumentToken, Span } from './annotation';
import { spansToTags, tagsToSpans, type AlignmentIssue } from './bioAlignment';
import { joinWords, punctuationWordTokens, whitespaceTokens } from './wordTokens';

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
 * Sentences of words and IOB2 tags: each line of a document's text is a sentence. Spans off word
 * boundaries and overlapping spans are in `alignment` (skipped, or widened with `snap: 'outward'`).
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
    let current: DocumentSentence | undefined;
    let lastEnd = 0;
    offsets.forEach(([start, end], i) => {
      if (!current || /[\r\n\u2028\u2029]/.test(document.text.slice(lastEnd, start))) {
        current = { tokens: [], tags: [], documentIndex };
        sentences.push(current);
      }
      current.tokens.push(document.text.slice(start, end));
      current.tags.push(encoded.tags[i]!);
      lastEnd = end;
    });
  });
  return { sentences, alignment };
}

export function describeAlignmentIssue(issue: AlignmentIssue): string {
  return `${issue.documentPath ?? '(document)'}: span ${issue.spanIndex} ${issue.action}: ${issue.reason}`;
}
