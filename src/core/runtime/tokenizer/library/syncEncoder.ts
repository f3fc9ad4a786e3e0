import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { nativeLoadError } from '../../nativeLoad';

/**
 * The Rust `tokenizers` library (npm `tokenizers`, HF's own Node binding) only encodes
 * asynchronously (`Tokenizer.encode` returns a Promise resolved on libuv's thread pool), while every
 * task and the trainer tokenize synchronously. Rather than make every pipeline async, the library
 * runs in one worker thread and the caller blocks on an `Atomics.wait` until the reply is on a
 * MessagePort it reads with `receiveMessageOnPort` (the pattern of npm `synckit`). Tokenization
 * already runs in BERT Lens's worker process, never on the editor's thread, so blocking is fine; a
 * call costs a few tens of microseconds on top of the encoding itself.
 */

/** One sequence's tokens as the worker returns them; offsets are already UTF-16 (see toUtf16Offsets). */
export interface RawEncoding {
  ids: Int32Array;
  /** [start0, end0, start1, end1, ...] UTF-16 offsets into the encoded text. */
  offsets: Int32Array;
  /** Word index per token, -1 where the library has none. */
  words: Int32Array;
}

interface Reply {
  error?: string;
  /** Set when the library's native binary did not load: the loader's own message. */
  nativeLoadFailure?: string;
  value?: unknown;
}

// The worker's source: it runs with `eval: true`, so it may only use what `require` finds from the
// resolved path of the library (passed in workerData), never a bundled module.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// Required on first use, inside the request, so that a missing native binary becomes an error reply
// instead of a thread that died before it could wake the caller.
let library;
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const tokenizers = new Map();

function toUtf16(text, offsets) {
  // Rust reports offsets in code points (chars); VS Code and every task count UTF-16 units.
  let astral = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) { astral = true; break; }
  }
  const out = new Int32Array(offsets.length * 2);
  if (!astral) {
    for (let k = 0; k < offsets.length; k++) { out[2 * k] = offsets[k][0]; out[2 * k + 1] = offsets[k][1]; }
    return out;
  }
  const unitOf = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    unitOf.push(i + 1);
  }
  for (let k = 0; k < offsets.length; k++) { out[2 * k] = unitOf[offsets[k][0]]; out[2 * k + 1] = unitOf[offsets[k][1]]; }
  return out;
}

async function handle(message) {
  if (message.op === 'load') {
    if (library === undefined) {
      try {
        library = require(workerData.library);
      } catch (error) {
        // napi-rs chains what it tried as causes; the innermost is the require of the binary beside
        // index.js, the one a BERT Lens package ships. The caller turns it into the one-line message.
        let inner = error;
        while (inner && inner.cause) inner = inner.cause;
        throw Object.assign(new Error('native binary'), { nativeLoadFailure: String((inner && inner.message) || inner) });
      }
    }
    tokenizers.set(message.handle, library.Tokenizer.fromString(message.json));
    return null;
  }
  const tokenizer = tokenizers.get(message.handle);
  if (message.op === 'decode') return tokenizer.decode(message.ids, message.skipSpecialTokens);
  if (message.op === 'tokensToString') {
    const decoder = tokenizer.getDecoder();
    return decoder === null ? message.tokens.join(' ') : decoder.decode(message.tokens);
  }
  const results = [];
  for (const text of message.texts) results.push(await encodeLong(tokenizer, text));
  return results;
}

// A long text is encoded as pieces, each its own encode call on libuv's thread pool, and each piece
// is read out (getIds / getOffsets / getWordIds: napi copies into JS arrays, a third of the time of
// the encoding itself) on this thread as soon as it is done, while the pool still encodes the others;
// one encodeBatch read everything out only after the last piece. Pieces are cut only at a single
// space between two ASCII letters: every pre-tokenizer BERT Lens loads (Bert, ByteLevel, Metaspace)
// starts a new word there whether or not the text is cut, and no normalizer or added token looks
// across it, so the tokens are those of the whole text (a test compares them); word ids and offsets
// are shifted back into the whole text. A piece after the first starts one cut early (at the cut
// before its own, 'lead'), and the tokens of that overlap are dropped: the ByteLevel and RoBERTa
// post-processors trim offsets differently for a piece's first token (their add_prefix_space
// exception), so the first token of a piece must not be one that is kept.
const PIECE_CHARS = 8192;
function isCut(text, i) {
  const letter = (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return text.charCodeAt(i) === 32 && letter(text.charCodeAt(i - 1)) && letter(text.charCodeAt(i + 1));
}
function cutPoints(text) {
  const cuts = [0];
  let next = PIECE_CHARS;
  while (next < text.length - PIECE_CHARS / 2) {
    let i = next;
    while (i < text.length - 1 && !isCut(text, i)) i++;
    if (i >= text.length - 1) break;
    cuts.push(i);
    next = i + PIECE_CHARS;
  }
  cuts.push(text.length);
  return cuts;
}
/** The last cut point before cuts[k] (and after cuts[k - 1]), or cuts[k - 1] itself. */
function leadOf(text, cuts, k) {
  for (let i = cuts[k] - 1; i > cuts[k - 1]; i--) if (isCut(text, i)) return i;
  return cuts[k - 1];
}

async function encodeLong(tokenizer, text) {
  const cuts = cutPoints(text);
  const parts = [];
  const reads = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const lead = k === 0 ? 0 : leadOf(text, cuts, k);
    const piece = cuts.length === 2 ? text : text.slice(lead, cuts[k + 1]);
    reads.push(tokenizer.encode(piece, null, { addSpecialTokens: false }).then((encoding) => {
      parts[k] = { lead, ids: encoding.getIds(), offsets: toUtf16(piece, encoding.getOffsets()), words: encoding.getWordIds() };
    }));
  }
  await Promise.all(reads);
  // The overlap's tokens all end by the cut; every kept token ends after it.
  const kept = parts.map((part, k) => {
    if (k === 0) return 0;
    const overlap = cuts[k] - part.lead;
    let first = 0;
    while (first < part.ids.length && part.offsets[2 * first + 1] <= overlap) first++;
    return first;
  });
  let total = 0;
  parts.forEach((part, k) => (total += part.ids.length - kept[k]));
  const ids = new Int32Array(total);
  const offsets = new Int32Array(2 * total);
  const words = new Int32Array(total);
  let n = 0;
  let wordBase = 0;
  parts.forEach((part, k) => {
    const first = kept[k];
    const base = part.lead;
    let firstWord = 0;
    for (let t = first; t < part.ids.length; t++) {
      if (part.words[t] !== null && part.words[t] !== undefined) { firstWord = part.words[t]; break; }
    }
    let maxWord = -1;
    ids.set(part.ids.slice(first), n);
    for (let t = first; t < part.ids.length; t++, n++) {
      offsets[2 * n] = part.offsets[2 * t] + base;
      offsets[2 * n + 1] = part.offsets[2 * t + 1] + base;
      const word = part.words[t];
      if (word === null || word === undefined) words[n] = -1;
      else {
        words[n] = word - firstWord + wordBase;
        if (word - firstWord > maxWord) maxWord = word - firstWord;
      }
    }
    wordBase += maxWord + 1;
  });
  return { ids, offsets, words };
}

