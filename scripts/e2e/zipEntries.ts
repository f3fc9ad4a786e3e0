// Lists the entries of a zip (a .vsix is one) from its central directory, without extracting.
// Enough for archives under 4 GiB with fewer than 65,535 entries, which a .vsix always is.
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

export function listZipEntries(zipPath: string): ZipEntry[] {
  const data = fs.readFileSync(zipPath);
  // The end record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${zipPath}: not a zip file (no end of central directory record)`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) {
      throw new Error(`${zipPath}: corrupt central directory at byte ${offset}`);
    }
    const compressedSize = data.readUInt32LE(offset + 20);
    const uncompressedSize = data.readUInt32LE(offset + 24);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, compressedSize, uncompressedSize });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The bytes of one entry (stored or deflated, the two methods vsce and Info-ZIP write), found through
 * the central directory and read from its local header; undefined when the archive has no such entry.
 */
export function readZipEntry(zipPath: string, entryName: string): Buffer | undefined {
  const data = fs.readFileSync(zipPath);
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 0xffff); i--) {
    if (data.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`${zipPath}: not a zip file (no end of central directory record)`);
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`${zipPath}: corrupt central directory at byte ${offset}`);
    const method = data.readUInt16LE(offset + 10);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const local = data.readUInt32LE(offset + 42);
    const name = data.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name === entryName) {
      if (data.readUInt32LE(local) !== LOCAL_FILE_HEADER) throw new Error(`${zipPath}: no local header for ${name} at byte ${local}`);
      // The local header's own name and extra lengths (the extra field may differ from the central one).
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      const stored = data.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(stored);
      if (method === 8) return zlib.inflateRawSync(stored);
      throw new Error(`${zipPath}: ${name} uses compression method ${method} (only stored and deflate are read)`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return undefined;
}
