import { asObject, optionalBoolean, parseJson } from '../tokenizerFiles';
import { addedTokensOfConfig, configuredToken, type AddedTokenJson } from './tokenizerConfig';

/** vocab.json → token → id, with a message naming the file for anything that is not that. */
export function parseVocabJson(text: string, source: string): Map<string, number> {
  const object = asObject(parseJson(text, source), source);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(object)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new Error(`${source}: the id of "${token}" must be a non-negative integer (got ${JSON.stringify(id)})`);
    }
    vocab.set(token, id);
  }
  if (vocab.size === 0) throw new Error(`${source}: empty vocabulary`);
  return vocab;
}

/**
 * merges.txt (GPT-2's format: an optional `#version` line, then one `left right` pair per line, in
 * rank order), checked against the vocabulary the way Rust's BPE builder checks it, but with the
 * line that is wrong: both sides and their concatenation must be tokens of vocab.json.
 */
export function parseMerges(text: string, vocab: ReadonlyMap<string, number>, source: string, vocabSource: string): string[] {
  const merges: string[] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || (index === 0 && line.startsWith('#version'))) return;
    const parts = line.split(' ');
    const at = `${source}:${index + 1}`;
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new Error(`${at}: a merge is two tokens separated by one space (got ${JSON.stringify(line)})`);
    for (const token of [parts[0]!, parts[1]!, parts[0]! + parts[1]!]) {
      if (!vocab.has(token)) throw new Error(`${at}: the merge "${line}" names "${token}", which is not in ${vocabSource}`);
    }
    merges.push(line);
  });
  return merges;
}

/** The slow tokenizer class a folder names (tokenizer_config.json `tokenizer_class`), without "Fast". */
export function tokenizerClass(config: Record<string, unknown>): string | undefined {
  const name = config.tokenizer_class;
  return typeof name === 'string' ? name.replace(/Fast$/, '') : undefined;
}

/**
 * The tokenizer.json transformers builds from vocab.json + merges.txt (convert_slow_tokenizer.py):
 * RobertaConverter by default (RoBERTa, BART, Longformer: ByteLevel pre-tokenizer with the config's
 * `add_prefix_space` (default false), RobertaProcessing `<s> A </s></s> B </s>` with `trim_offsets`
 * (default true)), GPT2Converter for GPT2Tokenizer (no template), DebertaConverter for
 * DebertaTokenizer (`[CLS] A [SEP] B [SEP]`). The special tokens of the slow tokenizer become added
 * tokens, RoBERTa's `<mask>` with lstrip as RobertaTokenizer declares it; tokenizer_config.json's
 * `added_tokens_decoder` wins where it lists a token.
 */
export function byteLevelBpeTokenizerJson(
  vocabText: string,
  mergesText: string,
  config: Record<string, unknown>,
  specialMap: Record<string, unknown>,
  files: { vocab: string; merges: string },
): Record<string, unknown> {
  const vocab = parseVocabJson(vocabText, files.vocab);
  const merges = parseMerges(mergesText, vocab, files.merges, files.vocab);
  const kind = tokenizerClass(config);
  const gpt2 = kind === 'GPT2Tokenizer';
  const deberta = kind === 'DebertaTokenizer';
  const defaults: Record<string, string> = gpt2
    ? { bos_token: '<|endoftext|>', eos_token: '<|endoftext|>', unk_token: '<|endoftext|>' }
    : deberta
      ? { bos_token: '[CLS]', eos_token: '[SEP]', sep_token: '[SEP]', cls_token: '[CLS]', unk_token: '[UNK]', pad_token: '[PAD]', mask_token: '[MASK]' }
      : { bos_token: '<s>', eos_token: '</s>', sep_token: '</s>', cls_token: '<s>', unk_token: '<unk>', pad_token: '<pad>', mask_token: '<mask>' };
  const name = (key: string): string | undefined => configuredToken(key, config, specialMap, files.vocab) ?? defaults[key];
  const addPrefixSpace = optionalBoolean(config, 'add_prefix_space', files.vocab) ?? false;
  const trimOffsets = optionalBoolean(config, 'trim_offsets', files.vocab) ?? true;

  const fromConfig = new Map(addedTokensOfConfig(config, files.vocab).map((token) => [token.content, token]));
  const added = new Map<string, AddedTokenJson>();
  const specialKeys = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'];
  const extra = Array.isArray(config.additional_special_tokens) ? config.additional_special_tokens.filter((t): t is string => typeof t === 'string') : [];
  for (const token of [...specialKeys.map(name), ...extra]) {
    if (token === undefined || added.has(token)) continue;
    const id = vocab.get(token);
    if (id === undefined) continue;
    const lstrip = !gpt2 && !deberta && token === name('mask_token');
    added.set(token, { id, content: token, single_word: false, lstrip, rstrip: false, normalized: false, special: true });
  }
  for (const token of fromConfig.values()) added.set(token.content, token);

  const idOf = (token: string | undefined): [string, number] | undefined => {
    const id = token === undefined ? undefined : vocab.get(token) ?? fromConfig.get(token)?.id;
    return id === undefined ? undefined : [token!, id];
  };
  let postProcessor: Record<string, unknown> = { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true };
  if (!gpt2) {
    const cls = idOf(name('cls_token'));
    const sep = idOf(name('sep_token'));
    if (cls === undefined || sep === undefined) {
      throw new Error(`${files.vocab}: the tokens "${name('cls_token')}" and "${name('sep_token')}" the template needs are not in the vocabulary`);
    }
    postProcessor = deberta
      ? {
          type: 'TemplateProcessing',
          single: [{ SpecialToken: { id: cls[0], type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep[0], type_id: 0 } }],
          pair: [
            { SpecialToken: { id: cls[0], type_id: 0 } },
            { Sequence: { id: 'A', type_id: 0 } },
            { SpecialToken: { id: sep[0], type_id: 0 } },
            { Sequence: { id: 'B', type_id: 1 } },
            { SpecialToken: { id: sep[0], type_id: 1 } },
          ],
          special_tokens: Object.fromEntries([cls, sep].map(([token, id]) => [token, { id: token, ids: [id], tokens: [token] }])),
        }
      : { type: 'RobertaProcessing', sep, cls, trim_offsets: trimOffsets, add_prefix_space: addPrefixSpace };
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...added.values()].sort((a, b) => a.id - b.id),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}
