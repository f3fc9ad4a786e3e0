import * as protobuf from 'protobufjs';
import { SENTENCEPIECE_MODEL_PROTO } from './sentencepieceModelProto';

/** SentencePiece piece types (ModelProto.SentencePiece.Type). */
export const PIECE_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface SentencePiece {
  piece: string;
  score: number;
  type: number;
}

/** What a converter needs of a `.model` file. */
export interface SentencePieceModel {
  pieces: SentencePiece[];
  /** 1 = Unigram, 2 = BPE (3 WORD and 4 CHAR are refused when read). */
  modelType: 1 | 2;
  unkId: number;
  unkPiece: string;
  byteFallback: boolean;
  /** normalizer_spec.precompiled_charsmap; empty for the identity normalizer. */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
}

let modelType: protobuf.Type | undefined;

function modelProto(): protobuf.Type {
  modelType ??= protobuf.parse(SENTENCEPIECE_MODEL_PROTO, { keepCase: true }).root.lookupType('sentencepiece.ModelProto');
  return modelType;
}

interface DecodedModel {
  pieces?: Array<{ piece?: string; score?: number; type?: number }>;
  trainer_spec?: { model_type?: number; unk_id?: number; unk_piece?: string; byte_fallback?: boolean };
  normalizer_spec?: { precompiled_charsmap?: Uint8Array; add_dummy_prefix?: boolean };
}

/**
 * Reads a SentencePiece `.model` (a serialized ModelProto) with protobufjs and the published
 * schema. Anything that is not a usable model (not protobuf, no pieces, a piece without text, a
 * WORD/CHAR model, an unk_id outside the pieces) is refused with a message naming `source`.
 */
export function readSentencePieceModel(bytes: Uint8Array, source: string): SentencePieceModel {
  let decoded: DecodedModel;
  try {
    const message = modelProto().decode(bytes);
    decoded = modelProto().toObject(message, { defaults: true, bytes: Uint8Array as unknown as typeof String }) as DecodedModel;
  } catch (error) {
    throw new Error(`${source}: not a SentencePiece model (${(error as Error).message})`);
  }
  const pieces = (decoded.pieces ?? []).map((entry, index) => {
    if (typeof entry.piece !== 'string' || entry.piece === '') throw new Error(`${source}: piece ${index} has no text`);
    const score = entry.score ?? 0;
    if (!Number.isFinite(score)) throw new Error(`${source}: piece ${index} ("${entry.piece}") has the score ${score}`);
    return { piece: entry.piece, score, type: entry.type ?? PIECE_TYPE.normal };
  });
  if (pieces.length === 0) throw new Error(`${source}: not a SentencePiece model (no pieces)`);
  const trainer = decoded.trainer_spec ?? {};
  const type = trainer.model_type ?? 1;
  if (type !== 1 && type !== 2) {
    throw new Error(`${source}: SentencePiece model_type ${type} (${type === 3 ? 'WORD' : type === 4 ? 'CHAR' : 'unknown'}) is not supported (Unigram or BPE)`);
  }
  const unkId = trainer.unk_id ?? 0;
  if (!Number.isInteger(unkId) || unkId < 0 || unkId >= pieces.length) throw new Error(`${source}: unk_id ${unkId} is not a piece (the model has ${pieces.length})`);
  const charsmap = decoded.normalizer_spec?.precompiled_charsmap;
  return {
    pieces,
    modelType: type,
    unkId,
    unkPiece: trainer.unk_piece ?? '<unk>',
    byteFallback: trainer.byte_fallback ?? false,
    precompiledCharsmap: charsmap instanceof Uint8Array ? charsmap : new Uint8Array(0),
    addDummyPrefix: decoded.normalizer_spec?.add_dummy_prefix ?? true,
  };
}

/** Writes a ModelProto (used to build test fixtures from a trained Unigram model). */
export function writeSentencePieceModel(model: {
  pieces: SentencePiece[];
  modelType: 1 | 2;
  unkId: number;
  bosId?: number;
  eosId?: number;
  precompiledCharsmap?: Uint8Array;
}): Uint8Array {
  const proto = modelProto();
  const message = proto.fromObject({
    pieces: model.pieces,
    trainer_spec: { model_type: model.modelType, unk_id: model.unkId, bos_id: model.bosId ?? 1, eos_id: model.eosId ?? 2, vocab_size: model.pieces.length },
    normalizer_spec: { name: 'identity', precompiled_charsmap: model.precompiledCharsmap ?? new Uint8Array(0), add_dummy_prefix: true },
  });
  return proto.encode(message).finish();
}
