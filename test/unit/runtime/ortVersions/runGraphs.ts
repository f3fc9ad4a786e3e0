// Runs BERT Lens's graphs on committed models through one ONNX Runtime package and writes every
// output to a JSON file: `tsx runGraphs.ts <onnxruntime-node|onnxruntime-node-darwin-x64> <out.json>`.
// ortVersions.test.ts runs it once per package, each in its own process: both packages' Linux
// libraries are called libonnxruntime.so.1, and the dynamic loader would bind a second binding to the
// library already loaded, so one process never holds both.
//
// onnxruntime-node-darwin-x64 (1.23.2) is what ort() loads on Intel macOS only; here its linux-x64
// binary stands in for the darwin-x64 one (the same release, built from the same sources), reached by
// answering ort()'s require of 'onnxruntime-node' with it. Everything else is BERT Lens's own code
// path: the converter, createSession's options, TrainingSession.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Module from 'node:module';
import { onnx } from 'onnx-proto';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const [packageName, outFile] = process.argv.slice(2);
if ((packageName !== 'onnxruntime-node' && packageName !== 'onnxruntime-node-darwin-x64') || !outFile) {
  console.error('usage: runGraphs.ts <onnxruntime-node|onnxruntime-node-darwin-x64> <out.json>');
  process.exit(2);
}

if (packageName === 'onnxruntime-node-darwin-x64') {
  const internal = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = internal._resolveFilename;
  internal._resolveFilename = function (request: string, ...rest: unknown[]) {
    return resolve.call(this, request === 'onnxruntime-node' ? 'onnxruntime-node-darwin-x64' : request, ...rest);
  };
}

interface GraphResult {
  /** "domain:op_type" of every node of the graph as written (before ORT's own fusions). */
  ops: string[];
  outputs: Record<string, number[]>;
}

