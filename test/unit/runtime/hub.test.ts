import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModel, type DownloadProgress, type ResolveModelOptions } from '../../../src/core/runtime/hub/resolveModel';
import { HubError } from '../../../src/core/runtime/hub/hubError';
import { defaultHubCacheDir } from '../../../src/core/runtime/hub/hubCache';
import { parseHubModelId } from '../../../src/core/runtime/hub/modelId';
import { serializeSafetensors } from '../../../src/core/runtime/safetensors';
import { COMMIT, startFakeHub, type FakeHub } from './fakeHub';

const CONFIG = {
  model_type: 'bert', vocab_size: 8, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2,
  intermediate_size: 8, max_position_embeddings: 16, id2label: { 0: 'O', 1: 'B-PER' },
};

let hub: FakeHub;
let repoDir: string;
let shardedDir: string;
let safetensorsBytes: Uint8Array;
let onnxBytes: Uint8Array;

async function writeTree(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
}

beforeAll(async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hub-repos-'));
  repoDir = path.join(root, 'tiny-ner');
  shardedDir = path.join(root, 'sharded');
  // Large enough that the body arrives in several chunks, so progress and mid-body faults are real;
  // not a BERT weight name, so that its shape need not match the tiny config.
  safetensorsBytes = serializeSafetensors({
    'payload.weight': { dtype: 'F32', shape: [256, 256], data: Float32Array.from({ length: 65536 }, (_, i) => Math.sin(i)) },
  });
  onnxBytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff);
  const common = {
    'config.json': JSON.stringify(CONFIG),
    'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n',
    'tokenizer.json': JSON.stringify({ model: { type: 'WordPiece' } }),
    'tokenizer_config.json': JSON.stringify({ do_lower_case: true }),
  };
  await writeTree(repoDir, { ...common, 'model.safetensors': safetensorsBytes, 'onnx/model.onnx': onnxBytes });
  await writeTree(shardedDir, {
    ...common,
    'model-00001-of-00002.safetensors': serializeSafetensors({ a: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } }),
    'model-00002-of-00002.safetensors': serializeSafetensors({ b: { dtype: 'F32', shape: [1], data: Float32Array.of(3) } }),
    'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
  });
  hub = await startFakeHub({
    'acme/tiny-ner': { dir: repoDir },
    'acme/private-ner': { dir: repoDir, token: 'hf_secret' },
    'acme/sharded': { dir: shardedDir },
  });
});

afterAll(async () => {
  await hub.close();
});

beforeEach(() => {
  hub.requests.length = 0;
  hub.cdnAuthorizations.length = 0;
  hub.faults.clear();
});

async function freshCache(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hub-cache-'));
}

function options(cacheDir: string, extra: Partial<ResolveModelOptions> = {}): ResolveModelOptions {
  return { endpoint: hub.endpoint, cacheDir, env: {}, ...extra };
}

/** A loopback URL on which nothing listens (connection refused). */
async function closedPortEndpoint(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** Every file under a directory, relative, with dot files (temporary downloads) included. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name))).sort();
}

