import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseBertConfig } from '../../src/core/bert/config';
import { parseSafetensors, SafetensorsError } from '../../src/core/runtime/safetensors';
import { readSentencePieceModel } from '../../src/core/runtime/tokenizer/sentencepiece/sentencepieceModel';
import { parseTorchCheckpoint } from '../../src/core/runtime/weights/torchCheckpoint';
import { WeightsFormatError } from '../../src/core/runtime/weights/zipReader';
import { jsonErrorLocation } from '../../src/core/util/jsonSyntax';
import { pick, randomInt } from '../unit/data/helpers/prng';
import { check, flipBits, HUGE_NUMBERS, nestedJson, randomBytes, randomText, truncateBytes, truncateText, type FuzzTarget, type Random } from './harness';

/**
 * Fuzz targets for the files of a model folder: config.json, the safetensors header, torch .bin files
 * (zip reader and restricted unpickler, or the legacy format) and SentencePiece .model protobufs.
 * Property: the reader returns, or refuses with its own error class and a one-line message naming the
 * file; never another exception (TypeError, RangeError: a bug), never a hang.
 */

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const fixture = (...parts: string[]): Uint8Array => new Uint8Array(readFileSync(path.join(FIXTURES, ...parts)));

/** Runs `read`; an error must be one of `allowed`, on one line, naming `source`. */
function refusesCleanly(read: () => unknown, allowed: Array<new (...args: never[]) => Error>, source: string, label: string): void {
  try {
    read();
  } catch (error) {
    check(allowed.some((kind) => error instanceof kind), `${label}: threw ${(error as Error)?.constructor?.name}: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
    const message = (error as Error).message;
    check(message.includes(source), `${label}: the message does not name ${source}: ${message.slice(0, 300)}`);
    check(!message.includes('\n'), `${label}: a message of several lines: ${message.slice(0, 300)}`);
    check(message.length < 2000, `${label}: a message of ${message.length} characters`);
  }
}

// ---------------------------------------------------------------- config.json

const CONFIG = JSON.parse(new TextDecoder().decode(fixture('models', 'token-classification', 'config.json'))) as Record<string, unknown>;
const SIZE_FIELDS = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings', 'type_vocab_size', 'num_labels', 'layer_norm_eps', 'pad_token_id'];
const CONFIG_KINDS = ['random text', 'bit flips', 'truncation', 'deep nesting', 'huge numbers', 'many labels', 'wrong types'] as const;

const configTarget: FuzzTarget = {
  name: 'config-json',
  run(random, index, scale) {
    const kind = CONFIG_KINDS[index % CONFIG_KINDS.length]!;
    const source = '/models/m/config.json';
    const clean = JSON.stringify(CONFIG, null, 2);
    let text: string;
    if (kind === 'random text') text = randomText(random, 400);
    else if (kind === 'bit flips') text = new TextDecoder().decode(flipBits(random, new TextEncoder().encode(clean)));
    else if (kind === 'truncation') text = truncateText(random, clean);
    else if (kind === 'deep nesting') text = clean.replace(/^{/, `{"extra": ${nestedJson(scale.depth, random)},`);
    else if (kind === 'huge numbers') {
      const config: Record<string, unknown> = { ...CONFIG };
      for (const field of SIZE_FIELDS) if (random() < 0.4) config[field] = pick(random, [1e9, 1e7, -1, 0, 0.5, 2 ** 53 + 2, 1e308]);
      if (random() < 0.5) {
        delete config.id2label;
        delete config.label2id;
      }
      text = JSON.stringify(config).replace(/1e\+308/g, () => pick(random, HUGE_NUMBERS));
    } else if (kind === 'many labels') {
      const id2label = Object.fromEntries(Array.from({ length: scale.manyRecords }, (_, i) => [String(random() < 0.01 ? i + scale.manyRecords : i), `L${i}`]));
      text = JSON.stringify({ ...CONFIG, id2label, label2id: undefined, num_labels: random() < 0.5 ? scale.manyRecords : undefined });
    } else {
      const config: Record<string, unknown> = { ...CONFIG };
      for (const field of [...SIZE_FIELDS, 'id2label', 'label2id', 'model_type', 'architectures', 'hidden_act', 'position_embedding_type']) {
        if (random() < 0.3) config[field] = pick(random, ['12', null, [], {}, true, '', [1, 2], { '0': 5 }, 'x'.repeat(randomInt(random, 5000))]);
      }
      text = JSON.stringify(config);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const { line, column } = jsonErrorLocation(text);
      check(line >= 1 && line <= text.split('\n').length && column >= 1, `${kind}: error location ${line}:${column} outside the text`);
      return;
    }
    refusesCleanly(() => parseBertConfig(value, source), [ConfigError], source, kind);
  },
};

// ---------------------------------------------------------------- safetensors

const SAFETENSORS = fixture('models', 'token-classification', 'model.safetensors');
const headerLength = Number(new DataView(SAFETENSORS.buffer, SAFETENSORS.byteOffset).getBigUint64(0, true));
const HEADER = JSON.parse(new TextDecoder().decode(SAFETENSORS.subarray(8, 8 + headerLength))) as Record<string, unknown>;
const SAFETENSORS_KINDS = ['random bytes', 'header bit flips', 'bit flips anywhere', 'truncation', 'deep nesting', 'huge numbers', 'many tensors', 'random header length'] as const;

function withHeader(header: string, data: Uint8Array): Uint8Array {
  const bytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + bytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  out.set(data, 8 + bytes.length);
  return out;
}

const safetensorsTarget: FuzzTarget = {
  name: 'safetensors',
  run(random, index, scale) {
    const kind = SAFETENSORS_KINDS[index % SAFETENSORS_KINDS.length]!;
    const source = 'model.safetensors';
    const data = SAFETENSORS.subarray(8 + headerLength);
    let bytes: Uint8Array;
    if (kind === 'random bytes') bytes = randomBytes(random, randomInt(random, 600));
    else if (kind === 'header bit flips') bytes = flipBits(random, SAFETENSORS, undefined, 8 + headerLength);
    else if (kind === 'bit flips anywhere') bytes = flipBits(random, SAFETENSORS);
    else if (kind === 'truncation') bytes = truncateBytes(random, SAFETENSORS);
    else if (kind === 'deep nesting') bytes = withHeader(`{"__metadata__": ${nestedJson(scale.depth, random)}}`, data);
    else if (kind === 'huge numbers') {
      const header = JSON.parse(JSON.stringify(HEADER)) as Record<string, { shape?: number[]; data_offsets?: number[] }>;
      for (const entry of Object.values(header)) {
        if (random() < 0.3 && entry.shape) entry.shape = entry.shape.map(() => pick(random, [1e9, 2 ** 53, -1, 0, 0.5, 1e308]));
        if (random() < 0.3 && entry.data_offsets) entry.data_offsets = entry.data_offsets.map(() => pick(random, [1e15, 2 ** 53 + 1, -8, 0, 1e308]));
      }
      bytes = withHeader(JSON.stringify(header).replace(/1e\+308/g, () => pick(random, HUGE_NUMBERS)), data);
    } else if (kind === 'many tensors') {
      const header: Record<string, unknown> = {};
      for (let i = 0; i < scale.manyRecords; i++) header[`t${i}`] = { dtype: 'F32', shape: [1], data_offsets: [4 * i, 4 * i + 4] };
      bytes = withHeader(JSON.stringify(header), new Uint8Array(4 * scale.manyRecords - (random() < 0.5 ? 4 : 0)));
    } else {
      bytes = Uint8Array.from(SAFETENSORS);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(pick(random, [0, 1, headerLength - 1, headerLength + 1, 2 ** 40, 2 ** 63])), true);
    }
    refusesCleanly(() => parseSafetensors(bytes, source), [SafetensorsError], source, kind);
  },
};

// ---------------------------------------------------------------- torch .bin (zip + restricted unpickler, legacy format)

const TORCH_FILES = [fixture('pytorch', 'mixed.bin'), fixture('pytorch', 'legacy.bin'), fixture('pytorch', 'masked-lm', 'pytorch_model-00002-of-00002.bin')];
const TORCH_KINDS = ['random bytes', 'bit flips', 'truncation', 'bit flips in the pickle'] as const;

const torchTarget: FuzzTarget = {
  name: 'torch-bin',
  run(random, index) {
    const kind = TORCH_KINDS[index % TORCH_KINDS.length]!;
    const source = 'pytorch_model.bin';
    const clean = pick(random, TORCH_FILES);
    let bytes: Uint8Array;
    if (kind === 'random bytes') bytes = random() < 0.5 ? randomBytes(random, randomInt(random, 600)) : Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...randomBytes(random, 300)]);
    else if (kind === 'bit flips') bytes = flipBits(random, clean);
    else if (kind === 'truncation') bytes = truncateBytes(random, clean);
    else {
      // The pickle sits near the start of a zip checkpoint (data.pkl) and is all of a legacy one.
      bytes = flipBits(random, clean, 1 + randomInt(random, 3), Math.min(clean.length, 1200));
    }
    refusesCleanly(() => parseTorchCheckpoint(bytes, source), [WeightsFormatError, SafetensorsError], source, kind);
  },
};

// ---------------------------------------------------------------- SentencePiece .model (protobuf)

const SPM = fixture('tokenizer', 'xlmr-unigram', 'sentencepiece.bpe.model');
const SPM_KINDS = ['random bytes', 'bit flips', 'truncation', 'huge lengths'] as const;

const sentencePieceTarget: FuzzTarget = {
  name: 'sentencepiece-model',
  run(random, index) {
    const kind = SPM_KINDS[index % SPM_KINDS.length]!;
    const source = 'sentencepiece.bpe.model';
    let bytes: Uint8Array;
    if (kind === 'random bytes') bytes = randomBytes(random, randomInt(random, 600));
    else if (kind === 'bit flips') bytes = flipBits(random, SPM);
    else if (kind === 'truncation') bytes = truncateBytes(random, SPM);
    else {
      // A length-delimited field whose varint length claims far more bytes than there are.
      bytes = Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, ...SPM.subarray(0, randomInt(random, 200))]);
    }
    refusesCleanly(() => readSentencePieceModel(bytes, source), [Error], source, kind);
  },
};

export const MODEL_FILE_TARGETS: FuzzTarget[] = [configTarget, safetensorsTarget, torchTarget, sentencePieceTarget];

export function describeTargetKinds(): string {
  return `config.json: ${CONFIG_KINDS.join(', ')}; safetensors: ${SAFETENSORS_KINDS.join(', ')}; torch .bin: ${TORCH_KINDS.join(', ')}; SentencePiece: ${SPM_KINDS.join(', ')}`;
}

export type { Random };
