import { safetensorsSizeFromPrefix } from '../safetensors';

/**
 * The most bytes a downloaded file can have, so that a server which announces no size (neither
 * Content-Length nor X-Linked-Size) cannot stream without end into the cache:
 *
 * - a safetensors file says its own size in its first bytes (header length + the end of the last
 *   tensor), and anything beyond that is refused the moment it arrives;
 * - an ONNX file is a protobuf message, which cannot exceed 2 GiB;
 * - JSON and text files are read as one string, which V8 caps at 2²⁹ characters;
 * - `configuredMax` (ResolveModelOptions.maxDownloadBytes), when given, lowers all of these.
 */
export const MAX_ONNX_BYTES = 2 ** 31;
export const MAX_TEXT_FILE_BYTES = 2 ** 29;

/** The file is larger than it can be; the download stops and nothing is cached. */
export class SizeLimitError extends Error {
  override name = 'SizeLimitError';
}

export class DownloadSizeCap {
  private readonly kindMax: number;
  /** The first chunks of a safetensors file, kept until its header is complete. */
  private head: Uint8Array[] | undefined;
  private headBytes = 0;
  /** 8 + the header length, once the first 8 bytes arrived. */
  private headerEnd: number | undefined;
  /** The file's size, known once a safetensors header arrived. */
  private exact: number | undefined;

  constructor(private readonly file: string, private readonly configuredMax?: number) {
    const safetensors = /\.safetensors$/.test(file);
    this.kindMax = /\.onnx$/.test(file) ? MAX_ONNX_BYTES : safetensors ? Number.MAX_SAFE_INTEGER : MAX_TEXT_FILE_BYTES;
    if (safetensors) this.head = [];
  }

  /** The limit as known now. */
  get limit(): number {
    return Math.min(this.exact ?? Number.MAX_SAFE_INTEGER, this.kindMax, this.configuredMax ?? Number.MAX_SAFE_INTEGER);
  }

  /** Refuses an announced size beyond the limit before any byte is read. */
  checkAnnounced(size: number | undefined): void {
    if (size !== undefined && size > this.limit) throw new SizeLimitError(`${this.file} would be ${size} bytes, more than the ${this.limit} allowed`);
  }

  /** Called with each chunk and the bytes received so far (the chunk included). */
  accept(chunk: Uint8Array, loaded: number): void {
    if (this.head) this.readHeader(chunk);
    if (loaded > this.limit) {
      const why = this.exact !== undefined ? `its header gives the file ${this.exact} bytes` : `the most allowed is ${this.limit} bytes`;
      throw new SizeLimitError(`${this.file}: received ${loaded} bytes, more than the file can have (${why})`);
    }
  }

  /** After the last chunk: a safetensors file must have exactly the size its header gives. */
  finish(loaded: number): void {
    if (this.head) throw new SizeLimitError(`${this.file}: the download ended after ${loaded} bytes, before the end of the safetensors header`);
    if (this.exact !== undefined && loaded !== this.exact) {
      throw new SizeLimitError(`${this.file}: the download stopped after ${loaded} of the ${this.exact} bytes its header gives`);
    }
  }

  /** Joins the kept chunks only twice: for the 8-byte length, and once the whole header is there. */
  private readHeader(chunk: Uint8Array): void {
    this.head!.push(chunk);
    this.headBytes += chunk.byteLength;
    try {
      if (this.headerEnd === undefined && this.headBytes >= 8) {
        const prefix = joined(this.head!, 8);
        // Refuses an absurd header length (the parser's own maximum) before waiting for that many bytes.
        safetensorsSizeFromPrefix(prefix, this.file);
        this.headerEnd = 8 + Number(new DataView(prefix.buffer).getBigUint64(0, true));
      }
      if (this.headerEnd !== undefined && this.headBytes >= this.headerEnd) {
        this.exact = safetensorsSizeFromPrefix(joined(this.head!, this.headerEnd), this.file);
        this.head = undefined;
      }
    } catch (error) {
      throw new SizeLimitError((error as Error).message);
    }
  }
}

function joined(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    if (at >= length) break;
    const part = chunk.subarray(0, length - at);
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
