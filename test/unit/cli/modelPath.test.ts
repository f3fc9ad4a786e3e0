import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../../src/core/runtime/hub/resolveModel';
import { cli, scratch } from './harness';

// The hub must never be asked: an endpoint nothing listens on would answer with a network error.
const offlineHub = { endpoint: 'http://127.0.0.1:9', env: {} };
const { dir, file } = scratch('model-path');
const text = file('text.txt', 'Ada Lovelace lived in London.');
let cwd: string;

beforeAll(() => {
  cwd = process.cwd();
  mkdirSync(path.join(dir, 'some'));
  writeFileSync(path.join(dir, 'some', 'file'), 'not a model');
  process.chdir(dir);
});
afterAll(() => process.chdir(cwd));

describe('--model: a path is never taken for a hub id', () => {
  it('an existing file, even one named like org/name, is "not a model folder" (exit 2), without asking the hub', async () => {
    await expect(resolveModel('some/file', offlineHub)).rejects.toThrow(`Not a model folder (a file, not a directory): ${path.join(dir, 'some', 'file')}`);
    expect(await cli('classify', text, '--model', 'some/file')).toMatchObject({
      code: 2, stderr: `bert-lens classify: Not a model folder (a file, not a directory): ${path.join(dir, 'some', 'file')}\n`,
    });
  });

  it('a missing path-like reference says the folder does not exist: ./, ../, /, ~, a backslash, or two slashes', async () => {
    const cases: Array<[string, string]> = [
      ['./gone', path.join(dir, 'gone')],
      ['../gone', path.join(dir, '..', 'gone')],
      [path.join(dir, 'gone'), path.join(dir, 'gone')],
      ['~/bert-lens-no-such-model', path.join(os.homedir(), 'bert-lens-no-such-model')],
      ['models\\base', path.resolve('models\\base')],
      ['models/base/v2', path.join(dir, 'models', 'base', 'v2')],
    ];
    for (const [reference, resolved] of cases) {
      await expect(resolveModel(reference, offlineHub), reference).rejects.toThrow(`Model folder not found: ${resolved}`);
      const { code, stderr } = await cli('classify', text, '--model', reference);
      expect(code, reference).toBe(2);
      expect(stderr, reference).toMatch(/^bert-lens classify: Model folder not found: /);
    }
  });

  it('org/name with nothing local is a hub id; when the hub cannot serve it and a folder "org" exists, the message says org/name is not there', async () => {
    await expect(resolveModel('models/base', { ...offlineHub, offline: true })).rejects.toThrow(/^Cannot load model "models\/base".*model\.$/);
    mkdirSync(path.join(dir, 'models'));
    await expect(resolveModel('models/base', { ...offlineHub, offline: true })).rejects.toThrow(
      new RegExp(`Cannot load model "models/base".*\\(nor is there a local folder ${path.join(dir, 'models', 'base').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`),
    );
  });
});
