import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_LIMITS, parseBertConfig } from '../../../src/core/bert/config';
import { loadModel } from '../../../src/core/runtime/loadModel';
import { inspectModelFolder, ModelFolderError } from '../../../src/core/runtime/modelFolder';
import { startFakeHub, type FakeHub } from './fakeHub';

/*
 * A config.json is refused from its sizes alone, or from the weights' header, before any graph, weight
 * list or label table is built from it. Each case would otherwise run for minutes and end out of memory
 * (num_hidden_layers 1e9: 96 s, then a native crash), so the 5 s test timeout is the check that nothing
 * was built.
 */

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'models', 'token-classification');
const FILES = ['config.json', 'tokenizer.json', 'vocab.txt', 'tokenizer_config.json', 'special_tokens_map.json', 'model.safetensors'];
let work: string;
let fixtureConfig: Record<string, unknown>;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hostile-config-'));
  fixtureConfig = JSON.parse(await fs.readFile(path.join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** The fixture folder (2 layers, hidden 32) with some config fields replaced or removed. */
async function folderWith(name: string, change: Record<string, unknown>, remove: string[] = []): Promise<string> {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  for (const file of FILES) await fs.copyFile(path.join(FIXTURE, file), path.join(dir, file));
  const config: Record<string, unknown> = { ...fixtureConfig, ...change };
  for (const key of remove) delete config[key];
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error);
  if (!error) throw new Error('expected a refusal');
  return error;
}

describe('hostile config.json sizes', () => {
  const huge: Array<[string, Record<string, unknown>, string[]]> = [
    ['num_hidden_layers', { num_hidden_layers: 1e9 }, []],
    ['hidden_size', { hidden_size: 1e7, num_attention_heads: 1 }, []],
    ['intermediate_size', { intermediate_size: 1e7 }, []],
    ['num_attention_heads', { num_attention_heads: 1e7, hidden_size: 1e7 }, []],
    ['vocab_size', { vocab_size: 1e7 }, []],
    ['max_position_embeddings', { max_position_embeddings: 1e7 }, []],
    ['type_vocab_size', { type_vocab_size: 1e7 }, []],
    ['num_labels', { num_labels: 1e7 }, ['id2label', 'label2id']],
  ];
  for (const [field, change, remove] of huge) {
    it(`refuses ${field} = ${String(change[field])} in one line, from the folder and from loadModel`, async () => {
      const dir = await folderWith(`huge-${field}`, change, remove);
      const inspected = await refusal(inspectModelFolder(dir));
      expect(inspected).toBeInstanceOf(ModelFolderError);
      expect(inspected.message).toContain(path.join(dir, 'config.json'));
      expect(inspected.message).toContain(field);
      expect(inspected.message).not.toContain('\n');
      const loaded = await refusal(loadModel(dir, { head: 'token-classification', cacheDir: path.join(work, 'cache') }));
      expect(loaded.message).toBe(inspected.message);
    }, 5000);
  }

  it('refuses sizes that are each within bounds but together imply an absurd parameter count', () => {
    const config = { ...fixtureConfig, num_hidden_layers: 1000, hidden_size: 16384, num_attention_heads: 16, intermediate_size: 65536 };
    expect(() => parseBertConfig(config, 'config.json')).toThrow(/imply .* parameters/);
  });

  it('keeps the published extremes loadable: a 250k vocabulary, 48 layers of 4096, 8192 positions, 1000 labels', () => {
    const id2label = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [String(i), `L${i}`]));
    const config = parseBertConfig({
      vocab_size: 250002, hidden_size: 4096, num_hidden_layers: 48, num_attention_heads: 64, intermediate_size: 16384,
      max_position_embeddings: 8192, type_vocab_size: 1, id2label,
    });
    expect(config.num_hidden_layers).toBe(48);
    expect(CONFIG_LIMITS.num_hidden_layers).toBeGreaterThan(48);
  });
});

describe('config.json against the weights it comes with', () => {
  it('refuses a layer count that the tensors in model.safetensors do not have', async () => {
    const dir = await folderWith('layers-500', { num_hidden_layers: 500 });
    const error = await refusal(loadModel(dir, { head: 'token-classification', cacheDir: path.join(work, 'cache') }));
    expect(error.message).toMatch(/num_hidden_layers is 500, but model\.safetensors holds 2 encoder layers/);
    expect(error.message).toContain(path.join(dir, 'config.json'));
  }, 5000);

  it('refuses fewer declared layers than the file has', async () => {
    const dir = await folderWith('layers-1', { num_hidden_layers: 1 });
    await expect(inspectModelFolder(dir)).rejects.toThrow(/num_hidden_layers is 1, but model\.safetensors holds 2 encoder layers/);
  });

  it('refuses a hidden, intermediate or vocabulary size that the tensor shapes contradict', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ hidden_size: 64 }, /word_embeddings\.weight in model\.safetensors has shape \[293, 32\], but the config's vocab_size × hidden_size is \[293, 64\]/],
      [{ vocab_size: 300 }, /has shape \[293, 32\], but the config's vocab_size × hidden_size is \[300, 32\]/],
      [{ intermediate_size: 40 }, /intermediate\.dense\.weight in model\.safetensors has shape \[37, 32\], but the config's intermediate_size × hidden_size is \[40, 32\]/],
      [{ max_position_embeddings: 512 }, /position_embeddings\.weight .*\[64, 32\].*\[512, 32\]/],
    ];
    for (const [index, [change, message]] of cases.entries()) {
      const dir = await folderWith(`shape-${index}`, change);
      await expect(inspectModelFolder(dir)).rejects.toThrow(message);
    }
  });

  it('still loads the unchanged fixture', async () => {
    const dir = await folderWith('unchanged', {});
    const folder = await inspectModelFolder(dir);
    expect(folder.config.num_hidden_layers).toBe(2);
  });
});

describe('a hostile config.json served by a hub', () => {
  let hub: FakeHub;
  beforeAll(async () => {
    const repo = await folderWith('hub-repo', { num_hidden_layers: 1e9 });
    hub = await startFakeHub({ 'acme/hostile': { dir: repo } });
  });
  afterAll(() => hub.close());

  it('is refused right after config.json arrives, before any weights are requested', async () => {
    const error = await refusal(loadModel('acme/hostile', {
      head: 'token-classification', endpoint: hub.endpoint, hubCacheDir: path.join(work, 'hub-cache'), cacheDir: path.join(work, 'cache'),
    }));
    expect(error.message).toMatch(/config\.json: num_hidden_layers 1000000000 is beyond the supported maximum 1024/);
    expect(error.message).not.toContain('\n');
    expect(hub.requests.some((r) => r.includes('model.safetensors') || r.includes('.onnx'))).toBe(false);
  }, 5000);
});
