import { PostprocessError } from '../shared/errors';
import { labelList } from '../shared/labels';
import { labelScheme } from './labelScheme';
import { aggregateOverlappingEntities } from './overlap';
import {
  AGGREGATION_STRATEGIES,
  type EntityGroup,
  type TokenClassificationOptions,
  type TokenClassificationResult,
  type TokenClassificationWindow,
  type TokenEntity,
} from './types';
import { entitiesOfWindow, WindowScratch } from './windowEntities';

/**
 * HF `TokenClassificationPipeline.postprocess` over one or more windows of the same text.
 *
 * Per window exactly as HF: softmax with max subtraction, special tokens skipped, subwords detected
 * (see subwords.ts), `aggregate` with the chosen strategy, `group_entities` B-/I- rules, then the
 * `ignore_labels` filter. With more than one window the entities of all windows go through HF's
 * `aggregate_overlapping_entities` (see overlap.ts), which is what HF does with `stride`.
 *
 * Difference from HF: HF refuses `stride` with aggregation "none"; here "none" with several windows
 * runs the same overlap rule, so a token seen by two windows is reported once (same span → the
 * higher-scoring prediction). `index` is then the token's position in the window it came from.
 *
 * Cost: linear in the number of tokens; per token only typed-array work, objects only for results.
 */
export function postprocessTokenClassification(
  windows: readonly TokenClassificationWindow[], options: TokenClassificationOptions & { aggregationStrategy?: 'none' },
): TokenEntity[];
export function postprocessTokenClassification(
  windows: readonly TokenClassificationWindow[], options: TokenClassificationOptions & { aggregationStrategy: 'simple' | 'first' | 'average' | 'max' },
): EntityGroup[];
export function postprocessTokenClassification(
  windows: readonly TokenClassificationWindow[], options: TokenClassificationOptions,
): TokenClassificationResult[];
export function postprocessTokenClassification(
  windows: readonly TokenClassificationWindow[], options: TokenClassificationOptions,
): TokenClassificationResult[] {
  const strategy = options.aggregationStrategy ?? 'none';
  if (!AGGREGATION_STRATEGIES.includes(strategy)) {
    throw new PostprocessError(`aggregation strategy "${String(strategy)}" is not one of ${AGGREGATION_STRATEGIES.join(', ')}`);
  }
  const labels = labelList(options.id2label);
  if (labels.length === 0) throw new PostprocessError('id2label is empty: a token classification model needs at least one label');
  const context = {
    text: options.text,
    scheme: labelScheme(labels),
    tokenizer: options.tokenizer,
    strategy,
    ignore: new Set(options.ignoreLabels ?? ['O']),
  };
  const scratch = new WindowScratch();
  const entities: TokenClassificationResult[] = [];
  windows.forEach((window, index) => entitiesOfWindow(window, index, context, scratch, entities));
  return windows.length > 1 ? aggregateOverlappingEntities(entities) : entities;
}
