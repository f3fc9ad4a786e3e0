import { optionalBoolean } from '../tokenizerFiles';
import { configuredToken, type AddedTokenJson } from '../library/tokenizerConfig';
import { PIECE_TYPE, type SentencePieceModel } from './sentencepieceModel';

/**
 * The converter flavours of transformers' convert_slow_tokenizer.py (huggingface/transformers
 * 00111b31) for the encoder families BERT Lens reads; they differ only in data: the vocabulary
 * layout, the unk id, the normalizers and the template.
 */
export type SpmFlavor = 'xlm-roberta' | 'camembert' | 'deberta-v2' | 'albert' | 'plain';

/** The flavour of a folder: tokenizer_config.json `tokenizer_class`, else config.json `model_type`, else the file name. */
export function spmFlavor(tokenizerClass: string | undefined, modelType: string | undefined, fileName: string): SpmFlavor {
  const byClass: Record<string, SpmFlavor> = {
    XLMRobertaTokenizer: 'xlm-roberta',
    CamembertTokenizer: 'camembert',
    DebertaV2Tokenizer: 'deberta-v2',
    AlbertTokenizer: 'albert',
  };
  const byModel: Record<string, SpmFlavor> = {
    'xlm-roberta': 'xlm-roberta',
    'camembert': 'camembert',
    'deberta-v2': 'deberta-v2',
    'albert': 'albert',
  };
  if (tokenizerClass !== undefined && byClass[tokenizerClass]) return byClass[tokenizerClass]!;
  if (modelType !== undefined && byModel[modelType]) return byModel[modelType]!;
  if (fileName === 'sentencepiece.bpe.model') return 'xlm-roberta';
  if (fileName === 'spm.model') return 'deberta-v2';
  if (fileName === 'spiece.model') return 'albert';
  return 'plain';
}

