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

// A long text is encoded as pieces in one encodeBatch call, which the library spreads over its
// thread pool. Pieces are cut only at a single space between two ASCII letters: every pre-tokenizer
// BERT Lens loads (Bert, ByteLevel, Metaspace) starts a new word there whether or not the text is cut,
// and no normalizer or added token looks across it, so the tokens are those of the whole text (a test
// compares them); word ids and offsets are shifted back into the whole text.
const PIECE_CHARS = 8192;
function cutPoints(text) {
  const cuts = [0];
  const letter = (c) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  let next = PIECE_CHARS;
  while (next < text.length - PIECE_CHARS / 2) {
    let i = next;
    while (i < text.length - 1 && !(text.charCodeAt(i) === 32 && letter(text.charCodeAt(i - 1)) && letter(text.charCodeAt(i + 1)))) i++;
    if (i >= text.length - 1) break;
    cuts.push(i);
    next = i + PIECE_CHARS;
  }
  cuts.push(text.length);
  return cuts;
}

async function encodeLong(tokenizer, text) {
  const cuts = cutPoints(text);
  const pieces = [];
  for (let k = 0; k + 1 < cuts.length; k++) pieces.push(text.slice(cuts[k], cuts[k + 1]));
  const encodings = pieces.length === 1
    ? [await tokenizer.encode(text, null, { addSpecialTokens: false })]
    : await tokenizer.encodeBatch(pieces, { addSpecialTokens: false });
  const parts = encodings.map((encoding, k) => ({
    ids: encoding.getIds(),
    offsets: toUtf16(pieces[k], encoding.getOffsets()),
    words: encoding.getWordIds(),
  }));
  const total = parts.reduce((sum, part) => sum + part.ids.length, 0);
  const ids = new Int32Array(total);
  const offsets = new Int32Array(2 * total);
  const words = new Int32Array(total);
  let n = 0;
  let wordBase = 0;
  parts.forEach((part, k) => {
    const base = cuts[k];
    let maxWord = -1;
    for (let t = 0; t < part.ids.length; t++, n++) {
      ids[n] = part.ids[t];
      offsets[2 * n] = part.offsets[2 * t] + base;
      offsets[2 * n + 1] = part.offsets[2 * t + 1] + base;
      const word = part.words[t];
      if (word === null || word === undefined) words[n] = -1;
      else {
        words[n] = word + wordBase;
        if (word > maxWord) maxWord = word;
      }
    }
    wordBase += maxWord + 1;
  });
  return { ids, offsets, words };
}

parentPort.on('message', (message) => {
  handle(message).then(
    // A value the port cannot send must still answer, as an error, or the caller finds no reply.
    (value) => { try { port.postMessage({ value }); } catch (error) { port.postMessage({ error: 'the tokenizers library thread could not send its reply: ' + String((error && error.message) || error) }); } },
    (error) => port.postMessage({ error: String((error && error.message) || error), nativeLoadFailure: (error && error.nativeLoadFailure) || undefined }),
  ).finally(() => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
`;

class LibraryThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
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
    Atomics.store(this.flag, 0, 0);
    this.worker.postMessage(message);
    // Wait for the flag, not for a notify: the thread stores 1 and notifies in two steps, so the late
    // notify of the previous request can wake this wait before this request's reply exists.
    while (Atomics.load(this.flag, 0) === 0) Atomics.wait(this.flag, 0, 0);
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
