import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { waitForCall } from '../../../src/core/runtime/tokenizer/library/syncEncoder';

// The library thread stores a call's number and then notifies; between the two the caller can read
// that reply, send the next request and sleep, and the late notify then wakes it before the next reply
// exists. Here a thread plays that order on purpose: a bare notify (the late one) 200 ms in, the reply
// marker and the new call's number 400 ms in.
const LATE_NOTIFY = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
sleep(200);
Atomics.notify(flag, 0);
sleep(200);
Atomics.store(flag, 1, 1);
Atomics.store(flag, 0, 2);
Atomics.notify(flag, 0);
`;

function playLateNotify(): { flag: Int32Array; worker: Worker } {
  const flag = new Int32Array(new SharedArrayBuffer(8));
  Atomics.store(flag, 0, 1); // call 1 answered; call 2 awaited
  return { flag, worker: new Worker(LATE_NOTIFY, { eval: true, workerData: flag.buffer }) };
}

describe('SyncEncoder waiting for its reply', () => {
  it('a bare Atomics.wait is woken by the late notify of the previous call (the race)', async () => {
    const { flag, worker } = playLateNotify();
    Atomics.wait(flag, 0, 1, 5000);
    expect(Atomics.load(flag, 1)).toBe(0);
    await new Promise((resolve) => worker.once('exit', resolve));
  });

  it('waitForCall returns only once the awaited call has been answered', async () => {
    const { flag, worker } = playLateNotify();
    waitForCall(flag, 2);
    expect(Atomics.load(flag, 1)).toBe(1);
    expect(Atomics.load(flag, 0)).toBe(2);
    await new Promise((resolve) => worker.once('exit', resolve));
  });
});
