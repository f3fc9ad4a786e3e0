import { describe, expect, it } from 'vitest';
import { validateDocument, type AnnotatedDocument } from '../../../src/core/data/annotation';
import { parseTag } from '../../../src/core/data/bioAlignment';
import { parseClassificationJsonl, parseClassificationTsv } from '../../../src/core/data/formats/classification';
import { parseConll } from '../../../src/core/data/formats/conll';
import { parseHfTokenJsonl } from '../../../src/core/data/formats/hfTokenJsonl';
import { parseLabelNames } from '../../../src/core/data/formats/labelNames';
import { parseLabelStudioJson } from '../../../src/core/data/formats/labelStudio';
import { parseProdigyJsonl } from '../../../src/core/data/formats/prodigy';
import type { ParseIssue } from '../../../src/core/data/parseResult';
import { parseStoreFile } from '../../../src/core/data/storeRecord';
import { fixture } from './helpers/fixtures';
import { mulberry32, randomInt } from './helpers/prng';

/**
 * Parsers never throw on damaged input; they return the records they could read and errors that name
 * the file and a line inside it. Seeded: a failure replays from the printed seed and case number.
 */

const CASES = 250;

type Check = (records: unknown[]) => void;

const documentsAreValid: Check = (records) => {
  for (const record of records as AnnotatedDocument[]) {
    expect(validateDocument(record).filter((issue) => issue.severity === 'error')).toEqual([]);
  }
};

const sentencesAreValid: Check = (records) => {
  for (const record of records as Array<{ tokens: string[]; tags: string[] }>) {
    expect(record.tokens.length).toBe(record.tags.length);
    expect(record.tags.every((tag) => parseTag(tag) !== undefined && !/^[ESLU]-/.test(tag))).toBe(true);
  }
};

interface Target {
  name: string;
  sample: string;
  parse: (text: string, file: string) => { records: unknown[]; errors: ParseIssue[]; warnings?: ParseIssue[] };
  check: Check;
  /** Line-oriented: damage confined to one line leaves every other line's record as it was. */
  lineLocal?: (records: unknown[]) => Map<number, string>;
}

const byLine = (records: unknown[]): Map<number, string> =>
  new Map((records as Array<{ line: number }>).map((record) => [record.line, JSON.stringify(record)]));

