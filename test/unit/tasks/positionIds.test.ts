import { describe, expect, it } from 'vitest';
import { parseBertConfig } from '../../../src/core/bert/config';
import { Graph } from '../../../src/core/graph/graph';
import * as op from '../../../src/core/graph/ops/index';
import { writeOnnx } from '../../../src/core/graph/onnxWriter';
import { createSession } from '../../../src/core/runtime/ort';
import { forwardPackedRows, forwardWindows, positionIdsOf } from '../../../src/core/tasks/shared/forward';
import type { Encoding } from '../../../src/core/runtime/tokenizer/encoding';

// What forwardWindows feeds a graph's `position_ids` input. A folder's own RoBERTa-family ONNX file
// (Optimum, transformers.js) takes HF's ids, which this test computes as modeling_roberta.py's
// create_position_ids_from_input_ids (transformers 4.x) does on the padded batch HF would build:
//   mask = ids != padding_idx; ids = cumsum(mask) * mask + padding_idx.
// The graph under test echoes position_ids and input_ids, so each window's fed row can be read back.

function createPositionIdsFromInputIds(ids: readonly number[], paddingIdx: number): number[] {
  let count = 0;
  return ids.map((id) => {
    const counted = id !== paddingIdx ? 1 : 0;
    count += counted;
    return count * counted + paddingIdx;
  });
}

async function echoSession() {
  const g = new Graph();
  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const positions = g.input('position_ids', 'int64', ['batch', 'sequence']);
  g.output(op.unsqueeze(op.cast(positions, 'float32'), [2]), 'positions');
  g.output(op.unsqueeze(op.cast(ids, 'float32'), [2]), 'ids');
  return createSession(writeOnnx(g), { graphOptimizationLevel: 'disabled' });
}

/** A single-text encoding of these ids (the fields forwardWindows reads besides ids are filler). */
function encodingOfIds(ids: number[]): Encoding {
  return {
    ids,
    typeIds: ids.map(() => 0),
    offsets: ids.map(() => [0, 0] as [number, number]),
    wordIds: ids.map(() => null),
    sequenceIds: ids.map(() => 0),
    tokens: ids.map(String),
    specialTokensMask: ids.map(() => false),
  };
}

const PAD = 1;
/** Windows of different lengths (so the batch pads), one with the pad id inside its own tokens. */
const WINDOWS = [
  encodingOfIds([0, 7, 8, 2]),
  encodingOfIds([0, 9, 2]),
  encodingOfIds([0, 10, PAD, 11, 12, 2]),
];

describe('position_ids fed to a graph', () => {
  it("a folder's RoBERTa-style graph gets create_position_ids_from_input_ids for each window, padded batch or not", async () => {
    const session = await echoSession();
    for (const batchSize of [1, 3]) {
      const outputs = await forwardWindows(session, WINDOWS, {
        tokenOutputs: ['positions', 'ids'], batchSize, padTokenId: PAD, positionIds: { kind: 'from-padding', paddingIdx: PAD },
      });
      WINDOWS.forEach((window, w) => {
        expect(Array.from(outputs[w]!.ids!)).toEqual(window.ids);
        expect(Array.from(outputs[w]!.positions!), `window ${w}, batch ${batchSize}`).toEqual(createPositionIdsFromInputIds(window.ids, PAD));
      });
    }
  });

  it('packed rows restart HF positions at padding_idx + 1 for each window', async () => {
    const session = await echoSession();
    const outputs = await forwardPackedRows(session, WINDOWS, {
      tokenOutputs: ['positions'], rowTokens: 64, padTokenId: PAD, positionIds: { kind: 'from-padding', paddingIdx: PAD },
    });
    WINDOWS.forEach((window, w) => expect(Array.from(outputs[w]!.positions!)).toEqual(createPositionIdsFromInputIds(window.ids, PAD)));
  });

  it('graphs converted here get offsets in their own window (they map them to table rows themselves)', async () => {
    const session = await echoSession();
    for (const options of [{}, { positionIds: { kind: 'offsets' } as const }]) {
      const outputs = await forwardWindows(session, WINDOWS, { tokenOutputs: ['positions'], batchSize: 3, padTokenId: PAD, ...options });
      WINDOWS.forEach((window, w) => expect(Array.from(outputs[w]!.positions!)).toEqual(window.ids.map((_, t) => t)));
    }
  });

  it('positionIdsOf: HF ids only for a folder graph of an architecture whose positions count from padding', () => {
    const roberta = parseBertConfig({ model_type: 'roberta', vocab_size: 50, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 20, pad_token_id: 1 });
    const bert = parseBertConfig({ model_type: 'bert', vocab_size: 50, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, pad_token_id: 0 });
    expect(positionIdsOf({ graphSource: 'folder', config: roberta })).toEqual({ kind: 'from-padding', paddingIdx: 1 });
    expect(positionIdsOf({ graphSource: 'converted', config: roberta })).toEqual({ kind: 'offsets' });
    expect(positionIdsOf({ graphSource: 'folder', config: bert })).toEqual({ kind: 'offsets' });
  });
});
