import { promises as fs, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../../../src/core/runtime/hub/resolveModel';
import { loadModel } from '../../../../src/core/runtime/loadModel';
import { fillMask } from '../../../../src/core/tasks/fillMask/pipeline';
import { COMMIT, startFakeHub, type FakeHub } from '../fakeHub';

// Hub repositories that ship only PyTorch weights (like cardiffnlp/twitter-roberta-base-sentiment-latest),
// built from the masked-lm fixture model and its torch.save'd copies (scripts/reference/torch_bin_fixtures.py).
const FIXTURES = path.join(__dirname, '..', '..', '..', 'fixtures');
const MODEL = path.join(FIXTURES, 'models', 'masked-lm');
const BIN = path.join(FIXTURES, 'pytorch', 'masked-lm');
const TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
const SHARDS = ['pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin'];
const work = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bin-hub-'));
let hub: FakeHub;

async function repo(name: string, weights: string[]): Promise<string> {
  const dir = path.join(work, 'repos', name);
  await fs.mkdir(dir, { recursive: true });
  for (const file of TOKENIZER_FILES) await fs.copyFile(path.join(MODEL, file), path.join(dir, file));
  for (const file of weights) await fs.copyFile(path.join(BIN, file), path.join(dir, file));
  return dir;
}

beforeAll(async () => {
  hub = await startFakeHub({
    'acme/bin-only': { dir: await repo('bin-only', ['pytorch_model.bin']) },
    'acme/bin-sharded': { dir: await repo('bin-sharded', ['pytorch_model.bin.index.json', ...SHARDS]) },
    'acme/bin-broken-index': { dir: await repo('bin-broken-index', ['pytorch_model.bin.index.json', SHARDS[0]!]) },
  });
});
afterAll(async () => {
  await hub.close();
  await fs.rm(work, { recursive: true, force: true });
});

describe('hub repositories with pytorch_model.bin only', () => {
  it('downloads pytorch_model.bin with progress (and nothing else of the weights), converts it and runs', async () => {
    const hubCacheDir = await fs.mkdtemp(path.join(work, 'hub-'));
    const seen = new Set<string>();
    const model = await loadModel('acme/bin-only', {
      head: 'masked-lm', endpoint: hub.endpoint, hubCacheDir, cacheDir: path.join(work, 'cache'),
      onProgress: (p) => seen.add(p.file),
    });
    expect(model.resolved.downloaded).toContain('pytorch_model.bin');
    expect(model.resolved.absent).toEqual(expect.arrayContaining(['onnx/model.onnx', 'model.safetensors', 'model.safetensors.index.json']));
    expect(model.resolved.absent).not.toContain('pytorch_model.bin.index.json'); // never asked for
    expect(seen.has('pytorch_model.bin')).toBe(true);
    expect(model.graphSource).toBe('converted');
    const text = 'The [MASK] was founded by [MASK] Smith .';
    const reference = await loadModel(MODEL, { head: 'masked-lm', cacheDir: path.join(work, 'cache') });
    expect(await fillMask(model, text)).toEqual(await fillMask(reference, text));
  });

  it('downloads the index of a sharded .bin checkpoint and exactly its shards into the standard cache', async () => {
    const cacheDir = await fs.mkdtemp(path.join(work, 'hub-'));
    const model = await resolveModel('acme/bin-sharded', { endpoint: hub.endpoint, cacheDir, env: {} });
    expect(model.downloaded.slice(-3)).toEqual(['pytorch_model.bin.index.json', ...SHARDS]);
    expect(model.dir).toBe(path.join(cacheDir, 'models--acme--bin-sharded', 'snapshots', COMMIT));
    expect(model.folder.files.pytorch?.map((f) => path.basename(f))).toEqual(SHARDS);
    expect(model.absent).toContain('pytorch_model.bin');
  });

  it('names the shard an index lists when the repository lacks it', async () => {
    const cacheDir = await fs.mkdtemp(path.join(work, 'hub-'));
    await expect(resolveModel('acme/bin-broken-index', { endpoint: hub.endpoint, cacheDir, env: {} }))
      .rejects.toThrow(/lists pytorch_model-00002-of-00002\.bin in pytorch_model\.bin\.index\.json but does not have it/);
  });
});
