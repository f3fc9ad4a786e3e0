// Expected user errors (no model set, a hub model not in the cache, a model folder without
// config.json, a model of another architecture) are logged as one line; real faults keep their
// stack. The distinction survives the worker boundary.
import { describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { ConfigError, parseBertConfig } from '../../../src/core/bert/config';
import { HubError } from '../../../src/core/runtime/hub/hubError';
import { HeadMismatchError } from '../../../src/core/runtime/loadModel';
import { ModelFolderError } from '../../../src/core/runtime/modelFolder';
import { TaskInputError } from '../../../src/core/tasks/shared/taskModel';
import { isUserError, UserError } from '../../../src/core/util/userError';
import { failureLogEntry, isExpectedUserError } from '../../../src/host/failureLog';
import { ChangeTracker } from '../../../src/host/ner/changeTracker';
import { ModelSettingError } from '../../../src/host/ner/modelChoice';
import { TaskRunner } from '../../../src/host/tasks/shared/taskRunner';
import { JobError, type WorkerClient } from '../../../src/host/workerClient';
import { parseWorkerMessage } from '../../../src/worker/protocol';
import { serializeJobError } from '../../../src/worker/serializeError';

vi.mock('vscode', async () => (await import('./fakeVscode')).fakeVscode.module);

/** What the host gets for an error thrown in a worker job: serialized, sent as a message, parsed. */
function acrossTheWorker(error: unknown): JobError {
  const message = parseWorkerMessage(JSON.parse(JSON.stringify({ type: 'error', id: 1, error: serializeJobError(error) })));
  if (message.type !== 'error') throw new Error('expected an error message');
  return new JobError(message.error);
}

function configError(): ConfigError {
  try {
    parseBertConfig({ model_type: 'gpt2' });
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('parseBertConfig accepted a gpt2 config');
}

const expectedInWorker: Array<[string, Error]> = [
  ['a hub model not in the cache (offline)', new HubError('unavailable', 'deepset/bert-base-cased-squad2', 'Model "deepset/bert-base-cased-squad2" is not in the cache and the hub is offline', ['config.json'])],
  ['a model folder without config.json', new ModelFolderError('/m/config.json', '/m/config.json is missing')],
  ['a model with another head', new HeadMismatchError('/m is a BertForMaskedLM; question answering needs a question-answering head')],
  ['an unsupported model_type', configError()],
  ['an empty question', new TaskInputError('the question is empty')],
];

describe('expected user errors', () => {
  it.each(expectedInWorker)('%s is an expected user error on both sides of the worker, logged as one line', (_what, error) => {
    expect(isUserError(error)).toBe(true);
    const received = acrossTheWorker(error);
    expect(received.expected).toBe(true);
    expect(received.message).toBe(error.message);
    expect(isExpectedUserError(received)).toBe(true);
    const entry = failureLogEntry(`BERT Lens: ${received.message}`, received);
    expect(entry).toEqual({ level: 'warn', text: `BERT Lens: ${error.message}` });
  });

  it('a bug in the worker keeps its stack, and is logged as an error with it', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'dims')");
    const received = acrossTheWorker(bug);
    expect(received.expected).toBe(false);
    expect(isExpectedUserError(received)).toBe(false);
    const entry = failureLogEntry('BERT Lens: question answering failed: x', received);
    expect(entry.level).toBe('error');
    expect(entry.text.split('\n').length).toBeGreaterThan(2);
    expect(entry.text).toContain(bug.stack!.split('\n')[1]!.trim());
  });

  it('a protocol message claiming expected: "yes" is not taken as expected', () => {
    const message = parseWorkerMessage({ type: 'error', id: 1, error: { code: 'failed', message: 'm', expected: 'yes' } });
    expect(message.type === 'error' && message.error.expected).toBeFalsy();
  });

  it('host-side: ModelSettingError is a UserError; a plain Error is not', () => {
    expect(new ModelSettingError('x') instanceof UserError).toBe(true);
    expect(isExpectedUserError(new Error('x'))).toBe(false);
  });

  it('TaskRunner logs "no model configured" as one warning line, not an error with a stack', () => {
    const logged: Array<{ level: string; text: string }> = [];
    const log = Object.fromEntries(['info', 'warn', 'error'].map((level) => [level, (text: string) => logged.push({ level, text })]));
    const runner = new TaskRunner({
      client: {} as WorkerClient, tracker: new ChangeTracker(), cacheDir: '/tmp/unused',
      log: { ...log, show() {} } as unknown as vscode.LogOutputChannel,
      modelContext: () => ({ bundledRoot: '/ext/models', bundledDescription: () => 'bundled', workspaceFolder: undefined, isDirectory: () => false }),
    });
    runner.showFailure(new ModelSettingError('question answering has no bundled model: set bertLens.qa.model'), 'qa', undefined);
    expect(logged).toEqual([{ level: 'warn', text: 'BERT Lens: question answering has no bundled model: set bertLens.qa.model.' }]);
    logged.length = 0;
    runner.showFailure(acrossTheWorker(new HubError('unavailable', 'a/b', 'Model "a/b" is not in the cache')), 'qa', undefined);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.level).toBe('warn');
    expect(logged[0]!.text).not.toContain('\n');
    logged.length = 0;
    runner.showFailure(acrossTheWorker(new RangeError('offset out of bounds')), 'qa', undefined);
    expect(logged[0]!.level).toBe('error');
    expect(logged[0]!.text).toContain('RangeError');
    expect(logged[0]!.text.split('\n').length).toBeGreaterThan(2);
  });
});

