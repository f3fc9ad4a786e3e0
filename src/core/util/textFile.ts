export class TextFileError extends Error {}

/**
 * Decodes a file's bytes as UTF-8 text, refusing binary files and invalid UTF-8 with one clear line
 * instead of running a model (or a parser) on garbage. A leading BOM is dropped.
 */
export function decodeText(bytes: Uint8Array, name: string): string {
  const sample = bytes.subarray(0, 8192);
  if (sample.includes(0)) throw new TextFileError(`${name}: looks like a binary file (contains NUL bytes)`);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    throw new TextFileError(`${name}: is not valid UTF-8 text`);
  }
}