const targets: Target[] = [
  { name: 'conll', sample: fixture('conll2003-iob1.txt') + fixture('wikiann-sample.txt'), parse: (t, file) => parseConll(t, { file }), check: sentencesAreValid },
  {
    name: 'prodigy',
    sample: fixture('prodigy-sample.jsonl'),
    parse: (t, file) => parseProdigyJsonl(t, { file, pathPrefix: 'p' }),
    check: documentsAreValid,
    lineLocal: byLine,
  },
  {
    name: 'hf-jsonl',
    sample: fixture('hf-token-sample.jsonl'),
    parse: (t, file) => parseHfTokenJsonl(t, { file, labelNames: ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'] }),
    check: sentencesAreValid,
    lineLocal: byLine,
  },
  { name: 'label-studio', sample: fixture('labelstudio-sample.json'), parse: (t, file) => parseLabelStudioJson(t, { file }), check: documentsAreValid },
  { name: 'tsv', sample: fixture('sst2-sample.tsv'), parse: (t, file) => parseClassificationTsv(t, { file, header: true }), check: () => undefined },
  {
    name: 'class-jsonl',
    sample: '{"text": "a", "label": 1}\n{"text": "b", "label": "neg"}\n{"sentence": "c", "label": 0}\n',
    parse: (t, file) => parseClassificationJsonl(t, { file }),
    check: () => undefined,
    lineLocal: byLine,
  },
  {
    name: 'label-names',
    sample: fixture('hf-dataset_info.json'),
    parse: (t, file) => {
      const { labelNames, errors } = parseLabelNames(t, file);
      return { records: labelNames, errors };
    },
    check: () => undefined,
  },
];

function lineCount(text: string): number {
  return text.split('\n').length;
}

function expectWellFormedErrors(errors: ParseIssue[], file: string, text: string): void {
  const lines = lineCount(text);
  for (const error of errors) {
    expect(error.file).toBe(file);
    expect(Number.isInteger(error.line)).toBe(true);
    expect(error.line).toBeGreaterThanOrEqual(0);
    expect(error.line).toBeLessThanOrEqual(lines);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = random() < 0.2 ? pickAscii(random) : randomInt(random, 256);
  return bytes;
}

function pickAscii(random: () => number): number {
  return '{}[]":,\n\t -BIO0123456789aeiou'.charCodeAt(randomInt(random, 31));
}

function flipBit(random: () => number, bytes: Buffer): { bytes: Buffer; at: number } {
  const copy = Buffer.from(bytes);
  const at = randomInt(random, copy.length);
  copy[at]! ^= 1 << randomInt(random, 8);
  return { bytes: copy, at };
}

describe.each(targets)('$name parser on damaged input', (target) => {
  const file = `${target.name}.fuzz`;
  const run = (text: string, label: string) => {
    let result: ReturnType<Target['parse']>;
    try {
      result = target.parse(text, file);
    } catch (error) {
      throw new Error(`${target.name} threw on ${label}: ${String(error)}`);
    }
    expectWellFormedErrors(result.errors, file, text);
    target.check(result.records);
    return result;
  };

  it('parses the clean sample', () => {
    expect(run(target.sample, 'the sample').records.length).toBeGreaterThan(0);
  });

  it(`survives ${CASES} random byte strings`, () => {
    const random = mulberry32(11);
    for (let c = 0; c < CASES; c++) run(randomBytes(random, randomInt(random, 400)).toString('utf8'), `random case ${c}`);
  });

  it(`survives ${CASES} bit flips, keeping records of untouched lines`, () => {
    const random = mulberry32(12);
    const clean = Buffer.from(target.sample, 'utf8');
    const cleanRecords = target.lineLocal?.(target.parse(target.sample, file).records);
    for (let c = 0; c < CASES; c++) {
      const { bytes, at } = flipBit(random, clean);
      const text = bytes.toString('utf8');
      const result = run(text, `bit flip case ${c} at byte ${at}`);
      const touchesLineBreak = clean[at] === 10 || bytes[at] === 10 || clean[at] === 13 || bytes[at] === 13;
      if (!cleanRecords || touchesLineBreak) continue;
      const damagedLine = clean.subarray(0, at).toString('latin1').split('\n').length;
      const after = target.lineLocal!(result.records);
      for (const [line, record] of cleanRecords) if (line !== damagedLine) expect(after.get(line)).toBe(record);
    }
  });

  it(`survives ${CASES} truncations`, () => {
    const random = mulberry32(13);
    const clean = Buffer.from(target.sample, 'utf8');
    for (let c = 0; c < CASES; c++) run(clean.subarray(0, randomInt(random, clean.length)).toString('utf8'), `truncation case ${c}`);
  });
});

describe('store file parser on damaged bytes', () => {
  const sample = Buffer.from(
    [
      JSON.stringify({ text: 'Ada 😀 Lovelace', spans: [{ start: 0, end: 3, label: 'PER' }], meta: { path: 'a.txt' }, answer: 'accept' }),
      JSON.stringify({ text: 'Paris', spans: [{ start: 0, end: 5, label: 'LOC' }], meta: { path: 'b.txt' }, answer: 'accept' }),
      JSON.stringify({ text: 'x', spans: [], meta: { path: 'c.txt' } }),
    ].join('\n') + '\n',
  );

  it('keeps every byte of every line it does not load, and the records of untouched lines', () => {
    const random = mulberry32(14);
    const clean = parseStoreFile(sample, 's');
    expect(clean.problems).toEqual([]);
    for (let c = 0; c < CASES * 2; c++) {
      const mode = c % 3;
      const bytes =
        mode === 0 ? randomBytes(random, randomInt(random, 300)) : mode === 1 ? flipBit(random, sample).bytes : sample.subarray(0, randomInt(random, sample.length));
      const result = parseStoreFile(bytes, 's');
      const lines = bytes.toString('latin1').split('\n');
      for (const problem of result.problems) expect(problem.line).toBeLessThanOrEqual(lines.length);
      for (const record of result.records.values()) expect(validateDocument(record.document).filter((i) => i.severity === 'error')).toEqual([]);
      // Every non-blank line is either loaded unchanged or preserved verbatim among the rejected lines.
      const rejected = new Set(result.rejectedLines.map((line) => Buffer.from(line).toString('latin1')));
      const loadedPaths = new Set(result.records.keys());
      lines.forEach((line) => {
        if (line.trim() === '' || rejected.has(line)) return;
        const parsed = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as { meta: { path: string } };
        expect(loadedPaths.has(parsed.meta.path)).toBe(true);
      });
    }
  });
});