// The reply is posted before the call's number is stored in the flag; a reply that cannot be posted
// (a value the structured clone refuses) becomes an error reply, so the caller never wakes to nothing.
function reply(seq, body) {
  try {
    port.postMessage(body);
  } catch (error) {
    port.postMessage({ error: 'the tokenizers library thread could not send its reply (' + String((error && error.message) || error) + ')' });
  }
  Atomics.store(flag, 0, seq);
  Atomics.notify(flag, 0);
}

parentPort.on('message', (message) => {
  handle(message).then(
    (value) => reply(message.seq, { value }),
    (error) => reply(message.seq, { error: String((error && error.message) || error), nativeLoadFailure: (error && error.nativeLoadFailure) || undefined }),
  );
});
`;

/**
 * Blocks until `flag[0]` holds `seq`, the number of the call whose reply is awaited. A wake-up alone
 * proves nothing: the worker stores and then notifies, and between the two the caller may read the
 * previous reply, send the next request and sleep again, to be woken by that late notify before the
 * new reply exists (under load this surfaced as "the tokenizers library thread did not answer").
 */
export function waitForCall(flag: Int32Array, seq: number): void {
  for (let seen = Atomics.load(flag, 0); seen !== seq; seen = Atomics.load(flag, 0)) Atomics.wait(flag, 0, seen);
}

class LibraryThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  /** The number of the last call; the worker stores it in `flag` once that call's reply is posted. */
  private seq = 0;
  private nextHandle = 1;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { library: require.resolve('tokenizers'), flag: this.flag.buffer, port: port2 },
      transferList: [port2],
    });
    // Neither the thread nor its port may keep a CLI run alive once its work is done.
    this.worker.unref();
    this.port.unref();
  }

  /** Sends one request and blocks until the worker has replied. */
  call(message: Record<string, unknown>): unknown {
    this.seq = (this.seq % 0x7fffffff) + 1;
    this.worker.postMessage({ ...message, seq: this.seq });
    waitForCall(this.flag, this.seq);
    const reply = receiveMessageOnPort(this.port)?.message as Reply | undefined;
    if (reply === undefined) throw new Error('the tokenizers library thread did not answer');
    if (reply.nativeLoadFailure !== undefined) throw nativeLoadError('tokenizers', process.platform, process.arch, new Error(reply.nativeLoadFailure));
    if (reply.error !== undefined) throw new Error(reply.error);
    return reply.value;
  }

  load(json: string): number {
    const handle = this.nextHandle++;
    this.call({ op: 'load', handle, json });
    return handle;
  }
}

let thread: LibraryThread | undefined;

/**
 * A tokenizer.json loaded into the library thread; `encode` runs the library's normalizer,
 * pre-tokenizer, model and added-token split on each text, without special tokens (the templates
 * are applied on this side, see templateEncoding.ts).
 */
export class SyncEncoder {
  private readonly handle: number;
  private readonly thread: LibraryThread;

  /** Throws the library's own message (e.g. a merge naming an unknown token) when `json` is not valid. */
  constructor(json: string) {
    thread ??= new LibraryThread();
    this.thread = thread;
    this.handle = this.thread.load(json);
  }

  encode(text: string): RawEncoding {
    return this.encodeMany([text])[0]!;
  }

  encodeMany(texts: readonly string[]): RawEncoding[] {
    return this.thread.call({ op: 'encode', handle: this.handle, texts }) as RawEncoding[];
  }

  /** The library's `decode(ids, skip_special_tokens)` (decoder only; no clean-up of spaces). */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string {
    return this.thread.call({ op: 'decode', handle: this.handle, ids, skipSpecialTokens }) as string;
  }

  /** The tokenizer's decoder over token strings (HF `convert_tokens_to_string`). */
  tokensToString(tokens: readonly string[]): string {
    return this.thread.call({ op: 'tokensToString', handle: this.handle, tokens }) as string;
  }
}
