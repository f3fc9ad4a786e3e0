import { describe, expect, it } from 'vitest';
import { parseJsonArray } from '../../../src/core/data/jsonDocument';
import { lineIndex } from '../../../src/core/data/parseResult';

/** Independent reference: count the newlines before the offset. */
function naiveLine(text: string, offset: number): number {
  return text.slice(0, Math.min(offset, text.length)).split('\n').length;
}

describe('lineIndex', () => {
  it('gives the same line as counting newlines, for every offset of a multi-line text', () => {
    const text = 'a\n\nbc\r\n{"x": 1}\n\n\nlast';
    const lineOf = lineIndex(text);
    for (let offset = 0; offset <= text.length + 3; offset++) expect(lineOf(offset)).toBe(naiveLine(text, offset));
  });

  it('locates each element of a JSON array on its own line', () => {
    const text = '[\n  {"a": 1},\n\n  {"b":\n 2},\n  {"c": 3}\n]\n';
    const { elements, errors } = parseJsonArray(text, 'tasks.json');
    expect(errors).toEqual([]);
    expect(elements.map((element) => element.line)).toEqual([2, 4, 6]);
    expect(elements.map((element) => element.line)).toEqual(
      [text.indexOf('{"a"'), text.indexOf('{"b"'), text.indexOf('{"c"')].map((offset) => naiveLine(text, offset)),
    );
  });
});

describe('parseJsonArray on a broken element', () => {
  it('resynchronises at the next element of a pretty-printed array and reports the bad one with its line', () => {
    const tasks = Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: i, data: { text: `t${i}` } }, null, 2).replace(/\n/g, '\n  '));
    tasks[2] = '{\n    "id": 2,\n    "data": [ 1\n  }';
    const text = `[\n  ${tasks.join(',\n  ')}\n]\n`;
    const { elements, errors } = parseJsonArray(text, 'tasks.json');
    expect(elements.map((element) => (element.value as { id: number }).id)).toEqual([0, 1, 3, 4, 5]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.file).toBe('tasks.json');
    expect(errors[0]!.line).toBeGreaterThanOrEqual(naiveLine(text, text.indexOf('"id": 2')) - 1);
    expect(errors[0]!.line).toBeLessThan(naiveLine(text, text.indexOf('"id": 3')) - 1);
    expect(errors[0]!.message).toContain('element 2');
  });
});

describe('parseJsonArray on a single-line array with broken elements', () => {
  // Label Studio tasks with nested results: objects inside a task must not be taken for tasks.
  const task = (i: number): string =>
    JSON.stringify({
      id: i,
      data: { text: `Ada ${i} went to Paris` },
      annotations: [{ id: i * 10, result: [{ id: `r${i}a`, type: 'labels', value: { start: 0, end: 3, labels: ['PER'] } }, { id: `r${i}b`, type: 'labels', value: { start: 15, end: 20, labels: ['LOC'] } }] }],
    });
  // Each way of breaking an element that the probes met, applied to one JSON text of a task.
  const breakings: Array<[string, (json: string) => string]> = [
    ['an unbalanced "[ }"', (json) => json.replace('"annotations":[', '"annotations":[ }')],
    ['an unterminated string', (json) => json.replace('went to Paris"', 'went to Paris')],
    ['a missing colon', (json) => json.replace('"data":', '"data"')],
    ['a missing closing brace', (json) => json.slice(0, -1)],
    ['an extra closing bracket', (json) => json.replace('"labels":["PER"]', '"labels":["PER"]]')],
    ['a stray quote in a key', (json) => json.replace('"id":', '"i"d":')],
  ];
  const ids = (elements: Array<{ value: unknown }>): number[] => elements.map((element) => (element.value as { id: number }).id);

  it.each(breakings)('keeps every other task after %s, reporting the bad one at line 1 with its column', (_, breakIt) => {
    const tasks = Array.from({ length: 30 }, (_, i) => task(i));
    tasks[4] = breakIt(tasks[4]!);
    const text = `[${tasks.join(',')}]`;
    expect(() => JSON.parse(text) as unknown).toThrow();
    const { elements, errors } = parseJsonArray(text, 'export.json');
    expect(ids(elements)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 4));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'export.json', line: 1 });
    expect(errors[0]!.message).toContain('element 4');
    expect(errors[0]!.message).toContain(`column ${text.indexOf(tasks[4]!) + 1})`);
  });

  it('recovers when the first element is broken, and after several broken ones', () => {
    const tasks = Array.from({ length: 12 }, (_, i) => task(i));
    for (const i of [0, 5, 6, 10]) tasks[i] = breakings[i % breakings.length]![1](tasks[i]!);
    const text = `[${tasks.join(', ')}]\n`;
    const { elements, errors } = parseJsonArray(text, 'export.json');
    expect(ids(elements)).toEqual([1, 2, 3, 4, 7, 8, 9, 11]);
    // Adjacent broken elements (5 and 6) cannot be told apart: one report at the first one's column.
    expect(errors.map((error) => error.message.match(/\(at column (\d+)\)$/)?.[1])).toEqual([0, 5, 10].map((i) => String(text.indexOf(tasks[i]!) + 1)));
  });

  it('with the first and the last element broken, does not take the objects inside a task for tasks', () => {
    // Found by npm run fuzz: with no element read yet, a result object inside the broken first task
    // was taken for the next element, and the tasks after it were lost.
    for (const breakIt of breakings.map(([, b]) => b)) {
      const tasks = Array.from({ length: 8 }, (_, i) => task(i));
      tasks[0] = breakIt(tasks[0]!);
      tasks[7] = tasks[7]!.slice(0, -1);
      const { elements } = parseJsonArray(`[${tasks.join(',')}]`, 'export.json');
      expect(ids(elements)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('reports a truncated file and keeps the tasks before the cut', () => {
    const text = `[${Array.from({ length: 5 }, (_, i) => task(i)).join(',')}]`;
    const cut = text.slice(0, text.indexOf(task(3)) + 40);
    const { elements, errors } = parseJsonArray(cut, 'export.json');
    expect(ids(elements)).toEqual([0, 1, 2]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.file === 'export.json' && error.line === 1)).toBe(true);
  });

  it('reads a missing comma between two tasks as two tasks, with a message', () => {
    const text = `[${task(0)},${task(1)} ${task(2)}]`;
    const { elements, errors } = parseJsonArray(text, 'export.json');
    expect(ids(elements)).toEqual([0, 1, 2]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('comma is missing after element 1');
  });

  it('stays linear on a hostile file of unclosed objects', () => {
    const text = `[${'{"a":[1,'.repeat(20_000)}`;
    const { elements, errors } = parseJsonArray(text, 'hostile.json');
    expect(elements).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
  }, 10_000);
});
