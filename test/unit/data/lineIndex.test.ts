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
