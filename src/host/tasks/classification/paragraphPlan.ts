import type { LabelScore } from '../../../core/tasks/textClassification/postprocess';
import { escapeMarkdown } from '../../ner/hoverContent';
import type { AnchoredSpan } from '../shared/anchoredSpans';
import { formatScore } from '../shared/presentation';
import { headline, predictedLabels, readingDescription, type ScoreReading } from './labelScores';

/** A classified stretch of a document (a paragraph, a selection, the whole text). */
export interface ClassifiedSpan extends AnchoredSpan {
  results: LabelScore[];
}

/** What a document's classification results were computed with. */
export interface ClassificationInfo extends ScoreReading {
  modelDescription: string;
  /** The label order of the model (config.id2label): colours go by it. */
  labels: string[];
  scope: 'document' | 'selection' | 'paragraphs';
}

/** Paragraph results (offsets into the text sent) as document spans; `offset` is where that text starts. */
export function paragraphSpans(
  paragraphs: ReadonlyArray<{ start: number; end: number; results: LabelScore[] }>, offset: number, snapshot: string,
): ClassifiedSpan[] {
  return paragraphs
    .filter((p) => p.start >= 0 && p.end > p.start && offset + p.end <= snapshot.length)
    .map((p) => ({ start: offset + p.start, end: offset + p.end, text: snapshot.slice(offset + p.start, offset + p.end), results: p.results }));
}

/**
 * One paragraph's decoration: "label score" after the paragraph's last character (the end of its
 * last line, usually the shortest, so the text stays in view); the hover covers the paragraph.
 */
export interface ParagraphDecoration {
  /** Where the after-text goes: the end of the paragraph. */
  anchor: number;
  /** The paragraph, for the hover. */
  start: number;
  end: number;
  /** After-text shown in the editor. */
  text: string;
  /** The label that colours it (the first that applies), or undefined when none does. */
  label: string | undefined;
  hoverMarkdown: string;
}

/** Hover markdown with every label score; everything from the model is escaped. */
export function classificationHoverMarkdown(span: ClassifiedSpan, info: ClassificationInfo): string {
  const applies = new Set(predictedLabels(span.results, info).map((r) => r.label));
  const rows = [...span.results].sort((a, b) => b.score - a.score)
    .map((r) => `| ${applies.has(r.label) ? '**' + escapeMarkdown(r.label) + '**' : escapeMarkdown(r.label)} | ${formatScore(r.score)} |`);
  return [
    `**${escapeMarkdown(headline(span.results, info))}**`,
    '',
    '| label | score |',
    '|---|---:|',
    ...rows,
    '',
    `${escapeMarkdown(readingDescription(info))} · model: ${escapeMarkdown(info.modelDescription)}`,
  ].join('\n');
}

/** The decorations of a document's paragraph results, in document order. */
export function paragraphDecorations(spans: readonly ClassifiedSpan[], info: ClassificationInfo): ParagraphDecoration[] {
  return [...spans].sort((a, b) => a.start - b.start).map((span) => ({
    anchor: span.end,
    start: span.start,
    end: span.end,
    text: `  ${headline(span.results, info)}`,
    label: predictedLabels(span.results, info)[0]?.label,
    hoverMarkdown: classificationHoverMarkdown(span, info),
  }));
}
