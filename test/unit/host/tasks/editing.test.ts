// Pure host logic that decides what text goes to a model and what edit comes back.
import { describe, expect, it } from 'vitest';
import { continuationPrompt, insertedText, MAX_PROMPT_CHARS, streamEdit } from '../../../../src/host/tasks/generation/continuation';
import { fillMaskPickItems, fillMaskTarget, maskReplacement } from '../../../../src/host/tasks/fillMask/maskEdits';
import { paragraphAround, parseChoices } from '../../../../src/host/tasks/multipleChoice/choices';
import { sentenceAfter, sentenceAt, sentencePair } from '../../../../src/host/tasks/nsp/sentencePair';

const apply = (text: string, edit: { start: number; end: number; text: string }) => text.slice(0, edit.start) + edit.text + text.slice(edit.end);

describe('fill-mask', () => {
  const text = 'First line\r\nThe cat 🙂 [MASK] on the mat.\r\nLast';

  it('takes the selection, else the whole line of the cursor (CRLF, emoji)', () => {
    const cursor = text.indexOf('on the');
    expect(fillMaskTarget(text, { start: cursor, end: cursor }, cursor)).toEqual({ offset: 12, text: 'The cat 🙂 [MASK] on the mat.' });
    expect(fillMaskTarget(text, { start: 0, end: 0 }, 0)).toEqual({ offset: 0, text: 'First line' });
    expect(fillMaskTarget(text, { start: text.length, end: text.length }, text.length)).toEqual({ offset: text.length - 4, text: 'Last' });
    expect(fillMaskTarget(text, { start: 20, end: 5 }, 5)).toEqual({ offset: 5, text: text.slice(5, 20) });
  });

  it('replaces the mask with the token; a piece that continues a word joins the word before it', () => {
    const mask = { start: text.indexOf('[MASK]'), end: text.indexOf('[MASK]') + 6 };
    expect(apply(text, maskReplacement(text, mask, { startsWord: true, text: 'sat' }))).toBe('First line\r\nThe cat 🙂 sat on the mat.\r\nLast');
    const word = 'They were play [MASK] outside';
    const wordMask = { start: word.indexOf('['), end: word.indexOf('[') + 6 };
    expect(apply(word, maskReplacement(word, wordMask, { startsWord: false, text: 'ing' }))).toBe('They were playing outside');
    // At a line start there is no word to join: only the ## goes.
    const lineStart = 'a\n  [MASK] b';
    expect(apply(lineStart, maskReplacement(lineStart, { start: 4, end: 10 }, { startsWord: false, text: 's' }))).toBe('a\n  s b');
    expect(apply('[MASK]', maskReplacement('[MASK]', { start: 0, end: 6 }, { startsWord: true, text: '##' }))).toBe('##');
  });

  it('quick-pick rows: candidates with score and sentence; a separator per mask when there are several', () => {
    const p = (token_str: string, score: number) => ({ score, token: 1, token_str, sequence: `s ${token_str}` });
    const single = fillMaskPickItems([[p('sat', 0.5), p('lay', 0.25)]], '[MASK]');
    expect(single).toEqual([
      { label: 'sat', description: '0.500  █████░░░░░', detail: 's sat', mask: 0, prediction: 0 },
      { label: 'lay', description: '0.250  ███░░░░░░░', detail: 's lay', mask: 0, prediction: 1 },
    ]);
    const two = fillMaskPickItems([[p('a', 0.9)], [p('b', 0.8)]], '<mask>');
    expect(two.map((i) => [i.label, i.separator ?? false, i.mask, i.prediction])).toEqual([
      ['<mask> 1 of 2', true, 0, -1], ['a', false, 0, 0], ['<mask> 2 of 2', true, 1, -1], ['b', false, 1, 0],
    ]);
  });
});

describe('next-sentence pairs from selections', () => {
  const text = 'Paris is in France. It has a river!  "Is it big?" Yes.\n\nHeading without stop\nNext paragraph here.';
  const spanOf = (s: string) => ({ start: text.indexOf(s), end: text.indexOf(s) + s.length });

  it('two selections: A is the first in the document, B the second; a third is ignored with a note', () => {
    const pair = sentencePair(text, [spanOf('Yes.'), spanOf('Paris is in France.')], 0);
    expect(pair).toMatchObject({ a: { text: 'Paris is in France.' }, b: { text: 'Yes.' } });
    expect(pair).not.toHaveProperty('note');
    const three = sentencePair(text, [spanOf('Yes.'), spanOf('Paris'), spanOf('river')], 0);
    expect(three).toMatchObject({ a: { text: 'Paris' }, b: { text: 'river' }, note: '3 selections: the first two are used' });
  });

  it('one selection: B is the sentence after it (quotes, !, ? and blank lines end sentences)', () => {
    expect(sentencePair(text, [spanOf('Paris is in France.')], 0)).toMatchObject({ b: { text: 'It has a river!' } });
    expect(sentencePair(text, [spanOf('It has a river!')], 0)).toMatchObject({ b: { text: '"Is it big?"' } });
    expect(sentencePair(text, [spanOf('Yes.')], 0)).toMatchObject({ b: { text: 'Heading without stop\nNext paragraph here.' } });
    // Whitespace-only selections do not count.
    expect(sentencePair(text, [spanOf('  '), spanOf('Yes.')], 0)).toMatchObject({ a: { text: 'Yes.' } });
  });

  it('no selection: the sentence at the cursor and the next; offsets cover the text', () => {
    const pair = sentencePair(text, [{ start: 25, end: 25 }], 25);
    expect(pair).toMatchObject({ a: { text: 'It has a river!' }, b: { text: '"Is it big?"' } });
    if ('a' in pair) expect(text.slice(pair.b.start, pair.b.end)).toBe(pair.b.text);
    expect(sentenceAt(text, text.indexOf('France.') + 7)?.text).toBe('Paris is in France.');
    expect(sentenceAt(text, text.indexOf('Heading') + 2)?.text).toBe('Heading without stop\nNext paragraph here.');
    expect(sentenceAfter(text, text.length)).toBeUndefined();
    // A caret at the start of a paragraph, or right after a full stop.
    const paragraphs = 'The cat sat.\n\nParis is big. It rains.';
    expect(sentenceAt(paragraphs, paragraphs.indexOf('Paris'))?.text).toBe('Paris is big.');
    expect(sentenceAt(paragraphs, paragraphs.indexOf('sat.') + 4)?.text).toBe('The cat sat.');
    expect(sentenceAt(paragraphs, paragraphs.indexOf('It'))?.text).toBe('It rains.');
    expect(sentencePair(paragraphs, [], paragraphs.indexOf('Paris'))).toMatchObject({ a: { text: 'Paris is big.' }, b: { text: 'It rains.' } });
  });

  it('nothing after: a message that says what to select', () => {
    expect(sentencePair(text, [spanOf('Next paragraph here.')], 0)).toEqual({ error: 'no sentence follows the selection: select sentence B as a second selection (Alt+click)' });
    expect(sentencePair('', [], 0)).toHaveProperty('error');
    expect(sentencePair('Only one.', [], 3)).toEqual({ error: 'no sentence follows the sentence at the cursor: select sentence B as a second selection (Alt+click)' });
  });
});