describe('resolveModel from the hub', () => {
  it('downloads into the HF cache layout with progress, and says what it found', async () => {
    const cacheDir = await freshCache();
    const progress: DownloadProgress[] = [];
    const model = await resolveModel('acme/tiny-ner', options(cacheDir, { onProgress: (p) => progress.push(p) }));

    const repoCache = path.join(cacheDir, 'models--acme--tiny-ner');
    expect(model.source).toBe('hub');
    expect(model.commit).toBe(COMMIT);
    expect(model.dir).toBe(path.join(repoCache, 'snapshots', COMMIT));
    expect(model.weightFormat).toBe('onnx');
    expect(model.downloaded).toEqual(['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'onnx/model.onnx']);
    expect(model.absent).toEqual(['special_tokens_map.json']);
    expect(model.folder.config.id2label).toEqual({ 0: 'O', 1: 'B-PER' });
    expect(await fs.readFile(path.join(repoCache, 'refs', 'main'), 'utf8')).toBe(COMMIT);
    expect(await listTree(repoCache)).toEqual([
      `.no_exist/${COMMIT}/special_tokens_map.json`,
      'refs/main',
      `snapshots/${COMMIT}/config.json`,
      `snapshots/${COMMIT}/onnx/model.onnx`,
      `snapshots/${COMMIT}/tokenizer.json`,
      `snapshots/${COMMIT}/tokenizer_config.json`,
      `snapshots/${COMMIT}/vocab.txt`,
    ]);
    expect(new Uint8Array(await fs.readFile(path.join(model.dir, 'onnx/model.onnx')))).toEqual(onnxBytes);

    const onnxEvents = progress.filter((p) => p.file === 'onnx/model.onnx');
    expect(onnxEvents.length).toBeGreaterThan(2);
    expect(onnxEvents[0]).toEqual({ file: 'onnx/model.onnx', loaded: 0, total: onnxBytes.byteLength });
    expect(onnxEvents.at(-1)).toEqual({ file: 'onnx/model.onnx', loaded: onnxBytes.byteLength, total: onnxBytes.byteLength });
    expect(onnxEvents.every((e, i) => i === 0 || e.loaded >= onnxEvents[i - 1]!.loaded)).toBe(true);
    // After the first response the requests ask for the pinned commit, so every file is of one snapshot.
    expect(hub.requests.slice(1).filter((r) => r.startsWith('GET')).every((r) => r.includes(`/resolve/${COMMIT}/`))).toBe(true);
  });

  it('reuses the cache on the second call without any request', async () => {
    const cacheDir = await freshCache();
    const first = await resolveModel('acme/tiny-ner', options(cacheDir));
    const requestsAfterFirst = hub.requests.length;
    expect(requestsAfterFirst).toBeGreaterThan(5);
    const second = await resolveModel('acme/tiny-ner', options(cacheDir));
    expect(hub.requests.length).toBe(requestsAfterFirst);
    expect(second.dir).toBe(first.dir);
    expect(second.downloaded).toEqual([]);
    expect(second.cached).toEqual(['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'onnx/model.onnx']);
    expect(second.absent).toEqual(['special_tokens_map.json']);
  });

  it('fetches only the missing weights when a later call prefers safetensors', async () => {
    const cacheDir = await freshCache();
    await resolveModel('acme/tiny-ner', options(cacheDir));
    hub.requests.length = 0;
    const model = await resolveModel('acme/tiny-ner', options(cacheDir, { weights: ['safetensors'] }));
    expect(model.weightFormat).toBe('safetensors');
    expect(model.downloaded).toEqual(['model.safetensors']);
    expect(hub.requests).toEqual([
      `GET /acme/tiny-ner/resolve/${COMMIT}/model.safetensors`,
      expect.stringMatching(/^CDN GET \/[0-9a-f]{64}\/model\.safetensors$/),
    ]);
    expect(model.folder.files.safetensors).toEqual([path.join(model.dir, 'model.safetensors')]);
  });

  it('downloads every shard of a sharded safetensors checkpoint', async () => {
    const model = await resolveModel('acme/sharded', options(await freshCache(), { weights: ['onnx', 'safetensors'] }));
    expect(model.weightFormat).toBe('safetensors');
    expect(model.absent).toEqual(['special_tokens_map.json', 'onnx/model.onnx', 'model.safetensors']);
    expect(model.downloaded.slice(-3)).toEqual(['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(model.folder.files.safetensors?.map((f) => path.basename(f))).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  });

  it('leaves no cache entry when the connection drops mid-body, and the next call succeeds', async () => {
    const cacheDir = await freshCache();
    hub.faults.set('onnx/model.onnx', 'drop-mid-body');
    const error = await resolveModel('acme/tiny-ner', options(cacheDir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('unavailable');
    expect((error as Error).message).toMatch(/Cannot load model "acme\/tiny-ner" \(revision main\): .*downloading onnx\/model\.onnx failed: the connection dropped after \d+ of 300000 bytes/);
    expect((error as Error).message).toMatch(/Not in the cache \(.*\): onnx\/model\.onnx or model\.safetensors\./);
    const snapshot = path.join(cacheDir, 'models--acme--tiny-ner', 'snapshots', COMMIT);
    expect(await listTree(snapshot)).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']); // no partial or temp file

    hub.requests.length = 0;
    const model = await resolveModel('acme/tiny-ner', options(cacheDir));
    expect(model.downloaded).toEqual(['onnx/model.onnx']);
    expect(new Uint8Array(await fs.readFile(path.join(snapshot, 'onnx/model.onnx')))).toEqual(onnxBytes);
  });

  it('stops on abort, rejecting with the signal reason and caching nothing of that file', async () => {
    const cacheDir = await freshCache();
    hub.faults.set('onnx/model.onnx', 'stall-mid-body');
    const controller = new AbortController();
    const pending = resolveModel('acme/tiny-ner', options(cacheDir, {
      signal: controller.signal,
      onProgress: (p) => { if (p.file === 'onnx/model.onnx' && p.loaded > 0) controller.abort(); },
    }));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const snapshot = path.join(cacheDir, 'models--acme--tiny-ner', 'snapshots', COMMIT);
    expect((await listTree(snapshot)).filter((f) => f.includes('onnx'))).toEqual([]);
  });

  it('refuses bytes whose sha256 differs from the one the hub announced', async () => {
    const cacheDir = await freshCache();
    hub.faults.set('onnx/model.onnx', 'wrong-sha256');
    await expect(resolveModel('acme/tiny-ner', options(cacheDir))).rejects.toMatchObject({
      code: 'integrity',
      message: expect.stringMatching(/Download of onnx\/model\.onnx for model "acme\/tiny-ner" is corrupt \(sha256 [0-9a-f]{64} differs from the announced f{64}\); nothing was cached/),
    });
    expect(await listTree(path.join(cacheDir, 'models--acme--tiny-ner', 'snapshots', COMMIT, 'onnx'))).toEqual([]);
  });

  it('sends the token to the hub but never to the CDN, and explains a 401', async () => {
    const cacheDir = await freshCache();
    const denied = await resolveModel('acme/private-ner', options(cacheDir)).catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 'unauthorized', modelId: 'acme/private-ner' });
    expect((denied as Error).message).toMatch(/Model "acme\/private-ner" was not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 401\).*set HF_TOKEN \(or the token option\).*give its path/);

    const model = await resolveModel('acme/private-ner', options(cacheDir, { token: 'hf_secret' }));
    expect(model.weightFormat).toBe('onnx');
    expect(hub.requests.some((r) => r.startsWith('CDN'))).toBe(true);
    expect(hub.cdnAuthorizations).toEqual([]);

    const envToken = await resolveModel('acme/private-ner', { endpoint: hub.endpoint, cacheDir: await freshCache(), env: { HF_TOKEN: 'hf_secret' } });
    expect(envToken.commit).toBe(COMMIT);
  });

  it('names a revision that does not exist and a repository without config.json', async () => {
    await expect(resolveModel('acme/tiny-ner@v9', options(await freshCache()))).rejects.toMatchObject({
      code: 'revision-not-found', message: expect.stringMatching(/Model "acme\/tiny-ner" has no revision "v9"/),
    });
    const emptyRepo = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-empty-repo-'));
    const other = await startFakeHub({ 'acme/empty': { dir: emptyRepo } });
    try {
      await expect(resolveModel('acme/empty', { endpoint: other.endpoint, cacheDir: await freshCache(), env: {} })).rejects.toMatchObject({
        code: 'file-not-found', files: ['config.json'], message: expect.stringMatching(/Model "acme\/empty" \(revision main\) is not a transformers model: it has no config\.json/),
      });
    } finally {
      await other.close();
    }
  });

  it('gives one clear error naming the model and the missing files when the host is unreachable', async () => {
    const unreachable = await closedPortEndpoint();
    const error = await resolveModel('acme/tiny-ner', { endpoint: unreachable, cacheDir: await freshCache(), env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('unavailable');
    expect((error as Error).message).toMatch(
      /^Cannot load model "acme\/tiny-ner" \(revision main\): http:\/\/127\.0\.0\.1:\d+ is unreachable: downloading config\.json failed: cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Not in the cache \(.*models--acme--tiny-ner\): config\.json, tokenizer\.json or vocab\.txt, onnx\/model\.onnx or model\.safetensors\. To work without the network, .* use that folder's path as the model\.$/);
    expect((error as HubError).files).toEqual(['config.json', 'tokenizer.json', 'vocab.txt', 'onnx/model.onnx', 'model.safetensors']);
  });

  it('works offline from a complete cache, and falls back to cached safetensors when ONNX cannot be checked', async () => {
    const cacheDir = await freshCache();
    await resolveModel('acme/tiny-ner', options(cacheDir, { weights: ['safetensors'] }));
    hub.requests.length = 0;
    const offline = await resolveModel('acme/tiny-ner', options(cacheDir, { weights: ['onnx', 'safetensors'], offline: true }));
    expect(offline.weightFormat).toBe('safetensors');
    expect(hub.requests).toEqual([]);
    const viaEnv = await resolveModel('acme/tiny-ner', { endpoint: await closedPortEndpoint(), cacheDir, env: { HF_HUB_OFFLINE: '1' }, weights: ['onnx'] }).catch((e: unknown) => e);
    expect((viaEnv as Error).message).toMatch(/offline mode is on .* Not in the cache \(.*\): onnx\/model\.onnx\./);
  });

  it('treats a 5xx like an unreachable host and keeps what was cached', async () => {
    const cacheDir = await freshCache();
    hub.faults.set('vocab.txt', 'server-error');
    const error = await resolveModel('acme/tiny-ner', options(cacheDir)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/answered HTTP 503 for vocab\.txt/);
    // tokenizer.json arrived before vocab.txt failed, so only the weights are missing.
    expect((error as HubError).files).toEqual(['onnx/model.onnx', 'model.safetensors']);
  });
});

describe('resolveModel with a local folder', () => {
  it('uses a directory as it is, without any request', async () => {
    const model = await resolveModel(repoDir, { endpoint: hub.endpoint, env: {}, weights: ['safetensors', 'onnx'] });
    expect(model).toMatchObject({ source: 'local', dir: repoDir, weightFormat: 'safetensors', downloaded: [] });
    expect(hub.requests).toEqual([]);
  });

  it('names a path that does not exist instead of asking the hub', async () => {
    await expect(resolveModel('./no/such/model', { endpoint: hub.endpoint, env: {} })).rejects.toThrow(/Model folder not found: .*no\/such\/model/);
    expect(hub.requests).toEqual([]);
  });
});

describe('hub ids and cache location', () => {
  it('parses owner/name@revision and rejects what cannot be an id', () => {
    expect(parseHubModelId('dslim/bert-base-NER')).toEqual({ id: 'dslim/bert-base-NER' });
    expect(parseHubModelId('bert-base-uncased')).toEqual({ id: 'bert-base-uncased' });
    expect(parseHubModelId('acme/ner@refs/pr/3')).toEqual({ id: 'acme/ner', revision: 'refs/pr/3' });
    for (const bad of ['a/b/c', 'acme/../x', 'acme/x--y', 'acme/ner@', 'has space/x', '-a/b']) expect(parseHubModelId(bad), bad).toBeUndefined();
  });

  it('finds the cache like huggingface_hub does', () => {
    expect(defaultHubCacheDir({ HF_HUB_CACHE: '/c' })).toBe('/c');
    expect(defaultHubCacheDir({ HF_HOME: '/h' })).toBe(path.join('/h', 'hub'));
    expect(defaultHubCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(path.join('/x', 'huggingface', 'hub'));
    expect(defaultHubCacheDir({})).toBe(path.join(os.homedir(), '.cache', 'huggingface', 'hub'));
  });
});
