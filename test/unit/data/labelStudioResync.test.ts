import { describe, expect, it } from 'vitest';
import { parseLabelStudioJson } from '../../../src/core/data/formats/labelStudio';
import { parseLabelStudioChoices } from '../../../src/core/data/formats/textcat';
import { parseJsonArray } from '../../../src/core/data/jsonDocument';

/**
 * Issue 16: a broken first task must never cost a valid later one. The two minimal inputs below are
 * the shapes `npm run fuzz` found (seed 11: label-studio case 1237, label-studio-choices case 313):
 * with no task read yet, resynchronisation took a value inside a broken task (a key string, a
 * number) for the next element, and every task after it was then rejected as not looking like it.
 */

const choiceTask = (id: number): string =>
  JSON.stringify({ id, data: { text: `text ${id}` }, annotations: [{ id, result: [{ id: `c${id}`, type: 'choices', from_name: 'c', to_name: 'text', value: { choices: ['POS'] } }] }] });
const spanTask = (id: number): string =>
  JSON.stringify({ id, data: { text: `Ada ${id}` }, annotations: [{ id, result: [{ id: `r${id}`, type: 'labels', from_name: 'l', to_name: 'text', value: { start: 0, end: 3, text: 'Ada', labels: ['PER'] } }] }] });

describe('Label Studio: a broken first task (regressions from the fuzz suite)', () => {
  it('choices case 313: a key string followed by "," inside the broken task is not taken for a task', () => {
    // `"annotations", [` instead of `"annotations": [`, and an array the damage left unclosed (`]9`).
    const broken = '{"id":0,"data":{"text":"text 0"},"annotations", [{"id":0,"result":[{"type":"choices","value":{"choices":["NEG"]9}}]}]}';
    const text = `[${broken},${choiceTask(1)},${choiceTask(2)}]`;
    const read = parseLabelStudioChoices(text, { file: 'c.json' });
    expect(read.records.map((record) => record.text)).toEqual(['text 1', 'text 2']);
    expect(read.errors).toHaveLength(1);
    expect(read.errors[0]).toMatchObject({ file: 'c.json', line: 1 });
    expect(read.errors[0]!.message).toMatch(/^element 0 is not valid JSON/);
  });

  it('spans case 1237: a number after "end": , inside the second broken task is not taken for a task', () => {
    const first = '{"id":0,"data":{"text":"Ada 0"}, "bad" }';
    const second = '{"id":1,"data":{"text":"Ada 1"},"annotations":[{"result":[{"type":"labels","value":{"start":0,"end": ,1,"text":"Ada","labels":["PER"]}}]}]}';
    const text = `[\n  ${first},\n  ${second},\n  ${spanTask(2)},\n  ${spanTask(3)}\n]\n`;
    const read = parseLabelStudioJson(text, { file: 's.json' });
    expect(read.records.map((record) => record.taskId)).toEqual([2, 3]);
    expect(read.records.map((record) => record.line)).toEqual([4, 5]);
    // Each broken task is reported at its own line.
    expect(read.errors.map((error) => [error.line, error.message.match(/^element \d+/)?.[0]])).toEqual([
      [2, 'element 0'],
      [3, 'element 1'],
    ]);
  });

  it('the same inputs through parseJsonArray without the task rule: the element after the broken "{" must be an object', () => {
    const text = `[{"a":{"b":1}, "bad" },{"c": ,1,"d":2},{"id":2},{"id":3}]`;
    const { elements } = parseJsonArray(text, 'x.json');
    expect(elements.map((element) => element.value)).toEqual([{ id: 2 }, { id: 3 }]);
  });
});

describe('Label Studio: every broken task of a pretty-printed export is reported at its line', () => {
  const pretty = (tasks: string[]): string => `[\n  ${tasks.map((task) => JSON.stringify(JSON.parse(task), null, 2).replace(/\n/g, '\n  ')).join(',\n  ')}\n]\n`;
  const startLines = (text: string): number[] => text.split('\n').flatMap((line, i) => (line === '  {' ? [i + 1] : []));

  it('adjacent broken tasks, one of them without its opening brace, each get a message at a line of their own', () => {
    const clean = pretty([0, 1, 2, 3, 4].map(spanTask));
    const starts = startLines(clean);
    const lines = clean.split('\n');
    // Task 1: a stray quote inside; task 2: its opening brace deleted; tasks 0, 3 and 4 stay valid.
    lines[starts[1]!] = lines[starts[1]!]!.replace('"id"', '"i"d"'); // the line after task 1's "{"
    expect(lines[starts[1]!]).toBe('    "i"d": 1,');
    lines[starts[2]! - 1] = '  ';
    const text = lines.join('\n');
    const read = parseLabelStudioJson(text, { file: 'p.json' });
    expect(read.records.map((record) => record.taskId)).toEqual([0, 3, 4]);
    expect(read.errors.map((error) => error.line)).toEqual([starts[1], starts[2]! + 1]);
    expect(read.errors.map((error) => error.message.match(/^element \d+/)?.[0])).toEqual(['element 1', 'element 2']);
  });

  it('a "{" inserted at the element indentation inside a broken task does not split it', () => {
    const clean = pretty([0, 1, 2].map(spanTask));
    const lines = clean.split('\n');
    const task1 = lines.indexOf('    "id": 1,');
    const inner = lines.findIndex((line, i) => i > task1 && line.trim() === '"text": "Ada",');
    // `              "text"` becomes `  {           "text"`: a line at the element indentation that opens with "{".
    lines[inner] = `  {${lines[inner]!.slice(3)}`;
    const read = parseLabelStudioJson(lines.join('\n'), { file: 'p.json' });
    expect(read.records.map((record) => record.taskId)).toEqual([0, 2]);
    expect(read.errors).toHaveLength(1);
    expect(read.errors[0]!.message).toMatch(/^element 1 is not valid JSON/);
  });
});