describe('Continue Text', () => {
  it('the prompt is the selection (inserted after it) or the text before the cursor', () => {
    const text = 'Hello world. More text';
    expect(continuationPrompt(text, { start: 6, end: 11 }, 11)).toEqual({ prompt: 'world', insertAt: 11 });
    expect(continuationPrompt(text, { start: 12, end: 12 }, 12)).toEqual({ prompt: 'Hello world.', insertAt: 12 });
    const long = `${'abc '.repeat(2000)}end`;
    const { prompt } = continuationPrompt(long, { start: long.length, end: long.length }, long.length);
    expect(prompt.length).toBeLessThanOrEqual(MAX_PROMPT_CHARS);
    expect(prompt.startsWith('abc ')).toBe(true);
    expect(prompt.endsWith('end')).toBe(true);
  });

  it('drops the leading space after whitespace or at the start', () => {
    expect(insertedText(' the harbour', 'd')).toBe(' the harbour');
    expect(insertedText(' the harbour', ' ')).toBe('the harbour');
    expect(insertedText(' the harbour', '\n')).toBe('the harbour');
    expect(insertedText(' the', undefined)).toBe('the');
    expect(insertedText('ing more', 'y')).toBe('ing more');
  });

  it('streaming edits turn each shown text into the next (including rewrites of earlier characters)', () => {
    const steps = ['', ' the', ' the harbour', ' the harbour ,', ' the harbour,', ' the harbour, 🙂', ' the harbour, 🙂 ok'];
    let shown = '';
    for (const next of steps) {
      const edit = streamEdit(shown, next);
      shown = shown.slice(0, edit.keep) + edit.insert + shown.slice(edit.keep + edit.remove);
      expect(shown).toBe(next);
    }
    expect(streamEdit(' the harbour ,', ' the harbour,')).toEqual({ keep: 12, remove: 2, insert: ',' });
    // A changed low surrogate never leaves half a pair behind.
    expect(streamEdit('a\uD83D\uDE42', 'a\uD83D\uDE00')).toEqual({ keep: 1, remove: 2, insert: '\uD83D\uDE00' });
  });
});

describe('multiple choice: prompt and choices from the selection', () => {
  it('first non-blank line is the prompt, the others are choices without their list markers', () => {
    const text = '\r\nWhere is the Louvre?\r\n- in Paris\r\n  b) on the moon 🙂\r\n\r\n3. under the sea\r\n(D) nowhere\r\nplain line\r\n';
    const parsed = parseChoices(text, 100);
    if ('error' in parsed) throw new Error(parsed.error);
    expect(parsed.prompt.text).toBe('Where is the Louvre?');
    expect(parsed.choices.map((c) => c.text)).toEqual(['in Paris', 'on the moon 🙂', 'under the sea', 'nowhere', 'plain line']);
    for (const span of [parsed.prompt, ...parsed.choices]) expect(text.slice(span.start - 100, span.end - 100)).toBe(span.text);
  });

  it('a line that is only a marker stays a choice; fewer than two choices is an error', () => {
    const parsed = parseChoices('Q?\n-\n- x');
    expect('choices' in parsed && parsed.choices.map((c) => c.text)).toEqual(['-', 'x']);
    expect(parseChoices('Q?\n- only one')).toEqual({ error: 'multiple choice needs a prompt line followed by at least two choice lines; found 1 choice line' });
    expect(parseChoices('Q?')).toEqual({ error: 'multiple choice needs a prompt line followed by at least two choice lines; found 0 choice lines' });
    expect(parseChoices(' \n\t\n')).toHaveProperty('error');
  });

  it('without a selection, the paragraph around the cursor', () => {
    const text = 'intro\n\nQ?\nA\nB\n\n  \nlater';
    const q = text.indexOf('Q?');
    expect(paragraphAround(text, q + 1)).toEqual({ start: q, end: text.indexOf('B') + 1 });
    expect(paragraphAround(text, 2)).toEqual({ start: 0, end: 5 });
    expect(paragraphAround(text, text.length)).toEqual({ start: text.indexOf('later'), end: text.length });
  });
});
