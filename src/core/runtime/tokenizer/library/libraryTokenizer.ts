import { cleanUpTokenization } from '../decode';
import { TemplateTokenizer, type RawSequence } from '../templateTokenizer';
import type { DecodeOptions, TokenizerModelType } from '../tokenizer';
import { asObject, modelMaxLength, optionalBoolean, parsePostProcessor } from '../tokenizerFiles';
import { ByteLevelWords, byteLevelWordsPlan } from './byteLevelWords';
import { SyncEncoder } from './syncEncoder';
import { configuredToken } from './tokenizerConfig';
import { jsonErrorLocation } from '../../../util/jsonSyntax';
import { pieceStartsWord, wordBoundaryOf, type WordBoundary } from '../wordBoundary';

/**
 * A tokenizer.json of any type (byte-level BPE, SentencePiece Unigram/BPE, WordPiece) run by HF's
 * Rust `tokenizers` library: it does the added-token split, normalizer, pre-tokenizer and model, so
 * ids and offsets are those of every `*TokenizerFast` in Python. The post-processor's template and
 * the windows are shared with the hand-written WordPiece (TemplateTokenizer), so that `windows` and
 * `pairWindows` have one implementation for every type.
 */
export class LibraryTokenizer extends TemplateTokenizer {
  readonly modelType: TokenizerModelType;
  readonly vocabSize: number;
  readonly unkTokenId: number | undefined;
  readonly clsTokenId: number | undefined;
  readonly sepTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly maskTokenId: number | undefined;
  readonly maskToken: string | undefined;
  readonly modelMaxLength: number;
  readonly continuingSubwordPrefix: string | null;

  private readonly tokenIds = new Map<string, number>();
  private readonly idTokens: Array<string | undefined> = [];
  private readonly specialIds = new Set<number>();
  /** added_tokens: matched whole before the model runs, so they carry no word marker. */
  private readonly addedIds = new Set<number>();
  private readonly wordBoundary: WordBoundary;
  private readonly encoder: SyncEncoder;
  /** Byte-level BPE of the usual shape: words seen before skip the library (see byteLevelWords.ts). */
  private readonly byteLevelWords: ByteLevelWords | undefined;
  readonly cleanUpTokenizationSpaces: boolean;

