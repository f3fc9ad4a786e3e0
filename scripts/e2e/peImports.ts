// The DLLs a Windows binary (PE/COFF: .dll, .node) names in its import table and in its delay-load
// import table, read from the file's headers. Whatever the first list names must exist when the file
// is loaded; the second is only opened on first use. The packaging tests use it to show that each
// Windows package carries every DLL that its ONNX Runtime files load at start.
import * as fs from 'node:fs';

export interface PeImports {
  imports: string[];
  delayImports: string[];
}

const IMPORT_DIRECTORY = 1;
const DELAY_IMPORT_DIRECTORY = 13;

export function peImports(file: string): PeImports {
  const data = fs.readFileSync(file);
  const fail = (why: string): never => {
    throw new Error(`${file}: not a PE file (${why})`);
  };
  if (data.length < 0x40 || data.readUInt16LE(0) !== 0x5a4d) fail('no MZ header');
  const pe = data.readUInt32LE(0x3c);
  if (pe + 24 > data.length || data.readUInt32LE(pe) !== 0x00004550) fail('no PE signature');
  const sectionCount = data.readUInt16LE(pe + 6);
  const optionalSize = data.readUInt16LE(pe + 20);
  const optional = pe + 24;
  const magic = data.readUInt16LE(optional);
  // PE32+ (0x20b, 64-bit) puts the data directories at 112, PE32 (0x10b) at 96.
  const directories = optional + (magic === 0x20b ? 112 : magic === 0x10b ? 96 : fail(`optional header magic ${magic.toString(16)}`));
  const directoryCount = data.readUInt32LE(directories - 4);
  const sections: { rva: number; size: number; offset: number }[] = [];
  for (let i = 0, at = optional + optionalSize; i < sectionCount; i++, at += 40) {
    sections.push({ size: Math.max(data.readUInt32LE(at + 8), data.readUInt32LE(at + 16)), rva: data.readUInt32LE(at + 12), offset: data.readUInt32LE(at + 20) });
  }
  const offsetOf = (rva: number): number => {
    const section = sections.find((s) => rva >= s.rva && rva < s.rva + s.size);
    return section ? rva - section.rva + section.offset : fail(`address ${rva.toString(16)} outside every section`);
  };
  const cString = (rva: number): string => {
    const start = offsetOf(rva);
    const end = data.indexOf(0, start);
    return data.toString('latin1', start, end < 0 ? data.length : end);
  };
  const directory = (index: number): number | undefined => {
    if (index >= directoryCount) return undefined;
    const rva = data.readUInt32LE(directories + index * 8);
    return rva === 0 ? undefined : offsetOf(rva);
  };
  const names = (index: number, entrySize: number, nameField: number): string[] => {
    const start = directory(index);
    const out: string[] = [];
    if (start === undefined) return out;
    for (let at = start; at + entrySize <= data.length; at += entrySize) {
      if (data.subarray(at, at + entrySize).every((byte) => byte === 0)) break;
      out.push(cString(data.readUInt32LE(at + nameField)));
    }
    return out;
  };
  // IMAGE_IMPORT_DESCRIPTOR: 20 bytes, Name at 12; IMAGE_DELAYLOAD_DESCRIPTOR: 32 bytes, DllNameRVA at 4.
  return { imports: names(IMPORT_DIRECTORY, 20, 12), delayImports: names(DELAY_IMPORT_DIRECTORY, 32, 4) };
}
