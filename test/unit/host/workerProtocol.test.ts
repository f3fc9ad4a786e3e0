import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/core/tasks/shared/forward';
import { BadRequestError, type JobContext } from '../../../src/worker/jobHandler';
import { crashReason } from '../../../src/host/workerClient';
import { JobRunner, type AnyJobHandler } from '../../../src/worker/jobRunner';
import { ModelCache } from '../../../src/worker/modelCache';
import { parseHostMessage, parseWorkerMessage, ProtocolError, type WorkerToHost } from '../../../src/worker/protocol';

describe('message validation', () => {
  it('accepts the host messages and rejects malformed ones with a reason', () => {
    expect(parseHostMessage({ type: 'run', id: 1, kind: 'x', payload: { a: 1 } })).toEqual({ type: 'run', id: 1, kind: 'x', payload: { a: 1 } });
    expect(parseHostMessage({ type: 'cancel', id: 0, extra: true })).toEqual({ type: 'cancel', id: 0 });
    expect(parseHostMessage({ type: 'control', id: 3, action: 'pause' })).toEqual({ type: 'control', id: 3, action: 'pause' });
    const bad: Array<[unknown, RegExp]> = [
      [null, /message object/], ['run', /message object/], [[1], /message object/],
      [{ type: 'run', id: -1, kind: 'x' }, /job id/], [{ type: 'run', id: 1.5, kind: 'x' }, /job id/], [{ type: 'run', id: '1', kind: 'x' }, /job id/],
      [{ type: 'run', id: 1 }, /job kind/], [{ type: 'control', id: 1 }, /action/], [{ type: 'exit', id: 1 }, /unknown message type "exit"/],
    ];
    for (const [message, reason] of bad) expect(() => parseHostMessage(message), JSON.stringify(message)).toThrow(reason);
  });

  it('accepts the worker messages and rejects malformed ones', () => {
    expect(parseWorkerMessage({ type: 'ready', pid: 5 })).toEqual({ type: 'ready', pid: 5 });
    expect(parseWorkerMessage({ type: 'error', id: 2, error: { code: 'model-folder', message: 'm', file: '/f', bogus: 1 } }))
      .toEqual({ type: 'error', id: 2, error: { code: 'model-folder', message: 'm', file: '/f' } });
    expect(parseWorkerMessage({ type: 'result', id: 2, result: [1] })).toEqual({ type: 'result', id: 2, result: [1] });
    for (const message of [{ type: 'error', id: 2, error: { code: 'weird', message: 'm' } }, { type: 'progress' }, { type: 'log', level: 'debug', message: 'x' }, { type: 'ready' }, 7]) {
      expect(() => parseWorkerMessage(message), JSON.stringify(message)).toThrow(ProtocolError);
    }
  });
});

/** A runner with test job kinds, its sent messages collected. */
function runnerWith(handlers: Record<string, AnyJobHandler>) {
  const sent: WorkerToHost[] = [];
  const runner = new JobRunner(handlers, (m) => sent.push(m), new ModelCache(async () => { throw new Error('no models in this test'); }));
  const settled = async (id: number) => {
    await expect.poll(() => sent.some((m) => (m.type === 'result' || m.type === 'error') && m.id === id)).toBe(true);
    return sent.find((m) => (m.type === 'result' || m.type === 'error') && m.id === id)!;
  };
  return { runner, sent, settled };
}

const echo: AnyJobHandler = {
  validate(payload) {
    if (typeof payload !== 'string') throw new BadRequestError('payload must be a string');
    return payload;
  },
  async run(payload: string, context: JobContext<number>) {
    context.progress(0.5);
    return payload.toUpperCase();
  },
};

/** Waits until cancelled; records control actions as progress. */
const waiter: AnyJobHandler = {
  validate: (payload) => payload,
  run(_payload, context: JobContext<string>) {
    context.onControl((action) => context.progress(`control:${action}`));
    return new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new CancelledError())));
  },
};