  /**
   * `json`: the tokenizer.json text, after tokenizer_config.json's overrides (see tokenizerConfig.ts);
   * `config` / `specialMap`: tokenizer_config.json and special_tokens_map.json; `source` names the
   * file in error messages; `byteLevelWordMemo: false` sends every text to the library whole (tests
   * compare the two paths).
   */
  constructor(
    json: string,
    config: Record<string, unknown>,
    specialMap: Record<string, unknown>,
    source: string,
    options: { byteLevelWordMemo?: boolean } = {},
  ) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      const { line, column, problem } = jsonErrorLocation(json);
      throw new Error(`${source}:${line}:${column}: invalid JSON (${problem})`);
    }
    const root = asObject(parsed, source);
    const postProcessor = parsePostProcessor(root.post_processor, source);
    super(postProcessor);
    const model = asObject(root.model, `${source}: model`);
    const type = model.type ?? (Array.isArray(model.vocab) ? 'Unigram' : model.merges !== undefined ? 'BPE' : 'WordPiece');
    if (type !== 'BPE' && type !== 'Unigram' && type !== 'WordPiece') {
      throw new Error(`${source}: model.type "${String(type)}" is not supported (BPE, Unigram or WordPiece)`);
    }
    this.modelType = type;
    this.readVocabulary(model, source);
    for (const item of Array.isArray(root.added_tokens) ? root.added_tokens : []) {
      const entry = asObject(item, `${source}: added_tokens`);
      if (typeof entry.id !== 'number' || typeof entry.content !== 'string') throw new Error(`${source}: added_tokens entries need an id and a content`);
      this.setToken(entry.content, entry.id);
      this.addedIds.add(entry.id);
      if (entry.special === true) this.specialIds.add(entry.id);
    }
    this.vocabSize = this.idTokens.length;
    // A hub tokenizer.json may carry the truncation or padding it was saved with; the library would
    // apply them inside encode and cut a document short. Windows are this side's job.
    const loaded = root.truncation || root.padding ? JSON.stringify({ ...root, truncation: null, padding: null }) : json;
    try {
      this.encoder = new SyncEncoder(loaded);
    } catch (error) {
      throw new Error(`${source}: the tokenizers library refused it (${(error as Error).message})`);
    }
    const plan = options.byteLevelWordMemo === false ? null : byteLevelWordsPlan(root);
    if (plan !== null) {
      const wordEncoder = new SyncEncoder(plan.wordJson);
      this.byteLevelWords = new ByteLevelWords(plan, (texts) => wordEncoder.encodeMany(texts), (id) => this.idTokens[id]);
    }

    const template = [...(postProcessor?.single ?? [])].filter((piece) => piece.kind === 'special').map((piece) => piece.name);
    const id = (token: string | undefined): number | undefined => (token === undefined ? undefined : this.tokenIds.get(token));
    // Without a name in the config files, the usual spellings among the special added tokens.
    const usual: Record<string, string[]> = { unk_token: ['<unk>', '[UNK]'], pad_token: ['<pad>', '[PAD]'], mask_token: ['<mask>', '[MASK]'] };
    const named = (key: string): string | undefined =>
      configuredToken(key, config, specialMap, source) ?? usual[key]?.find((token) => this.specialIds.has(this.tokenIds.get(token) ?? -1));
    const unk =
      named('unk_token') ??
      (typeof model.unk_token === 'string' ? model.unk_token : undefined) ??
      (typeof model.unk_id === 'number' ? this.idTokens[model.unk_id] : undefined);
    this.unkTokenId = id(unk);
    this.clsTokenId = id(named('cls_token') ?? named('bos_token') ?? template[0]);
    this.sepTokenId = id(named('sep_token') ?? named('eos_token') ?? template[template.length - 1]);
    this.padTokenId = id(named('pad_token'));
    const mask = named('mask_token');
    this.maskTokenId = id(mask);
    this.maskToken = this.maskTokenId === undefined ? undefined : mask;
    this.modelMaxLength = modelMaxLength(config, source);
    const prefix = type === 'WordPiece' ? (typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##') : null;
    this.continuingSubwordPrefix = prefix;
    this.wordBoundary = wordBoundaryOf(root, prefix);
    this.cleanUpTokenizationSpaces = optionalBoolean(config, 'clean_up_tokenization_spaces', source) ?? true;
  }

  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.idTokens[id];
  }

  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }

  startsWord(id: number): boolean {
    const piece = this.idTokens[id];
    if (piece === undefined || this.addedIds.has(id)) return true;
    return pieceStartsWord(this.wordBoundary, piece);
  }

  /** HF decode: the library's decoder (skipping special tokens if asked), then clean-up if enabled. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const list: number[] = [];
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (this.idTokens[id] === undefined) throw new RangeError(`decode: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
      list.push(id);
    }
    const text = this.encoder.decode(list, options.skipSpecialTokens ?? false);
    return options.cleanUpTokenizationSpaces ?? this.cleanUpTokenizationSpaces ? cleanUpTokenization(text) : text;
  }

  convertTokensToString(tokens: readonly string[]): string {
    return this.encoder.tokensToString(tokens);
  }

  protected tokenizeSequence(text: string): RawSequence {
    const remembered = this.byteLevelWords?.tokenize(text);
    if (remembered) return remembered;
    const raw = this.encoder.encode(text);
    const n = raw.ids.length;
    const seq: RawSequence = { ids: new Array<number>(n), starts: new Array<number>(n), ends: new Array<number>(n), words: new Array<number | null>(n) };
    for (let k = 0; k < n; k++) {
      seq.ids[k] = raw.ids[k]!;
      seq.starts[k] = raw.offsets[2 * k]!;
      seq.ends[k] = raw.offsets[2 * k + 1]!;
      const word = raw.words[k]!;
      seq.words[k] = word < 0 ? null : word;
    }
    return seq;
  }

  private readVocabulary(model: Record<string, unknown>, source: string): void {
    if (Array.isArray(model.vocab)) {
      model.vocab.forEach((entry, id) => {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new Error(`${source}: model.vocab[${id}] must be [piece, score]`);
        this.setToken(entry[0], id);
      });
      return;
    }
    for (const [token, id] of Object.entries(asObject(model.vocab, `${source}: model.vocab`))) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        throw new Error(`${source}: model.vocab["${token}"] must be a non-negative integer id (got ${JSON.stringify(id)})`);
      }
      this.setToken(token, id);
    }
  }

  private setToken(token: string, id: number): void {
    this.tokenIds.set(token, id);
    while (this.idTokens.length <= id) this.idTokens.push(undefined);
    this.idTokens[id] = token;
  }
}
