import type { DocumentSpans } from '../shared/spanStore';
import type { ClassificationInfo, ClassifiedSpan } from './paragraphPlan';

type Results = DocumentSpans<ClassifiedSpan, ClassificationInfo>;

/**
 * Which results "Show Classification Scores" lists for a document. The paragraph under the cursor
 * comes first (the cursor touching either end counts: it usually sits at a line's end), then the
 * latest Classify Selection / Document result, then every classified paragraph; undefined when the
 * document has no classification at all. `preferTexts`: the status-bar item, which shows the
 * selection/document result, lists that one.
 */
export function scoresToShow(texts: Results | undefined, paragraphs: Results | undefined, cursor: number | undefined, preferTexts = false): Results | undefined {
  const hasTexts = texts !== undefined && texts.spans.length > 0;
  if (preferTexts && hasTexts) return texts;
  const underCursor = cursor === undefined ? undefined : paragraphs?.spans.find((span) => span.start <= cursor && cursor <= span.end);
  if (paragraphs && underCursor) return { info: paragraphs.info, spans: [underCursor] };
  if (hasTexts) return texts;
  if (paragraphs && paragraphs.spans.length > 0) return paragraphs;
  return undefined;
}