describe('JobRunner', () => {
  it('runs a job: progress then exactly one result', async () => {
    const { runner, sent, settled } = runnerWith({ echo });
    runner.handle({ type: 'run', id: 1, kind: 'echo', payload: 'abc' });
    expect(await settled(1)).toEqual({ type: 'result', id: 1, result: 'ABC' });
    expect(sent).toEqual([{ type: 'progress', id: 1, progress: 0.5 }, { type: 'result', id: 1, result: 'ABC' }]);
    expect(runner.runningJobs).toBe(0);
  });

  it('answers a rejected payload, an unknown kind and a malformed message with bad-request; logs a duplicate id', async () => {
    const { runner, sent, settled } = runnerWith({ echo, waiter });
    runner.handle({ type: 'run', id: 1, kind: 'echo', payload: 42 });
    expect(await settled(1)).toEqual({ type: 'error', id: 1, error: { code: 'bad-request', message: 'payload must be a string' } });
    runner.handle({ type: 'run', id: 2, kind: 'nope', payload: null });
    expect(await settled(2)).toMatchObject({ error: { code: 'bad-request', message: 'unknown job kind "nope" (known: echo, waiter)' } });
    runner.handle({ type: 'run', id: 3, kind: 'toString', payload: null });
    expect(await settled(3)).toMatchObject({ error: { code: 'bad-request' } });
    runner.handle({ type: 'run', id: 4, kind: 'waiter', payload: null });
    runner.handle({ type: 'run', id: 4, kind: 'echo', payload: 'x' });
    expect(sent.at(-1)).toEqual({ type: 'log', level: 'error', message: 'worker ignored a second job with id 4 (that id is running)' });
    runner.handle({ type: 'run', id: 5 });
    expect(sent.at(-2)).toMatchObject({ type: 'log', level: 'error' });
    expect(sent.at(-1)).toMatchObject({ type: 'error', id: 5, error: { code: 'bad-request' } });
    runner.handle('garbage');
    expect(sent.at(-1)).toMatchObject({ type: 'log', level: 'error', message: expect.stringContaining('malformed') });
    runner.cancelAll();
    expect(await settled(4)).toMatchObject({ error: { code: 'cancelled' } });
  });

  it('routes control actions to the running job and cancel to its AbortSignal', async () => {
    const { runner, sent, settled } = runnerWith({ waiter });
    runner.handle({ type: 'run', id: 7, kind: 'waiter', payload: null });
    runner.handle({ type: 'run', id: 8, kind: 'waiter', payload: null });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    runner.handle({ type: 'control', id: 7, action: 'pause' });
    runner.handle({ type: 'control', id: 99, action: 'pause' });
    expect(sent).toEqual([{ type: 'progress', id: 7, progress: 'control:pause' }]);
    runner.handle({ type: 'cancel', id: 7 });
    expect(await settled(7)).toEqual({ type: 'error', id: 7, error: { code: 'cancelled', message: 'cancelled' } });
    expect(runner.runningJobs).toBe(1);
    runner.handle({ type: 'cancel', id: 8 });
    await settled(8);
  });

  it('reports a failure with its message and classifies errors thrown after cancellation as cancelled', async () => {
    const failing: AnyJobHandler = { validate: (p) => p, run: async () => { throw new Error('boom'); } };
    const abortThenFail: AnyJobHandler = {
      validate: (p) => p,
      run: (_p, context: JobContext<never>) => new Promise((_, reject) => context.signal.addEventListener('abort', () => reject(new Error('fetch failed: aborted')))),
    };
    const { runner, settled } = runnerWith({ failing, abortThenFail });
    runner.handle({ type: 'run', id: 1, kind: 'failing', payload: null });
    expect(await settled(1)).toMatchObject({ type: 'error', error: { code: 'failed', message: 'boom', stack: expect.stringContaining('boom') } });
    runner.handle({ type: 'run', id: 2, kind: 'abortThenFail', payload: null });
    await new Promise((r) => setTimeout(r, 0));
    runner.handle({ type: 'cancel', id: 2 });
    expect(await settled(2)).toMatchObject({ error: { code: 'cancelled' } });
  });
});

describe('crashReason', () => {
  it('picks the error line out of a dead process\'s stderr', () => {
    const node = ['/tmp/worker.js:1', 'throw new Error("broken");', '^', '', 'Error: broken', '    at Object.<anonymous> (/tmp/worker.js:1:7)', '    at Module._compile (node:internal)', '', 'Node.js v20.20.2'];
    expect(crashReason(node)).toBe('Error: broken');
    expect(crashReason(["terminate called after throwing an instance of 'Napi::Error'", '  what():  '])).toBe("terminate called after throwing an instance of 'Napi::Error'");
    expect(crashReason(['some warning', 'last words'])).toBe('last words');
    expect(crashReason([])).toBeUndefined();
  });
});
