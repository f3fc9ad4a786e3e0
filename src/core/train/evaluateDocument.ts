import { labelList } from '../bert/config';
import type { NerSentence } from '../data/datasets';
import { layOutDocument, type LayoutOptions } from '../data/documentLayout';
import { wordTagsFromSpans, type TypedSpan } from '../data/spanWordTags';
import type { LoadedModel } from '../runtime/loadModel';
import { recognizeEntities, type RecognizeOptions } from '../tasks/tokenClassification/pipeline';
import type { TokenClassificationResult } from '../tasks/tokenClassification/types';
import { nerMetrics } from './metrics';
import type { EvalMetrics } from './taskMetrics';

/**
 * What the editor's Recognize Entities uses by default (bertLens.ner.aggregationStrategy): whole
 * words labelled by their first piece, the word-level reading seqeval scores, and the same rule
 * the sentence evaluation applies to its windows.
 */
const EDITOR_AGGREGATION = 'first';

export interface DocumentEvaluateOptions extends LayoutOptions {
  /**
   * Passed to the document pipeline as they are (window length, stride, batch size and whatever
   * else it takes), so the evaluation runs exactly what the editor runs with those settings.
   */
  pipeline?: Omit<RecognizeOptions, 'aggregationStrategy' | 'ignoreLabels' | 'signal' | 'onProgress'>;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface DocumentEvaluation {
  metrics: EvalMetrics;
  unknownLabels: string[];
  examples: number;
  paragraphs: number;
  characters: number;
}

function entityType(entity: TokenClassificationResult): string {
  return 'entity_group' in entity ? entity.entity_group : entity.entity.replace(/^[BI]-/, '');
}

/**
 * Scores a NER model on labelled sentences written out as one document (documentLayout.ts): the
 * document pipeline (recognizeEntities, as the editor runs it on a whole file) finds entity spans in
 * the text, the spans are put back on the words (spanWordTags.ts), and the words are scored with the
 * sentence evaluation's strict IOB2 micro F1 — so the two numbers differ only by the layout.
 */
export async function evaluateNerDocument(model: LoadedModel, sentences: readonly NerSentence[], options: DocumentEvaluateOptions): Promise<DocumentEvaluation> {
  const document = layOutDocument(sentences, options);
  const entities = await recognizeEntities(model, document.text, {
    ...options.pipeline,
    aggregationStrategy: EDITOR_AGGREGATION,
    ignoreLabels: ['O'],
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const spans: TypedSpan[] = entities.map((e) => ({ type: entityType(e), start: e.start, end: e.end }));
  const predicted = wordTagsFromSpans(document.words, spans);
  const metrics = nerMetrics(sentences.map((s) => s.tags), predicted);
  const known = new Set(labelList(model.config));
  const unknown = new Set(sentences.flatMap((s) => s.tags).filter((tag) => !known.has(tag)));
  return {
    metrics: { score: metrics.f1, precision: metrics.precision, recall: metrics.recall, f1: metrics.f1, per_label: metrics.perLabel },
    unknownLabels: [...unknown].sort(),
    examples: sentences.length,
    paragraphs: document.paragraphs,
    characters: document.text.length,
  };
}