/** The special tokens each slow tokenizer class defaults to (its __init__ arguments), when no file names them. */
export const SPM_SPECIAL_DEFAULTS: Record<Exclude<SpmFlavor, 'plain'>, Record<string, string>> = {
  'xlm-roberta': { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' },
  'camembert': { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' },
  'deberta-v2': { bos_token: '[CLS]', eos_token: '[SEP]', unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' },
  'albert': { bos_token: '[CLS]', eos_token: '[SEP]', unk_token: '<unk>', sep_token: '[SEP]', pad_token: '<pad>', cls_token: '[CLS]', mask_token: '[MASK]' },
};

/** Python's `len(piece) < 2 or piece[-1] != "," or not piece[-2].isdigit()` (code points). */
function checkNumberComma(piece: string): boolean {
  const chars = [...piece];
  return chars.length < 2 || chars[chars.length - 1] !== ',' || !/^\p{Nd}$/u.test(chars[chars.length - 2]!);
}

/** XLMRobertaConverter / CamembertConverter / AlbertConverter / SpmConverter `vocab()` and `unk_id()`. */
function vocabulary(model: SentencePieceModel, flavor: SpmFlavor): { vocab: Array<[string, number]>; unkId: number } {
  const pieces = model.pieces;
  switch (flavor) {
    case 'xlm-roberta':
      // fairseq's dictionary: <s> <pad> </s> <unk> first, the model's pieces from its 4th on, <mask> last.
      return {
        vocab: [['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ...pieces.slice(3).map((p): [string, number] => [p.piece, p.score]), ['<mask>', 0]],
        unkId: 3,
      };
    case 'camembert':
      return {
        vocab: [
          ['<s>NOTUSED', 0],
          ['<pad>', 0],
          ['</s>NOTUSED', 0],
          ['<unk>', 0],
          ['<unk>NOTUSED', -100],
          ...pieces.slice(1).map((p): [string, number] => [p.piece, p.score]),
          ['<mask>', 0],
        ],
        unkId: 3,
      };
    case 'albert':
      return { vocab: pieces.map((p) => [p.piece, checkNumberComma(p.piece) ? p.score : p.score - 100]), unkId: model.unkId };
    default:
      return { vocab: pieces.map((p) => [p.piece, p.score]), unkId: model.unkId };
  }
}

/** transformers' generate_merges(vocab, vocab_scores): BPE merges recovered from the pieces' scores. */
function generateMerges(vocab: ReadonlyMap<string, number>, vocabScores: ReadonlyArray<[string, number]>): Array<[string, string]> {
  const merges: Array<[string, string, number]> = [];
  for (const [merge, score] of new Map(vocabScores)) {
    const chars = [...merge];
    const local: Array<[string, string, number]> = [];
    for (let index = 1; index < chars.length; index++) {
      const left = chars.slice(0, index).join('');
      const right = chars.slice(index).join('');
      if (vocab.has(left) && vocab.has(right)) local.push([left, right, score]);
    }
    local.sort((a, b) => vocab.get(a[0])! - vocab.get(b[0])! || vocab.get(a[1])! - vocab.get(b[1])!);
    merges.push(...local);
  }
  // sorted(key=(score, len(left), len(right)), reverse=True); Python's sort is stable, so is this one.
  merges.sort((a, b) => b[2] - a[2] || [...b[0]].length - [...a[0]].length || [...b[1]].length - [...a[1]].length);
  return merges.map(([left, right]) => [left, right]);
}

function template(cls: string, sep: string, clsId: number, sepId: number, pairTypeId: number, doubleSep: boolean): Record<string, unknown> {
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
    pair: [
      special(cls, 0),
      sequence('A', 0),
      special(sep, 0),
      ...(doubleSep ? [special(sep, 0)] : []),
      sequence('B', pairTypeId),
      special(sep, pairTypeId),
    ],
    special_tokens: {
      [cls]: { id: cls, ids: [clsId], tokens: [cls] },
      [sep]: { id: sep, ids: [sepId], tokens: [sep] },
    },
  };
}

const replaceRuns = { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' };

/**
 * A tokenizer.json for a SentencePiece model, as transformers' SpmConverter and its subclasses
 * build it: the Unigram (or BPE, merges recovered from the scores) model over the flavour's
 * vocabulary, the `precompiled_charsmap` normalizer, the Metaspace pre-tokenizer and decoder
 * (prepend scheme "always" unless add_prefix_space is false), the template, and the model's
 * control / user-defined pieces and the slow tokenizer's special tokens as added tokens.
 */
export function spmTokenizerJson(
  model: SentencePieceModel,
  flavor: SpmFlavor,
  config: Record<string, unknown>,
  specialMap: Record<string, unknown>,
  source: string,
): Record<string, unknown> {
  const { vocab, unkId } = vocabulary(model, flavor);
  const ids = new Map<string, number>();
  vocab.forEach(([piece], id) => {
    if (!ids.has(piece)) ids.set(piece, id);
  });
  const modelJson =
    model.modelType === 1
      ? { type: 'Unigram', unk_id: unkId, vocab, byte_fallback: false }
      : {
          type: 'BPE',
          dropout: null,
          unk_token: model.unkPiece,
          continuing_subword_prefix: null,
          end_of_word_suffix: null,
          fuse_unk: true,
          byte_fallback: false,
          ignore_merges: false,
          vocab: Object.fromEntries(ids),
          merges: generateMerges(new Map(model.pieces.map((p, i) => [p.piece, i])), vocab),
        };

  const charsmap = model.precompiledCharsmap.length > 0 ? [{ type: 'Precompiled', precompiled_charsmap: Buffer.from(model.precompiledCharsmap).toString('base64') }] : [];
  const flag = (key: string, fallback: boolean): boolean => optionalBoolean(config, key, source) ?? fallback;
  let normalizers: unknown[];
  if (flavor === 'albert') {
    normalizers = [
      { type: 'Replace', pattern: { String: '``' }, content: '"' },
      { type: 'Replace', pattern: { String: "''" }, content: '"' },
      ...(flag('keep_accents', false) ? [] : [{ type: 'NFKD' }, { type: 'StripAccents' }]),
      ...(flag('do_lower_case', true) ? [{ type: 'Lowercase' }] : []),
      ...charsmap,
      replaceRuns,
    ];
  } else if (flavor === 'deberta-v2') {
    normalizers = [...(flag('do_lower_case', false) ? [{ type: 'Lowercase' }] : []), { type: 'Strip', strip_left: true, strip_right: true }, ...charsmap, replaceRuns];
  } else {
    normalizers = [...charsmap, { type: 'Strip', strip_left: false, strip_right: true }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: '▁' }];
  }
  const prependScheme = flag('add_prefix_space', true) ? 'always' : 'never';
  const metaspace = { type: 'Metaspace', replacement: '▁', prepend_scheme: prependScheme, split: true };
  const preTokenizer =
    flavor === 'deberta-v2' && flag('split_by_punct', false)
      ? { type: 'Sequence', pretokenizers: [{ type: 'Punctuation', behavior: 'Isolated' }, metaspace] }
      : metaspace;

  let postProcessor: Record<string, unknown> | null = null;
  if (flavor === 'xlm-roberta' || flavor === 'camembert') postProcessor = template('<s>', '</s>', ids.get('<s>')!, ids.get('</s>')!, 0, true);
  if (flavor === 'albert' || flavor === 'deberta-v2') {
    const cls = ids.get('[CLS]');
    const sep = ids.get('[SEP]');
    if (cls === undefined || sep === undefined) throw new Error(`${source}: a ${flavor} model needs the pieces [CLS] and [SEP]`);
    postProcessor = template('[CLS]', '[SEP]', cls, sep, 1, false);
  }

  // Control pieces are special added tokens, user-defined ones plain added tokens (SpmConverter);
  // the slow tokenizer's special tokens are added as special tokens too (XLM-R's <mask> with lstrip).
  const added = new Map<string, AddedTokenJson>();
  const add = (content: string, special: boolean, lstrip = false): void => {
    const id = ids.get(content);
    if (id === undefined || added.has(content)) return;
    added.set(content, { id, content, single_word: false, lstrip, rstrip: false, normalized: false, special });
  };
  const offset = flavor === 'xlm-roberta' ? 1 : flavor === 'camembert' ? 4 : 0;
  model.pieces.forEach((piece, index) => {
    if (piece.type !== PIECE_TYPE.control && piece.type !== PIECE_TYPE.userDefined) return;
    if (vocab[index + offset]?.[0] !== piece.piece) return;
    add(piece.piece, piece.type === PIECE_TYPE.control);
  });
  const defaults = flavor === 'plain' ? { unk_token: model.unkPiece } : SPM_SPECIAL_DEFAULTS[flavor];
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token']) {
    const token = configuredToken(key, config, specialMap, source) ?? defaults[key];
    if (token !== undefined) add(token, true, key === 'mask_token' && flavor !== 'deberta-v2');
  }
  const sortedAdded = [...added.values()].sort((a, b) => a.id - b.id);

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: sortedAdded,
    normalizer: normalizers.length === 0 ? null : { type: 'Sequence', normalizers },
    pre_tokenizer: preTokenizer,
    post_processor: postProcessor,
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: prependScheme, split: true },
    model: modelJson,
  };
}
