import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../src/core/data/annotationStore';
import { parseLabelNames } from '../../../src/core/data/formats/labelNames';
import { jsonSyntaxErrorOffset } from '../../../src/core/util/jsonSyntax';
import { mulberry32, randomInt } from './helpers/prng';

/** Independent reference: count the newlines before the offset. */
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

describe('label files name the real line of each problem', () => {
  it('a JSON syntax error: the line where the text breaks', () => {
    const text = '{\n  "label_names": [\n    "O",\n    "B-PER"\n    "I-PER"\n  ]\n}\n';
    const { labelNames, errors } = parseLabelNames(text, 'labels.json');
    expect(labelNames).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'labels.json', line: 5 });
  });

  it('a truncated file: its last line', () => {
    const text = '[\n  "O",\n  "B-LOC",\n';
    expect(parseLabelNames(text, 'labels.json').errors[0]!.line).toBe(4);
  });

  it('a bad name inside a JSON list: the line of that name', () => {
    const text = '{\n  "names": [\n    "O",\n    " B-PER",\n    "I-PER"\n  ]\n}\n';
    const { labelNames, errors } = parseLabelNames(text, 'labels.json');
    expect(labelNames).toEqual(['O', ' B-PER', 'I-PER']);
    expect(errors).toEqual([{ file: 'labels.json', line: 4, message: expect.stringContaining('label 1') as string }]);
  });

  it('no names and too deep: the line where the JSON starts, never 0', () => {
    expect(parseLabelNames('\n\n{"other": 1}\n', 'l.json').errors[0]!.line).toBe(3);
    expect(parseLabelNames(`\n${'['.repeat(2000)}${']'.repeat(2000)}`, 'l.json').errors[0]!.line).toBe(2);
    expect(parseLabelNames('   \n', 'l.json').errors[0]!.line).toBe(1);
  });

  it("the store's labels.json: the line of the syntax error and of an ignored label", async () => {
    const workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-labels-'));
    try {
      await fs.mkdir(path.join(workspace, '.bert-lens'));
      const file = path.join(workspace, '.bert-lens', 'labels.json');
      await fs.writeFile(file, '{\n  "labels": [\n    "PER",\n    oops\n  ]\n}\n');
      expect((await AnnotationStore.open(workspace)).problems[0]).toMatchObject({ file, line: 4 });
      await fs.writeFile(file, '{\n  "labels": [\n    "PER",\n    "LOC ",\n    7\n  ]\n}\n');
      const store = await AnnotationStore.open(workspace);
      expect(store.labels()).toEqual(['PER']);
      expect(store.problems.map((problem) => problem.line)).toEqual([4, 1]);
    } finally {
      await fs.rm(workspace, { recursive: true, force: true });
    }
  });
});

describe('jsonSyntaxErrorOffset', () => {
  it('agrees with JSON.parse on which texts are valid, and with V8 where V8 names a position', () => {
    const random = mulberry32(21);
    const alphabet = '{}[]":,  \n0123456789-.eE+truefalsnl\\u"abc';
    const seeds = ['{"a": [1, 2.5e3, true, null, "x\\n\\u00e9"], "b": {}}', '[[], [{}], -0, 1E+2]', '"just a string"', '  42  '];
    let withPosition = 0;
    for (let c = 0; c < 3000; c++) {
      let text = seeds[c % seeds.length]!;
      const edits = 1 + randomInt(random, 3);
      for (let e = 0; e < edits; e++) {
        const at = randomInt(random, text.length + 1);
        const mode = randomInt(random, 3);
        const char = alphabet[randomInt(random, alphabet.length)]!;
        text = mode === 0 ? text.slice(0, at) + char + text.slice(at) : mode === 1 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + char + text.slice(at + 1);
      }
      let valid = true;
      let v8Position: number | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        valid = false;
        const match = /at position (\d+)/.exec((error as Error).message);
        if (match) v8Position = Number(match[1]);
        else if (/Unexpected end of JSON input/.test((error as Error).message)) v8Position = text.length;
      }
      const offset = jsonSyntaxErrorOffset(text);
      expect(offset === undefined, `validity of ${JSON.stringify(text)}`).toBe(valid);
      if (v8Position !== undefined) {
        withPosition++;
        expect(offset, `error offset in ${JSON.stringify(text)}`).toBe(v8Position);
      }
    }
    expect(withPosition).toBeGreaterThan(100);
  });

  it('finds the error in deep nesting without recursion', () => {
    expect(jsonSyntaxErrorOffset('['.repeat(100_000) + ']'.repeat(100_000))).toBeUndefined();
    expect(jsonSyntaxErrorOffset('['.repeat(100_000) + '}')).toBe(100_000);
    expect(lineOf('a\nb', 2)).toBe(2);
  });
});
