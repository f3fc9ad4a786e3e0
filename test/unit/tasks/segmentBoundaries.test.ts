import { describe, expect, it } from 'vitest';
import type { PackedWindow } from '../../../src/core/tasks/shared/packing';
import { postprocessTokenClassification } from '../../../src/core/tasks/tokenClassification/postprocess';
import { entitiesOfPackedWindow } from '../../../src/core/tasks/tokenClassification/segmentEntities';
import { AGGREGATION_STRATEGIES, type EntityGroup, type TokenEntity } from '../../../src/core/tasks/tokenClassification/types';
import { convertTokensToString, encodingOf, oneHotLogits, type TokenSpec } from './helpers';

const LABELS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC'];
const id2label = Object.fromEntries(LABELS.map((l, i) => [i, l]));
const decoder = { convertTokensToString, continuingSubwordPrefix: '##' };

// Two segments packed in one window: "Ann Leeson" | "Bo Chu" (line mode), "Leeson" as Lee ##son.
const TEXT = 'Ann Leeson\nBo Chu';
const TOKENS: TokenSpec[] = [['Ann', 0, 3, 0], ['Lee', 4, 7, 1], ['##son', 7, 10, 1], ['Bo', 11, 13, 2], ['Chu', 14, 17, 3]];
const WINDOW: PackedWindow = { encoding: encodingOf(TOKENS), segmentTokens: [[1, 4], [4, 6]] };
const BOUNDARY = 11;
// I-PER continues across the boundary: HF on the whole window makes one "Ann Leeson Bo Chu".
const LOGITS = oneHotLogits(LABELS, [null, 'B-PER', 'I-PER', 'I-PER', 'I-PER', 'I-PER', null]);

describe('entitiesOfPackedWindow', () => {
  for (const strategy of AGGREGATION_STRATEGIES) {
    it(`never reports an entity across a segment boundary (${strategy})`, () => {
      const options = { text: TEXT, id2label, tokenizer: decoder, aggregationStrategy: strategy };
      const whole = postprocessTokenClassification([{ encoding: WINDOW.encoding, logits: LOGITS }], options);
      const split = entitiesOfPackedWindow(WINDOW, LOGITS, LABELS.length, options);
      for (const e of split) expect(e.start >= BOUNDARY || e.end <= BOUNDARY, `${e.start}-${e.end}`).toBe(true);
      if (strategy === 'none') {
        // Token results are HF's unchanged, index still the position in the window.
        expect(split).toEqual(whole);
        expect((split as TokenEntity[]).map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
      } else {
        expect(whole.map((e) => [e.start, e.end])).toEqual([[0, 17]]);
        expect(split.map((e) => [e.start, e.end, (e as EntityGroup).word, (e as EntityGroup).entity_group])).toEqual([
          [0, 10, 'Ann Leeson', 'PER'], [11, 17, 'Bo Chu', 'PER'],
        ]);
      }
    });
  }

  it('splits only at boundaries: a group that ends before one and one that starts after it are HF\'s', () => {
    const logits = oneHotLogits(LABELS, [null, 'B-LOC', 'O', 'O', 'B-PER', 'I-PER', null]);
    const options = { text: TEXT, id2label, tokenizer: decoder, aggregationStrategy: 'first' as const };
    const whole = postprocessTokenClassification([{ encoding: WINDOW.encoding, logits }], options);
    expect(entitiesOfPackedWindow(WINDOW, logits, LABELS.length, options)).toEqual(whole);
  });
});
