import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../../src/core/runtime/hub/resolveModel';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { startFakeHub, type FakeHub } from '../runtime/fakeHub';

const FIXTURES = path.join(__dirname, '../../fixtures/tokenizer');
const CONFIG = { model_type: 'bert', vocab_size: 8, hidden_size: 4, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8, max_position_embeddings: 16, id2label: { 0: 'O' } };
let hub: FakeHub;

async function repo(root: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(path.join(dir, 'onnx'), { recursive: true });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
  await fs.writeFile(path.join(dir, 'onnx', 'model.onnx'), Uint8Array.of(1, 2, 3));
  for (const [target, source] of Object.entries(files)) await fs.copyFile(source, path.join(dir, target));
  return dir;
}

/** A slow tokenizer's added_tokens.json: one token after the fixture BPE's vocabulary. */
async function addedTokensFile(root: string): Promise<string> {
  const vocab = JSON.parse(await fs.readFile(path.join(FIXTURES, 'roberta-bpe', 'vocab.json'), 'utf8')) as Record<string, number>;
  const file = path.join(root, 'added_tokens.json');
  await fs.writeFile(file, JSON.stringify({ '<ent>': Object.keys(vocab).length }));
  return file;
}

beforeAll(async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hub-tok-'));
  const bpe = path.join(FIXTURES, 'roberta-bpe');
  const spm = path.join(FIXTURES, 'xlmr-unigram');
  hub = await startFakeHub({
    'acme/roberta-ner': { dir: await repo(root, 'roberta', { 'vocab.json': path.join(bpe, 'vocab.json'), 'merges.txt': path.join(bpe, 'merges.txt'), 'tokenizer_config.json': path.join(bpe, 'tokenizer_config.json') }) },
    'acme/roberta-added': { dir: await repo(root, 'roberta-added', { 'vocab.json': path.join(bpe, 'vocab.json'), 'merges.txt': path.join(bpe, 'merges.txt'), 'added_tokens.json': await addedTokensFile(root) }) },
    'acme/xlmr-ner': { dir: await repo(root, 'xlmr', { 'sentencepiece.bpe.model': path.join(spm, 'sentencepiece.bpe.model'), 'tokenizer_config.json': path.join(spm, 'tokenizer_config.json') }) },
  });
});

afterAll(async () => {
  await hub.close();
});

describe('hub downloads fetch the tokenizer files of the repository’s type', () => {
  it.each([
    ['acme/roberta-ner', ['vocab.json', 'merges.txt'], 'BPE'],
    ['acme/xlmr-ner', ['sentencepiece.bpe.model'], 'Unigram'],
  ])('%s', async (id, expected, type) => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hub-tok-cache-'));
    const model = await resolveModel(id, { endpoint: hub.endpoint, cacheDir, env: {} });
    for (const name of expected) expect(model.downloaded).toContain(name);
    expect(model.downloaded).toContain('tokenizer_config.json');
    // Files of other types are asked for only until the first type is found.
    if (type === 'BPE') expect(model.absent.some((name) => name.endsWith('.model'))).toBe(false);
    const tokenizer = await loadTokenizer(model.dir, { cacheDir });
    expect(tokenizer.modelType).toBe(type);
    expect(tokenizer.encode('Hello world').ids.length).toBeGreaterThan(2);
  });
});

describe('hub downloads of a slow tokenizer', () => {
  it('fetch its added_tokens.json, whose tokens the loaded tokenizer has', async () => {
    const cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-hub-tok-cache-'));
    const model = await resolveModel('acme/roberta-added', { endpoint: hub.endpoint, cacheDir, env: {} });
    expect(model.downloaded).toContain('added_tokens.json');
    const tokenizer = await loadTokenizer(model.dir, { cacheDir });
    const id = tokenizer.tokenToId('<ent>');
    expect(id).toBeDefined();
    expect(tokenizer.encode('a <ent> b', { addSpecialTokens: false }).ids).toContain(id);
  });
});
