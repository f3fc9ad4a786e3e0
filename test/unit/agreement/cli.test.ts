import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgreementReport } from '../../../src/core/data/agreement';
import { cli, scratch } from '../cli/harness';

type CliReport = AgreementReport & { files: { a: string; b: string }; formats: { a: string; b: string } };

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples', 'cli');
const A = path.join(SAMPLES, 'annotator-a.jsonl');
const B = path.join(SAMPLES, 'annotator-b.jsonl');
const work = scratch('agreement');

describe('bert-lens agreement', () => {
  it('--json prints the whole report', async () => {
    const { code, stdout, stderr } = await cli('agreement', A, B, '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as CliReport;
    expect(Object.keys(report).sort()).toEqual(['categories', 'disagreements', 'documents', 'files', 'formats', 'kappa', 'spans']);
    expect(report.formats).toEqual({ a: 'prodigy', b: 'prodigy' });
    // The samples: 2 documents paired by meta.path, 1 by its text (no path in A, another in B), 1 only in A.
    expect(report.documents).toMatchObject({ a: 4, b: 3, matchedByPath: 2, matchedByText: 1, onlyInA: [{ path: 'notes/geneva.txt', line: 4 }], onlyInB: [] });
    // A 8 spans, B 7; exact matches 5 (all but Acme Corp/Acme, Madrid LOC/ORG, harbour board).
    expect(report.spans.exact.overall).toEqual({ precision: 5 / 7, recall: 5 / 8, f1: 10 / 15, matched: 5, a: 8, b: 7 });
    expect(report.spans.overlap.overall.matched).toBe(6);
    expect(Object.keys(report.spans.exact.perLabel)).toEqual(['LOC', 'ORG', 'PER']);
    // Exclusive choices NEUTRAL/POSITIVE/NEGATIVE vs NEUTRAL/NEUTRAL/NEGATIVE: po 2/3, pe 1/3, κ 1/2.
    expect(report.kappa.categories.exclusive.kappa).toBeCloseTo(0.5, 12);
    expect(report.kappa.tokens).toMatchObject({ tokenization: 'bert-basic-words', conflicts: { a: 0, b: 0 } });
    expect(report.disagreements).toHaveLength(4);
    expect(report.disagreements[0]).toEqual({
      kind: 'boundary', path: 'notes/meeting.txt', recordLine: { a: 1, b: 1 },
      a: { start: 19, end: 28, line: 1, column: 20, label: 'ORG', text: 'Acme Corp' },
      b: { start: 19, end: 23, line: 1, column: 20, label: 'ORG', text: 'Acme' },
    });
  });

  it('prints a table per label, κ values and the first disagreements', async () => {
    const { code, stdout } = await cli('agreement', A, B, '--show', '2');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}ORG +3 +3 +33\.33 +33\.33 +33\.33 +66\.67 +66\.67 +66\.67$/m);
    expect(stdout).toMatch(/^ {2}overall +8 +7 /m);
    expect(stdout).toMatch(/Cohen's κ, word tags .*: 0\.\d{4} \(37 items/);
    expect(stdout).toMatch(/Cohen's κ, exclusive choices: 0\.5000/);
    expect(stdout).toMatch(/only in A: notes\/geneva\.txt \(line 4\)/);
    expect(stdout).toMatch(/disagreements \(2 of 4; path:line:column\):\n {2}notes\/meeting\.txt:1:20 +boundary/);
    expect(stdout.split('\n').filter((line) => /^ {2}notes\//.test(line))).toHaveLength(2);
  });

  it('identical files agree fully', async () => {
    const { code, stdout } = await cli('agreement', A, A, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as CliReport;
    expect(report.spans.exact.overall.f1).toBe(1);
    expect(report.kappa.tokens.kappa).toBeCloseTo(1, 12);
    expect(report.disagreements).toEqual([]);
  });

  it('malformed input exits 2 with FILE:LINE of the first problem', async () => {
    const bad = work.file('bad.jsonl', '{"text":"ok","meta":{"path":"a"}}\n\n{"text": 3}\n');
    const { code, stdout, stderr } = await cli('agreement', A, bad);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n').at(-1)).toBe(`bert-lens agreement: ${bad}:3: task has no "text" string`);
  });

  it('bad usage exits 2 with one line', async () => {
    for (const argv of [[A], [A, B, 'C'], [A, B, '--format', 'xml'], [A, B, '--show', '-1'], [A, path.join(SAMPLES, 'missing.jsonl')]]) {
      const { code, stderr } = await cli('agreement', ...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), argv.join(' ')).toHaveLength(1);
    }
  });

  it('--format-b reads B in another format (CoNLL), matched by text', async () => {
    const conll = work.file('b.txt', 'Shares\tO\nof\tO\nGlobex\tB-ORG\nfell\tO\nin\tO\nTokyo\tB-LOC\nafter\tO\nthe\tO\nreport.\tO\n');
    const a = work.file('a.jsonl', `${JSON.stringify({ text: 'Shares of Globex fell in Tokyo after the report.', spans: [{ start: 10, end: 16, label: 'ORG' }, { start: 25, end: 30, label: 'LOC' }] })}\n`);
    const { code, stdout } = await cli('agreement', a, conll, '--format-b', 'conll', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as CliReport;
    expect(report.formats).toEqual({ a: 'prodigy', b: 'conll' });
    expect(report.documents.matchedByText).toBe(1);
    expect(report.spans.exact.overall.f1).toBe(1);
  });
});
