import { describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectModelFolder, loadSafetensorsWeights, ModelFolderError } from '../../../src/core/runtime/modelFolder';
import { serializeSafetensors, type TensorToWrite } from '../../../src/core/runtime/safetensors';
import { canonicalizeBertKeys } from '../../../src/core/runtime/stateDictKeys';

const CONFIG = {
  architectures: ['BertForTokenClassification'],
  model_type: 'bert',
  vocab_size: 8,
  hidden_size: 4,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 8,
  max_position_embeddings: 16,
  id2label: { 0: 'O', 1: 'B-PER', 2: 'I-PER' },
};

const f32 = (shape: number[], start = 0): TensorToWrite => ({
  dtype: 'F32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => start + i),
});

async function makeFolder(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-folder-'));
  for (const [name, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.writeFile(path.join(dir, name), content);
  }
  return dir;
}

const baseFiles = () => ({
  'config.json': JSON.stringify(CONFIG),
  'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n',
  'tokenizer_config.json': JSON.stringify({ do_lower_case: true, model_max_length: 512 }),
  'model.safetensors': serializeSafetensors({
    'bert.embeddings.word_embeddings.weight': f32([8, 4]),
    'classifier.weight': f32([3, 4], 100),
  }),
});

describe('inspectModelFolder', () => {
  it('reports the files that exist and parses config and tokenizer config', async () => {
    const dir = await makeFolder({ ...baseFiles(), 'onnx/model.onnx': 'not really onnx', 'tokenizer.json': JSON.stringify({ model: { type: 'WordPiece' } }) });
    const folder = await inspectModelFolder(dir);
    expect(folder.dir).toBe(path.resolve(dir));
    expect(folder.config.id2label).toEqual({ 0: 'O', 1: 'B-PER', 2: 'I-PER' });
    expect(folder.config.layer_norm_eps).toBe(1e-12); // HF default filled in
    expect(folder.files).toEqual({
      config: path.join(dir, 'config.json'),
      tokenizerJson: path.join(dir, 'tokenizer.json'),
      vocab: path.join(dir, 'vocab.txt'),
      tokenizerConfig: path.join(dir, 'tokenizer_config.json'),
      safetensors: [path.join(dir, 'model.safetensors')],
      onnx: path.join(dir, 'onnx/model.onnx'),
    });
    expect(folder.tokenizerConfig).toEqual({ do_lower_case: true, model_max_length: 512 });
  });

  it('accepts an ONNX-only folder and a top-level model.onnx', async () => {
    const { 'model.safetensors': _, ...rest } = baseFiles();
    const folder = await inspectModelFolder(await makeFolder({ ...rest, 'model.onnx': 'x', 'onnx/model_quantized.onnx': 'y' }));
    expect(path.basename(folder.files.onnx!)).toBe('model.onnx');
    expect(folder.files.onnxQuantized).toMatch(/onnx[/\\]model_quantized\.onnx$/);
    expect(folder.files.safetensors).toBeUndefined();
  });

  it('names a missing or corrupt config.json, with line and column for bad JSON', async () => {
    const { 'config.json': _, ...noConfig } = baseFiles();
    await expect(inspectModelFolder(await makeFolder(noConfig))).rejects.toThrow(/config\.json is missing/);
    const bad = await makeFolder({ ...baseFiles(), 'config.json': '{\n  "model_type": "bert",\n  "hidden_size" 4\n}' });
    await expect(inspectModelFolder(bad)).rejects.toThrow(new RegExp(`${escape(path.join(bad, 'config.json'))}:3:17: invalid JSON`));
    const wrong = await makeFolder({ ...baseFiles(), 'config.json': JSON.stringify({ ...CONFIG, hidden_size: 5 }) });
    await expect(inspectModelFolder(wrong)).rejects.toThrow(/config\.json: hidden_size 5 is not a multiple of num_attention_heads 2/);
  });

  it('names the tokenizer files when neither exists, and a corrupt tokenizer.json', async () => {
    const { 'vocab.txt': _, ...noVocab } = baseFiles();
    await expect(inspectModelFolder(await makeFolder(noVocab))).rejects.toThrow(/has no tokenizer: expected tokenizer\.json or vocab\.txt/);
    await expect(inspectModelFolder(await makeFolder({ ...baseFiles(), 'tokenizer.json': '{"model": ' })))
      .rejects.toThrow(/tokenizer\.json:1:11: invalid JSON/);
    await expect(inspectModelFolder(await makeFolder({ ...baseFiles(), 'tokenizer_config.json': '[1]' })))
      .rejects.toThrow(/tokenizer_config\.json: expected a JSON object/);
  });

  it('detects a truncated model.safetensors without loading it', async () => {
    const files = baseFiles();
    const cut = files['model.safetensors'].subarray(0, files['model.safetensors'].byteLength - 10);
    const error = await inspectModelFolder(await makeFolder({ ...files, 'model.safetensors': cut })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFolderError);
    expect((error as ModelFolderError).file).toMatch(/model\.safetensors$/);
    expect((error as Error).message).toMatch(/model\.safetensors: tensor "classifier\.weight": .* truncated/);
  });

  it('explains that TensorFlow weights must be converted, naming the architecture', async () => {
    const { 'model.safetensors': _, ...rest } = baseFiles();
    const dir = await makeFolder({ ...rest, 'tf_model.h5': 'hdf5' });
    await expect(inspectModelFolder(dir)).rejects.toThrow(
      /tf_model\.h5: TensorFlow checkpoints are not supported\. Convert .* from transformers import BertForTokenClassification; BertForTokenClassification\.from_pretrained\(.*, from_tf=True\)\.save_pretrained/);
    const empty = await makeFolder(rest);
    await expect(inspectModelFolder(empty)).rejects.toThrow(/has no weights: expected model\.safetensors, model\.safetensors\.index\.json, pytorch_model\.bin, pytorch_model\.bin\.index\.json or onnx\/model\.onnx/);
    expect((await inspectModelFolder(empty, { requireWeights: false })).files.safetensors).toBeUndefined();
  });

  it('names a missing folder', async () => {
    await expect(inspectModelFolder('/nonexistent/model')).rejects.toThrow(/Model folder not found: \/nonexistent\/model/);
  });
});

describe('sharded safetensors', () => {
  const shardedFiles = () => {
    const { 'model.safetensors': _, ...rest } = baseFiles();
    return {
      ...rest,
      'model-00001-of-00002.safetensors': serializeSafetensors({ 'bert.embeddings.word_embeddings.weight': f32([8, 4]) }),
      'model-00002-of-00002.safetensors': serializeSafetensors({ 'classifier.weight': f32([3, 4], 100) }),
      'model.safetensors.index.json': JSON.stringify({
        metadata: { total_size: 176 },
        weight_map: {
          'bert.embeddings.word_embeddings.weight': 'model-00001-of-00002.safetensors',
          'classifier.weight': 'model-00002-of-00002.safetensors',
        },
      }),
    };
  };

  it('loads the tensors of every shard under one namespace', async () => {
    const dir = await makeFolder(shardedFiles());
    const folder = await inspectModelFolder(dir);
    expect(folder.files.safetensors!.map((f) => path.basename(f))).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const weights = await loadSafetensorsWeights(folder);
    expect(weights.names().sort()).toEqual(['bert.embeddings.word_embeddings.weight', 'classifier.weight']);
    expect([...weights.float32('classifier.weight').subarray(0, 3)]).toEqual([100, 101, 102]);
    expect(weights.renamed).toEqual([]);
  });

  it('names a missing shard and a tensor that is not where the index says', async () => {
    const { 'model-00002-of-00002.safetensors': _, ...missing } = shardedFiles();
    await expect(inspectModelFolder(await makeFolder(missing))).rejects.toThrow(/model-00002-of-00002\.safetensors is missing \(listed in .*model\.safetensors\.index\.json\)/);
    const files = shardedFiles();
    const misplaced = await makeFolder({ ...files, 'model-00002-of-00002.safetensors': serializeSafetensors({ other: f32([1]) }) });
    await expect(inspectModelFolder(misplaced)).rejects.toThrow(/model-00002-of-00002\.safetensors has no tensor "classifier\.weight"/);
  });
});

describe('checkpoint key names, as HF from_pretrained maps them', () => {
  it('renames legacy LayerNorm gamma/beta and adds the bert. prefix of a BertModel checkpoint', async () => {
    const dir = await makeFolder({
      ...baseFiles(),
      'model.safetensors': serializeSafetensors({
        'embeddings.word_embeddings.weight': f32([8, 4]),
        'embeddings.LayerNorm.gamma': f32([4], 1),
        'encoder.layer.0.output.LayerNorm.beta': f32([4], 2),
        'pooler.dense.weight': f32([4, 4]),
      }),
    });
    const weights = await loadSafetensorsWeights(await inspectModelFolder(dir));
    expect(weights.names().sort()).toEqual([
      'bert.embeddings.LayerNorm.weight',
      'bert.embeddings.word_embeddings.weight',
      'bert.encoder.layer.0.output.LayerNorm.bias',
      'bert.pooler.dense.weight',
    ]);
    expect([...weights.float32('bert.embeddings.LayerNorm.weight')]).toEqual([1, 2, 3, 4]);
    expect(weights.renamed).toContainEqual({
      from: 'embeddings.LayerNorm.gamma', to: 'bert.embeddings.LayerNorm.weight',
      reasons: ['legacy-layernorm-name', 'missing-base-model-prefix'],
    });
    expect(weights.renamed).toHaveLength(4);
  });

  it('leaves canonical names alone and keeps head names when the prefix is present', () => {
    const { renamed, toOriginal } = canonicalizeBertKeys(['bert.encoder.layer.0.attention.output.LayerNorm.weight', 'cls.predictions.transform.LayerNorm.gamma', 'classifier.bias'], 'x');
    expect(renamed).toEqual([{ from: 'cls.predictions.transform.LayerNorm.gamma', to: 'cls.predictions.transform.LayerNorm.weight', reasons: ['legacy-layernorm-name'] }]);
    expect(toOriginal.get('classifier.bias')).toBe('classifier.bias');
  });

  it('refuses a checkpoint where two names collide after renaming', () => {
    expect(() => canonicalizeBertKeys(['bert.embeddings.LayerNorm.weight', 'bert.embeddings.LayerNorm.gamma'], 'model.safetensors'))
      .toThrow(/model\.safetensors: tensors "bert\.embeddings\.LayerNorm\.weight" and "bert\.embeddings\.LayerNorm\.gamma" both map to "bert\.embeddings\.LayerNorm\.weight"/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
