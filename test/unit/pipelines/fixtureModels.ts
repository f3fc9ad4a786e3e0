import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HeadKind } from '../../../src/core/bert/heads';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';

export const FIXTURE_MODELS = path.join(__dirname, '..', '..', 'fixtures', 'models');

/** Converted graphs go to a temp dir: the fixtures' onnx/ folders are git-ignored and may be absent. */
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-pipelines-'));
const loaded = new Map<string, Promise<LoadedModel>>();

/** A fixture model (test/fixtures/models/NAME) loaded once per test file for `head`. */
export function fixtureModel(name: string, head: HeadKind): Promise<LoadedModel> {
  const key = `${name}:${head}`;
  let model = loaded.get(key);
  if (!model) {
    model = loadModel(path.join(FIXTURE_MODELS, name), { head, cacheDir, threads: 1 });
    loaded.set(key, model);
  }
  return model;
}

export function fixtureCacheDir(): string {
  return cacheDir;
}
