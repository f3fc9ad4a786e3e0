import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { byteLevelBpeTokenizerJson } from '../../../src/core/runtime/tokenizer/library/byteLevelBpe';
import { SyncEncoder } from '../../../src/core/runtime/tokenizer/library/syncEncoder';

// The bridge's caller blocks on an Atomics.wait until the library thread has stored 1 in the flag and
// notified it. The thread stores, then notifies, as two steps: on a loaded machine it can be descheduled
// between them while the caller (which saw the 1) reads its reply and starts the next request; the
// late notify then wakes that next wait before its reply exists — RoBERTa NER over the 24,000-token
// document failed so with "the tokenizers library thread did not answer". A second thread that keeps
// notifying the flag makes that interleaving happen on every request, on any machine.
const FIXTURE = path.resolve(__dirname, '..', '..', 'fixtures', 'tokenizer', 'roberta-bpe');
const read = (name: string) => readFileSync(path.join(FIXTURE, name), 'utf8');
const TOKENIZER_JSON = JSON.stringify(byteLevelBpeTokenizerJson(read('vocab.json'), read('merges.txt'),
  JSON.parse(read('tokenizer_config.json')) as Record<string, unknown>, { unk_token: '<unk>' }, { vocab: 'vocab.json', merges: 'merges.txt' }));

const NOTIFIER = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.flag);
const stop = new Int32Array(workerData.stop);
while (Atomics.load(stop, 0) === 0) Atomics.notify(flag, 0);
`;

describe('the library thread bridge', () => {
  let notifier: Worker | undefined;
  const stop = new Int32Array(new SharedArrayBuffer(4));
  afterEach(async () => {
    Atomics.store(stop, 0, 1);
    await notifier?.terminate();
  });

  it('waits for the reply itself, not for any notify of its flag', async () => {
    const encoder = new SyncEncoder(TOKENIZER_JSON);
    const expected = encoder.tokensToString(['Hello', 'Ġworld']);
    const flag = (encoder as unknown as { thread: { flag: Int32Array } }).thread.flag;
    notifier = new Worker(NOTIFIER, { eval: true, workerData: { flag: flag.buffer, stop: stop.buffer } });
    await new Promise((resolve) => notifier!.once('online', resolve));
    const texts = ['Ada Lovelace wrote the first program.', 'Jean-Luc Picard commands the Enterprise.'];
    const reference = texts.map((t) => Array.from(new SyncEncoder(TOKENIZER_JSON).encode(t).ids));
    for (let k = 0; k < 300; k++) {
      expect(encoder.tokensToString(['Hello', 'Ġworld'])).toBe(expected);
      expect(Array.from(encoder.encode(texts[k % 2]!).ids)).toEqual(reference[k % 2]);
    }
  });
});
