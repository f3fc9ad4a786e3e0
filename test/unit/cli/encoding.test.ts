import { describe, expect, it } from 'vitest';
import { checkEncoding, decodeText, TextFileError } from '../../../src/core/util/textFile';
import { cli, fixtureModel, scratch } from './harness';

const { file } = scratch('encoding');
const TEXT = 'Zoë met Ångström in Málaga.\n\nThe café was terrible.';

function utf16be(text: string): Uint8Array {
  const le = Buffer.from(text, 'utf16le');
  for (let i = 0; i + 1 < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1]!, le[i]!];
  return le;
}

describe('decodeText', () => {
  it('decodes UTF-8, UTF-16LE and UTF-16BE from their byte-order marks and drops the mark', () => {
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'a')).toBe(TEXT);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]), 'b')).toBe(TEXT);
    expect(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]), 'c')).toBe(TEXT);
  });

  it('still calls NUL bytes without a UTF-16 mark binary, and UTF-16 text full of NUL characters too', () => {
    expect(() => decodeText(Buffer.from(TEXT, 'utf16le'), 'x')).toThrow('x: looks like a binary file (contains NUL bytes)');
    expect(() => decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.alloc(64)]), 'y')).toThrow(/y: looks like a binary file/);
  });

  it('decodes the encoding it is given, and names an undecodable one', () => {
    const latin1 = Buffer.from(TEXT, 'latin1');
    expect(() => decodeText(latin1, 'l')).toThrow(expect.objectContaining({ problem: 'invalid-utf-8', message: 'l: is not valid UTF-8 text' }));
    expect(decodeText(latin1, 'l', { encoding: 'latin1' })).toBe(TEXT);
    expect(decodeText(Buffer.from(TEXT, 'utf16le'), 'u', { encoding: 'utf-16le' })).toBe(TEXT);
    expect(() => decodeText(latin1, 'l', { encoding: 'utf-8' })).toThrow('l: is not valid utf-8 text');
    expect(checkEncoding('Latin1')).toBe('windows-1252');
    expect(() => checkEncoding('klingon')).toThrow(TextFileError);
  });
});

describe('bert-lens --encoding and BOMs', () => {
  const model = fixtureModel('sequence-classification');

  it('classify --per-paragraph reads UTF-16LE and UTF-16BE files with a BOM; offsets are UTF-16 offsets into the text after the BOM', async () => {
    const expected = ['Zoë met Ångström in Málaga.', 'The café was terrible.'];
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(TEXT)]),
    ]) {
      const result = await cli('classify', file('utf16.txt', bytes), '--per-paragraph', '--model', model, '--json', '--threads', '1');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const paragraphs = JSON.parse(result.stdout) as Array<{ start: number; end: number }>;
      expect(paragraphs.map((p) => TEXT.slice(p.start, p.end))).toEqual(expected);
    }
  });

  it('a Latin-1 file is refused with a pointer to --encoding, and read with --encoding latin1', async () => {
    const target = file('latin1.txt', Buffer.from(TEXT, 'latin1'));
    const refused = await cli('classify', target, '--model', model);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`bert-lens classify: ${target}: is not valid UTF-8 text; if it is in another encoding, pass --encoding NAME (e.g. --encoding latin1)\n`);
    const read = await cli('classify', target, '--per-paragraph', '--model', model, '--json', '--encoding', 'latin1', '--threads', '1');
    expect(read.code).toBe(0);
    expect((JSON.parse(read.stdout) as Array<{ start: number; end: number }>).map((p) => TEXT.slice(p.start, p.end))).toEqual(['Zoë met Ångström in Málaga.', 'The café was terrible.']);
  });

  it('an unknown --encoding exits 2 with one line saying where the valid names are, before any model is loaded', async () => {
    for (const argv of [
      ['classify', file('a.txt', 'x'), '--encoding', 'klingon', '--model', '/no/such/model'],
      ['ner', file('b.txt', 'x'), '--encoding', 'klingon', '--model', '/no/such/model'],
      ['evaluate', '--task', 'classify', '--data', file('c.tsv', 'x\tPOSITIVE\n'), '--encoding', 'klingon'],
      ['train', '--task', 'classify', '--model', '/no/such/model', '--data', file('d.tsv', 'x\tPOSITIVE\n'), '--out', '/tmp/never', '--encoding', 'klingon'],
      ['fill-mask', file('e.txt', 'x'), '--encoding', 'klingon', '--model', '/no/such/model'],
    ]) {
      const { code, stderr } = await cli(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr).toMatch(/^bert-lens [a-z-]+: unknown encoding "klingon" \(valid names: the labels listed at https:\/\/encoding\.spec\.whatwg\.org\/#names-and-labels, e\.g\. utf-8, utf-16le, latin1\)\n$/);
    }
  });

  it('evaluate and train read their data in --encoding (and from a UTF-16 BOM)', async () => {
    const tsv = 'Zoë was delighted\tPOSITIVE\nun café terrible\tNEGATIVE\n';
    const latin1 = file('data-latin1.tsv', Buffer.from(tsv, 'latin1'));
    expect((await cli('evaluate', '--task', 'classify', '--model', model, '--data', latin1)).code).toBe(2);
    const ok = await cli('evaluate', '--task', 'classify', '--model', model, '--data', latin1, '--encoding', 'latin1', '--json', '--threads', '1');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ examples: 2 });
    const utf16 = file('data-utf16.tsv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tsv, 'utf16le')]));
    const bom = await cli('evaluate', '--task', 'classify', '--model', model, '--data', utf16, '--json', '--threads', '1');
    expect(bom.code).toBe(0);
    expect(JSON.parse(bom.stdout)).toEqual(JSON.parse(ok.stdout));
  });
});
