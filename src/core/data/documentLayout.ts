/**
 * Labelled sentences written out as one document, the way a user's file would hold them, so that a
 * model can be scored on what the editor runs (a whole document) rather than on isolated sentences.
 * Words are joined by single spaces; sentences by a space (`paragraphs`) or a newline (`lines`);
 * paragraphs by a blank line. Every word's UTF-16 span in the text is recorded, so that entity spans
 * found in the text can be put back on the words (spanWordTags.ts).
 */

export const DOCUMENT_LAYOUTS = ['paragraphs', 'lines'] as const;
export type DocumentLayout = (typeof DOCUMENT_LAYOUTS)[number];

/**
 * Sentences per paragraph when the data has no `-DOCSTART-` documents: about a news paragraph, long
 * enough that a window holds several sentences.
 */
export const DEFAULT_SENTENCES_PER_PARAGRAPH = 5;

export interface LayoutSentence {
  tokens: readonly string[];
  /** The `-DOCSTART-` document of the sentence; when any sentence has one, paragraphs follow them. */
  documentIndex?: number;
}

export interface LayoutOptions {
  layout: DocumentLayout;
  /** Used only when no sentence has a documentIndex. Default DEFAULT_SENTENCES_PER_PARAGRAPH. */
  sentencesPerParagraph?: number;
}

export interface WordSpan {
  start: number;
  end: number;
}

export interface LaidOutDocument {
  text: string;
  /** Per sentence, in input order: each word's [start, end) in `text`. */
  words: WordSpan[][];
  paragraphs: number;
}

/** Which sentences start a paragraph: a change of `-DOCSTART-` document, or every N sentences. */
function paragraphStarts(sentences: readonly LayoutSentence[], perParagraph: number): boolean[] {
  const byDocument = sentences.some((s) => s.documentIndex !== undefined);
  return sentences.map((sentence, i) => {
    if (i === 0) return true;
    return byDocument ? sentence.documentIndex !== sentences[i - 1]!.documentIndex : i % perParagraph === 0;
  });
}

export function layOutDocument(sentences: readonly LayoutSentence[], options: LayoutOptions): LaidOutDocument {
  const perParagraph = options.sentencesPerParagraph ?? DEFAULT_SENTENCES_PER_PARAGRAPH;
  if (!Number.isInteger(perParagraph) || perParagraph < 1) throw new Error(`sentences per paragraph must be a positive integer, got ${perParagraph}`);
  const sentenceSeparator = options.layout === 'lines' ? '\n' : ' ';
  const starts = paragraphStarts(sentences, perParagraph);
  const parts: string[] = [];
  let length = 0;
  let paragraphs = 0;
  // Sticky until a word is written: a sentence without words neither adds text nor loses the break.
  let paragraphBreak = false;
  const words = sentences.map((sentence, i) => {
    if (starts[i] && i > 0) paragraphBreak = true;
    return sentence.tokens.map((token, w) => {
      if (length > 0) {
        const separator = w > 0 ? ' ' : paragraphBreak ? '\n\n' : sentenceSeparator;
        parts.push(separator);
        length += separator.length;
      }
      if (w === 0 && (paragraphs === 0 || paragraphBreak)) paragraphs++;
      paragraphBreak = false;
      const span = { start: length, end: length + token.length };
      parts.push(token);
      length += token.length;
      return span;
    });
  });
  return { text: parts.join(''), words, paragraphs };
}
