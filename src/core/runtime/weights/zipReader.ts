/**
 * A reader for the zip archives `torch.save` writes: entries are stored (torch never compresses),
 * so the central directory and each local header are all we need. Refuses compressed entries,
 * zip64 sizes it cannot read and every offset that points outside the file, naming the file.
 */

export class WeightsFormatError extends Error {
  override name = 'WeightsFormatError';
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_LOCATOR = 0x07064b50;

/** Stored zip entries by name; each value is a view into the archive's bytes. */
export function readStoredZip(bytes: Uint8Array, source: string): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new WeightsFormatError(`${source}: ${what} (truncated or corrupt zip archive)`);
  };
  let end = -1;
  for (let at = bytes.byteLength - 22; at >= Math.max(0, bytes.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIRECTORY) { end = at; break; }
  }
  if (end < 0) fail('no end-of-central-directory record');
  let count = view.getUint16(end + 10, true);
  let directory = view.getUint32(end + 16, true);
  if (count === 0xffff || directory === 0xffffffff) {
    // zip64: torch writes it for archives over 4 GB; the locator sits right before the end record.
    const locator = end - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) fail('zip64 locator missing');
    const record = Number(view.getBigUint64(locator + 8, true));
    if (record + 56 > bytes.byteLength) fail('zip64 record outside the file');
    count = Number(view.getBigUint64(record + 32, true));
    directory = Number(view.getBigUint64(record + 48, true));
  }
  const entries = new Map<string, Uint8Array>();
  let at = directory;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.byteLength || view.getUint32(at, true) !== CENTRAL_ENTRY) fail(`central directory entry ${i} missing`);
    const method = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    if (at + 46 + nameLength > bytes.byteLength) fail(`central directory entry ${i} cut short`);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (size === 0xffffffff || local === 0xffffffff) {
      ({ size, local } = zip64Extra(view, at + 46 + nameLength, extraLength, size, local, fail));
    }
    if (method !== 0) fail(`entry "${name}" is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (local + 30 > bytes.byteLength || view.getUint32(local, true) !== LOCAL_HEADER) fail(`local header of "${name}" missing`);
    const dataStart = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (dataStart + size > bytes.byteLength) fail(`entry "${name}" extends past the end of the file`);
    entries.set(name, bytes.subarray(dataStart, dataStart + size));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function zip64Extra(
  view: DataView, start: number, length: number, size: number, local: number, fail: (what: string) => never,
): { size: number; local: number } {
  for (let at = start; at + 4 <= start + length;) {
    const id = view.getUint16(at, true);
    const fieldLength = view.getUint16(at + 2, true);
    if (id === 1) {
      let field = at + 4;
      // The zip64 field holds, in order, only the values whose 32-bit slot is 0xffffffff.
      if (size === 0xffffffff) { size = Number(view.getBigUint64(field, true)); field += 8; field += 8; }
      if (local === 0xffffffff) local = Number(view.getBigUint64(field, true));
      return { size, local };
    }
    at += 4 + fieldLength;
  }
  return fail('zip64 sizes missing');
}
