import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModelFolder, ModelFolderError } from '../../../src/core/runtime/modelFolder';
import { serializeSafetensors } from '../../../src/core/runtime/safetensors';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { loadBertTokenizer } from '../../../src/core/runtime/tokenizer/tokenizerFiles';
import { loadCheckpoint } from '../../../src/core/train/checkpoint';
import { readTokenizerFiles } from '../../../src/core/train/trainer';

/*
 * Issue 16: a model file that is a symbolic link is followed only when its real path stays inside the
 * model folder, or inside the HF cache repo (models--*) of a snapshot folder, whose files link to
 * ../../blobs/<hash>. Any other link is refused with one line naming the link, never the target's content.
 */

const SECRET = 'root:x:0:0:secret-hash-7f3a:/root:/bin/bash\n';
const CONFIG = JSON.stringify({
  architectures: ['BertForTokenClassification'], model_type: 'bert', vocab_size: 8, hidden_size: 4, num_hidden_layers: 1,
  num_attention_heads: 2, intermediate_size: 8, max_position_embeddings: 16, id2label: { 0: 'O', 1: 'B-PER' },
});
const VOCAB = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n';
const WEIGHTS = serializeSafetensors({ 'bert.embeddings.word_embeddings.weight': { dtype: 'F32', shape: [8, 4], data: new Float32Array(32) } });

let work: string;
let secretFile: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-links-'));
  secretFile = path.join(work, 'passwd');
  await fs.writeFile(secretFile, SECRET);
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

async function folder(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(work, name);
  for (const [file, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.writeFile(path.join(dir, file), content);
  }
  return dir;
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error);
  expect(error).toBeInstanceOf(Error);
  return error!;
}

function expectRefusalOf(error: Error, link: string): void {
  expect(error).toBeInstanceOf(ModelFolderError);
  expect((error as ModelFolderError).file).toBe(link);
  expect(error.message).toMatch(/^\S+ is a symbolic link that leads out of the model folder \S+; not read/);
  expect(error.message.startsWith(link)).toBe(true);
  expect(error.message).not.toContain('\n');
  for (const fragment of ['root:', 'secret', 'passwd', '/bin/bash']) expect(error.message).not.toContain(fragment);
}

describe('symbolic links in a model folder', () => {
  it('a file linked to a file outside the folder is refused by every reader, naming the link, quoting nothing', async () => {
    const dir = await folder('outside-file', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS });
    await fs.symlink(secretFile, path.join(dir, 'vocab.txt'));
    const link = path.join(dir, 'vocab.txt');
    expectRefusalOf(await refusal(inspectModelFolder(dir)), link);
    expectRefusalOf(await refusal(loadTokenizer(dir, { cacheDir: path.join(work, 'cache') })), link);
    expectRefusalOf(await refusal(loadBertTokenizer(dir)), link);
    expectRefusalOf(await refusal(readTokenizerFiles(dir)), link);
  });

  it('a link that stays inside the folder is followed', async () => {
    const dir = await folder('inside', { 'config.json': CONFIG, 'model.safetensors': WEIGHTS, 'files/vocab-v2.txt': VOCAB });
    await fs.symlink(path.join('files', 'vocab-v2.txt'), path.join(dir, 'vocab.txt'));
    const inspected = await inspectModelFolder(dir);
    expect(inspected.files.vocab).toBe(path.join(dir, 'vocab.txt'));
    const tokenizer = await loadTokenizer(dir, { cacheDir: path.join(work, 'cache') });
    expect(tokenizer.vocabSize).toBe(8);
    expect((await readTokenizerFiles(dir))['vocab.txt']!.toString()).toBe(VOCAB);
  });

  it('an HF cache snapshot whose files link to ../../blobs/<hash> is read', async () => {
    const repo = path.join(work, 'hub', 'models--org--tiny-bert');
    const blobs: Record<string, string | Uint8Array> = { config: CONFIG, vocab: VOCAB, weights: WEIGHTS };
    await fs.mkdir(path.join(repo, 'blobs'), { recursive: true });
    for (const [hash, content] of Object.entries(blobs)) await fs.writeFile(path.join(repo, 'blobs', `${hash}0123`), content);
    const snapshot = path.join(repo, 'snapshots', 'abc123');
    await fs.mkdir(snapshot, { recursive: true });
    await fs.symlink('../../blobs/config0123', path.join(snapshot, 'config.json'));
    await fs.symlink('../../blobs/vocab0123', path.join(snapshot, 'vocab.txt'));
    await fs.symlink('../../blobs/weights0123', path.join(snapshot, 'model.safetensors'));
    const inspected = await inspectModelFolder(snapshot);
    expect(inspected.files.safetensors).toEqual([path.join(snapshot, 'model.safetensors')]);
    expect((await loadTokenizer(snapshot, { cacheDir: path.join(work, 'cache') })).vocabSize).toBe(8);
    // The repo is the limit: a snapshot file linked past models--org--tiny-bert is refused.
    await fs.rm(path.join(snapshot, 'vocab.txt'));
    await fs.symlink(path.relative(snapshot, secretFile), path.join(snapshot, 'vocab.txt'));
    expectRefusalOf(await refusal(inspectModelFolder(snapshot)), path.join(snapshot, 'vocab.txt'));
  });

  it('a linked directory that leads out of the folder is refused for the files under it', async () => {
    const elsewhere = await folder('elsewhere', { 'model.onnx': 'not really onnx' });
    const dir = await folder('outside-dir', { 'config.json': CONFIG, 'vocab.txt': VOCAB });
    await fs.symlink(elsewhere, path.join(dir, 'onnx'));
    expectRefusalOf(await refusal(inspectModelFolder(dir)), path.join(dir, 'onnx', 'model.onnx'));
  });

  it('a model folder that is itself a link is read (only files leading out of its real path are refused)', async () => {
    const real = await folder('real-model', { 'config.json': CONFIG, 'vocab.txt': VOCAB, 'model.safetensors': WEIGHTS });
    const alias = path.join(work, 'alias-model');
    await fs.symlink(real, alias);
    expect((await inspectModelFolder(alias)).files.vocab).toBe(path.join(alias, 'vocab.txt'));
  });

  it('a checkpoint to resume from: a linked trainer_state.json is refused, and an unparsable one is not quoted', async () => {
    const linked = await folder('checkpoint-linked', { 'model.safetensors': WEIGHTS });
    await fs.symlink(secretFile, path.join(linked, 'trainer_state.json'));
    expectRefusalOf(await refusal(loadCheckpoint(linked)), path.join(linked, 'trainer_state.json'));
    const garbled = await folder('checkpoint-garbled', { 'trainer_state.json': SECRET, 'model.safetensors': WEIGHTS });
    const error = await refusal(loadCheckpoint(garbled));
    expect(error.message).toBe(`${path.join(garbled, 'trainer_state.json')}:1:1: the trainer state is not valid JSON (unexpected 'r'); is ${garbled} a BERT Lens checkpoint?`);
  });
});
