import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listZipEntries, readZipEntry } from '../../../scripts/e2e/zipEntries';

// tiny.zip was written by Info-ZIP (`zip -X -r`, then `zip -z` for an archive comment), an
// independent writer; the expected values are what `unzip -lv` reports for it.
const fixture = path.join(__dirname, '..', '..', 'fixtures', 'e2e', 'tiny.zip');

describe('listZipEntries', () => {
  it('reads names and sizes from the central directory, past an archive comment', () => {
    expect(listZipEntries(fixture)).toEqual([
      { name: 'extension/package.json', compressedSize: 2, uncompressedSize: 2 },
      { name: 'extension/dist/extension.js', compressedSize: 16, uncompressedSize: 16 },
      { name: 'extension/big.txt', compressedSize: 21, uncompressedSize: 3000 },
    ]);
  });

  it('rejects a file that is not a zip, naming it', () => {
    const notZip = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zip-test-')), 'not.vsix');
    fs.writeFileSync(notZip, 'x'.repeat(100));
    expect(() => listZipEntries(notZip)).toThrow(/not\.vsix: not a zip file/);
  });
});

describe('readZipEntry', () => {
  it('reads a stored and a deflated entry (the bytes `unzip -p` gives), undefined for a missing one', () => {
    expect(readZipEntry(fixture, 'extension/package.json')?.toString('utf8')).toBe('{}');
    expect(readZipEntry(fixture, 'extension/big.txt')?.toString('utf8')).toBe('a'.repeat(3000));
    expect(readZipEntry(fixture, 'extension/none.txt')).toBeUndefined();
  });
});
