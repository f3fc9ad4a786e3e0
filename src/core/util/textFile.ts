export type TextFileProblem = 'binary' | 'invalid-utf-8' | 'invalid' | 'unknown-encoding';

export class TextFileError extends Error {
  constructor(message: string, readonly problem: TextFileProblem) {
    super(message);
  }
}

/** Where to look up the names `--encoding` accepts (Node's TextDecoder follows the WHATWG list). */
export const ENCODING_NAMES_URL = 'https://encoding.spec.whatwg.org/#names-and-labels';

/** A byte-order mark and the encoding it announces. */
const BOMS: ReadonlyArray<{ bytes: readonly number[]; encoding: 'utf-8' | 'utf-16le' | 'utf-16be' }> = [
  { bytes: [0xef, 0xbb, 0xbf], encoding: 'utf-8' },
  { bytes: [0xff, 0xfe], encoding: 'utf-16le' },
  { bytes: [0xfe, 0xff], encoding: 'utf-16be' },
];

function bomEncoding(bytes: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' | undefined {
  return BOMS.find((bom) => bom.bytes.every((b, i) => bytes[i] === b))?.encoding;
}

/**
 * Checks an encoding name (any label Node's TextDecoder accepts: utf-8, utf-16le, latin1,
 * windows-1252, shift_jis, …) and returns its canonical name; throws TextFileError for an unknown one.
 */
export function checkEncoding(name: string): string {
  try {
    return new TextDecoder(name).encoding;
  } catch {
    throw new TextFileError(`unknown encoding "${name}" (valid names: the labels listed at ${ENCODING_NAMES_URL}, e.g. utf-8, utf-16le, latin1)`, 'unknown-encoding');
  }
}

export interface DecodeOptions {
  /** A TextDecoder label; default: from the byte-order mark, else UTF-8. */
  encoding?: string;
}

/**
 * Decodes a file's bytes as text, refusing binary files and undecodable bytes with one clear line
 * instead of running a model (or a parser) on garbage. A UTF-8 or UTF-16 byte-order mark selects its
 * encoding and is dropped, so offsets count from the first character after it.
 */
export function decodeText(bytes: Uint8Array, name: string, options: DecodeOptions = {}): string {
  const encoding = options.encoding !== undefined ? checkEncoding(options.encoding) : bomEncoding(bytes) ?? 'utf-8';
  // UTF-16 text of Latin script is half NUL bytes: the binary check applies to byte encodings only.
  const utf16 = encoding.startsWith('utf-16');
  if (!utf16 && bytes.subarray(0, 8192).includes(0)) throw new TextFileError(`${name}: looks like a binary file (contains NUL bytes)`, 'binary');
  let text: string;
  try {
    // ignoreBOM: false — TextDecoder drops a BOM that matches the encoding.
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    const chosen = options.encoding !== undefined || encoding !== 'utf-8';
    throw chosen ? new TextFileError(`${name}: is not valid ${encoding} text`, 'invalid') : new TextFileError(`${name}: is not valid UTF-8 text`, 'invalid-utf-8');
  }
  if (utf16 && text.slice(0, 4096).includes('\0')) throw new TextFileError(`${name}: looks like a binary file (contains NUL characters)`, 'binary');
  return text;
}