async function main(): Promise<void> {
  const { ort, createSession, tensor } = await import('../../../../src/core/runtime/ort');
  const { parseBertConfig } = await import('../../../../src/core/bert/config');
  const { exportInferenceOnnx } = await import('../../../../src/core/bert/buildGraph');
  const { headFromArchitecture } = await import('../../../../src/core/bert/heads');
  const { canonicalName, weightSpecs } = await import('../../../../src/core/bert/weightNames');
  const { architectureOf, canPack } = await import('../../../../src/core/bert/architecture');
  const { readSafetensors } = await import('../../../../src/core/runtime/safetensors');
  const { inspectModelFolder } = await import('../../../../src/core/runtime/modelFolder');
  const { convertedOnnxPath } = await import('../../../../src/core/runtime/onnxConversion');
  const { buildTrainingGraph } = await import('../../../../src/core/train/trainingGraph');
  const { TrainingSession } = await import('../../../../src/core/train/trainingSession');
  const { batchFeeds } = await import('../../../../src/core/train/batch');

  const runtime = ort();
  const results: Record<string, GraphResult> = {};
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bert-lens-ort-versions-'));

  const opsOf = (bytes: Uint8Array): string[] =>
    [...new Set(onnx.ModelProto.decode(bytes).graph!.node!.map((node) => `${node.domain ?? ''}:${node.opType ?? ''}`))].sort();
  const int64 = (rows: number[][]) => tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
  const encoderFeeds = (ids: number[][], mask: number[][]) => ({
    input_ids: int64(ids),
    attention_mask: int64(mask),
    token_type_ids: int64(ids.map((row) => row.map(() => 0))),
  });
  const run = async (name: string, bytes: Uint8Array, feeds: Record<string, ReturnType<typeof tensor>>) => {
    const session = await createSession(bytes);
    const outputs = await session.run(feeds);
    results[name] = {
      ops: opsOf(bytes),
      outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, Array.from(value.data as Float32Array)])),
    };
    await session.release();
  };
  /** Word-piece ids of whole words of a vocab.txt ([UNK] for the rest): a fixed input without the tokenizer. */
  const idsOf = (dir: string, words: string[]): number[] => {
    const vocab = new Map(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n').map((word, id) => [word, id]));
    return words.map((word) => vocab.get(word) ?? vocab.get('[UNK]')!);
  };

  // Every committed fixture model (BERT's heads, DistilBERT, RoBERTa, XLM-R, ELECTRA, DeBERTa v2/v3)
  // through the converter as the extension runs it: the fused fp32 graph (contrib ops) and int8.
  const nested = (value: unknown): number[] => (Array.isArray(value) ? value.flatMap(nested) : [Number(value)]);
  const dimsOf = (value: unknown): number[] => (Array.isArray(value) ? [value.length, ...dimsOf(value[0])] : []);
  const feedsFor = (names: readonly string[], given: Record<string, unknown>) =>
    Object.fromEntries(
      names.map((name) => {
        // token_type_ids: all zeros when a fixture does not give them (HF's default).
        const value = given[name] ?? (name === 'token_type_ids' ? JSON.parse(JSON.stringify(given.input_ids, (_k, v: unknown) => (typeof v === 'number' ? 0 : v))) : undefined);
        if (value === undefined) throw new Error(`no value for graph input ${name}`);
        return [name, tensor('int64', BigInt64Array.from(nested(value).map(BigInt)), dimsOf(value))];
      }),
    );
  const fixtureDirs = ['test/fixtures/models', 'test/fixtures/family'].flatMap((parent) =>
    fs
      .readdirSync(path.join(REPO, parent))
      .map((name) => path.join(REPO, parent, name))
      .filter((dir) => ['config.json', 'inputs.json', 'model.safetensors'].every((file) => fs.existsSync(path.join(dir, file))))
      .sort(),
  );
  for (const dir of fixtureDirs) {
    // What convertedOnnxPath does, minus its model-folder checks (several fixtures have no tokenizer).
    const folderConfig = parseBertConfig(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>);
    const folderHead = headFromArchitecture(folderConfig.architectures![0]!)!;
    const folderWeights = await readSafetensors(path.join(dir, 'model.safetensors'));
    // A hub checkpoint's names (canonicalName), or a base model's save_pretrained names without the `roberta.` prefix.
    const prefix = architectureOf(folderConfig).basePrefix;
    const stored = (name: string) =>
      [name, canonicalName(folderConfig, name), name.startsWith(prefix) ? name.slice(prefix.length) : name].find((n) => folderWeights.has(n)) ?? name;
    const lookup = (name: string) => folderWeights.float32(stored(name));
    const given = JSON.parse(fs.readFileSync(path.join(dir, 'inputs.json'), 'utf8')) as Record<string, unknown>;
    for (const quantize of [false, true]) {
      const bytes = exportInferenceOnnx(folderConfig, folderHead, lookup, quantize ? { quantize: 'int8' } : {});
      const probe = await createSession(bytes);
      const names = probe.inputNames;
      await probe.release();
      await run(`${path.basename(path.dirname(dir))}/${path.basename(dir)} ${quantize ? 'int8' : 'fused'}`, bytes, feedsFor(names, given));
    }
    // Packed rows (what the converter builds for token classification where the architecture packs):
    // the fixture's examples laid end to end in one row, positions restarting, block-diagonal mask.
    if ((folderHead === 'token-classification' || folderHead === 'sequence-classification') && canPack(folderConfig) && Array.isArray(given.attention_mask)) {
      const rows = (given.input_ids as number[][]).map((row, r) => row.filter((_, t) => (given.attention_mask as number[][])[r]![t] === 1));
      const types = given.token_type_ids as number[][] | undefined;
      const packedGiven: Record<string, unknown> = {
        input_ids: [rows.flat()],
        attention_mask: [rows.flat().map(() => 1)],
        token_type_ids: [rows.flatMap((row, r) => row.map((_, t) => types?.[r]?.[t] ?? 0))],
        position_ids: [rows.flatMap((row) => row.map((_, t) => t))],
      };
      for (const quantize of [false, true]) {
        const bytes = exportInferenceOnnx(folderConfig, folderHead, lookup, { packed: true, ...(quantize ? { quantize: 'int8' as const } : {}) });
        const probe = await createSession(bytes);
        const names = probe.inputNames;
        await probe.release();
        await run(`${path.basename(path.dirname(dir))}/${path.basename(dir)} packed ${quantize ? 'int8' : 'fused'}`, bytes, feedsFor(names, packedGiven));
      }
    }
  }

  // The tiny BERT NER fixture's unfused graph (standard ONNX ops only).
  const fixture = path.join(REPO, 'test/fixtures/models/token-classification');
  const inputs = JSON.parse(fs.readFileSync(path.join(fixture, 'inputs.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][] };
  const fixtureFeeds = () => encoderFeeds(inputs.input_ids, inputs.attention_mask);
  const config = parseBertConfig(JSON.parse(fs.readFileSync(path.join(fixture, 'config.json'), 'utf8')) as Record<string, unknown>);
  const head = headFromArchitecture(config.architectures![0]!)!;
  const checkpoint = await readSafetensors(path.join(fixture, 'model.safetensors'));
  const weights = new Map(weightSpecs(config, head).map((spec) => [spec.name, checkpoint.float32(spec.name).slice()]));
  await run('fixture-ner-unfused', exportInferenceOnnx(config, head, (name) => weights.get(name)!, { fused: false }), fixtureFeeds());

  // The bundled models: the NER model converted (fused fp32, int8), the sentiment model's committed int8 graph.
  const ner = path.join(REPO, 'models/ner');
  const nerIds = [idsOf(ner, ['[CLS]', 'John', 'Smith', 'lives', 'in', 'Paris', 'and', 'works', 'for', 'Google', '.', '[SEP]'])];
  const nerMask = [nerIds[0]!.map(() => 1)];
  const nerFolder = await inspectModelFolder(ner);
  for (const quantize of [false, true]) {
    const file = await convertedOnnxPath(nerFolder, { head: 'token-classification', quantize, cacheDir });
    await run(`bundled-ner-${quantize ? 'int8' : 'fused'}`, fs.readFileSync(file), encoderFeeds(nerIds, nerMask));
    // The graph loadModel converts it to (packed rows): the sentence twice in one row, positions restarting.
    const packed = await convertedOnnxPath(nerFolder, { head: 'token-classification', quantize, packed: true, cacheDir });
    const twice = [[...nerIds[0]!, ...nerIds[0]!]];
    await run(`bundled-ner-packed-${quantize ? 'int8' : 'fused'}`, fs.readFileSync(packed), {
      ...encoderFeeds(twice, [twice[0]!.map(() => 1)]),
      position_ids: int64([[...nerIds[0]!.keys(), ...nerIds[0]!.keys()]]),
    });
  }
  const sentiment = path.join(REPO, 'models/sentiment');
  const reviews = [
    idsOf(sentiment, ['[CLS]', 'a', 'moving', 'and', 'beautiful', 'film', '.', '[SEP]']),
    idsOf(sentiment, ['[CLS]', 'the', 'plot', 'is', 'dull', '[SEP]', '[PAD]', '[PAD]']),
  ];
  await run('bundled-sentiment-int8', fs.readFileSync(path.join(sentiment, 'onnx/model_quantized.onnx')), encoderFeeds(reviews, [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0]]));

  // One training step (the trainer's graph: forward, HF loss, reverse-mode gradients) on a committed batch.
  const conformance = path.join(REPO, 'test/fixtures/train/conformance/token-classification-cosine-accumulate');
  const spec = JSON.parse(fs.readFileSync(path.join(conformance, 'batches.json'), 'utf8')) as { model: string; batches: Parameters<typeof batchFeeds>[2][] };
  const trainDir = path.resolve(conformance, spec.model);
  const trainConfig = parseBertConfig(JSON.parse(fs.readFileSync(path.join(trainDir, 'config.json'), 'utf8')) as Record<string, unknown>);
  const trainHead = headFromArchitecture(trainConfig.architectures![0]!)!;
  const trainCheckpoint = await readSafetensors(path.join(trainDir, 'model.safetensors'));
  const trainWeights = new Map(weightSpecs(trainConfig, trainHead).map((s) => [s.name, trainCheckpoint.float32(s.name).slice()]));
  const graph = buildTrainingGraph({ config: trainConfig, head: trainHead, trainable: new Set(trainWeights.keys()), weights: (n) => trainWeights.get(n)! });
  const training = await TrainingSession.create(graph);
  const step = await training.run(batchFeeds(graph, trainConfig, spec.batches[0]!), trainWeights);
  await training.release();
  const { writeOnnx } = await import('../../../../src/core/graph/onnxWriter');
  results['training-step'] = {
    ops: opsOf(writeOnnx(graph.graph)),
    outputs: {
      loss: [step.loss],
      ...Object.fromEntries([...step.grads].map(([name, grad]) => [`grad:${name}`, Array.from(grad)])),
      ...Object.fromEntries(Object.entries(step.predictions).map(([name, value]) => [name, Array.from(value.data as Float32Array)])),
    },
  };

  fs.rmSync(cacheDir, { recursive: true, force: true });
  // Which library the process really mapped: the proof that this run is the version it says.
  const mapped = fs.existsSync('/proc/self/maps')
    ? [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((line) => /libonnxruntime/.test(line)).map((line) => line.slice(line.indexOf('/'))))]
    : [];
  fs.writeFileSync(outFile!, JSON.stringify({ package: packageName, versions: runtime.env.versions, mapped, results }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
