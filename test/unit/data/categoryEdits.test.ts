import { describe, expect, it } from 'vitest';
import type { TextCategories } from '../../../src/core/data/annotation';
import {
  acceptedText,
  badgeAnchor,
  categoryBadges,
  categoryBadgeText,
  categoryLabelSet,
  chooseCategories,
  documentRange,
  paragraphAt,
  selectionRange,
  toggleCategory,
  type CategorySet,
} from '../../../src/core/data/categoryEdits';

// CRLF line ends, an emoji (two UTF-16 units) and a blank line holding spaces: offsets are UTF-16 into this exact text.
const TEXT = 'Match report 🙂\r\nThe home side won.\r\n  \r\n\r\nParliament voted on Friday.\r\n';
const FIRST = TEXT.slice(0, TEXT.indexOf('\r\n  '));
const SECOND_START = TEXT.indexOf('Parliament');
const SECOND_END = TEXT.indexOf('Friday.') + 'Friday.'.length;

const EXCLUSIVE: CategorySet = { labels: ['sports', 'politics'], exclusive: true };
const MULTI: CategorySet = { labels: ['sports', 'politics'], exclusive: false };

describe('the range a command labels', () => {
  it('paragraphAt: the paragraph holding the offset, its edges trimmed; touching its end counts; none in a blank gap', () => {
    expect(paragraphAt(TEXT, 3)).toEqual({ start: 0, end: FIRST.length, scope: 'paragraph' });
    expect(TEXT.slice(0, FIRST.length)).toBe('Match report 🙂\r\nThe home side won.');
    expect(paragraphAt(TEXT, FIRST.length)).toEqual({ start: 0, end: FIRST.length, scope: 'paragraph' }); // caret at its end
    expect(paragraphAt(TEXT, FIRST.length + 3)).toBeUndefined(); // on the blank line of spaces
    expect(paragraphAt(TEXT, SECOND_START + 4)).toEqual({ start: SECOND_START, end: SECOND_END, scope: 'paragraph' });
    expect(paragraphAt(TEXT, TEXT.length)).toBeUndefined(); // after the last paragraph's line end
    expect(paragraphAt('', 0)).toBeUndefined();
  });

  it('selectionRange trims white space at both ends, takes a backwards selection, and refuses white space only', () => {
    const from = TEXT.indexOf('The') - 2; // starts on the \r\n before "The"
    const to = TEXT.indexOf('won.') + 4 + 2;
    expect(selectionRange(TEXT, from, to)).toEqual({ start: TEXT.indexOf('The'), end: TEXT.indexOf('won.') + 4, scope: 'selection' });
    expect(selectionRange(TEXT, to, from)).toEqual(selectionRange(TEXT, from, to));
    expect(selectionRange(TEXT, FIRST.length, SECOND_START)).toBeUndefined();
    expect(selectionRange(TEXT, -5, 1e9)).toEqual({ start: 0, end: SECOND_END, scope: 'selection' });
    expect(documentRange(TEXT)).toEqual({ start: 0, end: TEXT.length, scope: 'document' });
  });
});

describe('category edit logic', () => {
  const range = { start: 0, end: FIRST.length, scope: 'paragraph' as const };

  it('choosing: an exclusive set keeps the first label chosen, a multi-label set every one (without repeats); nothing chosen removes the decision', () => {
    expect(chooseCategories(undefined, range, EXCLUSIVE, ['politics', 'sports'])).toEqual({ ...range, options: ['sports', 'politics'], multiLabel: false, accept: ['politics'] });
    expect(chooseCategories(undefined, range, MULTI, ['politics', 'sports', 'politics'])).toEqual({ ...range, options: ['sports', 'politics'], multiLabel: true, accept: ['politics', 'sports'] });
    expect(chooseCategories(undefined, range, MULTI, [])).toBeUndefined();
    // A new label typed in the quick pick joins the options after the set's.
    expect(chooseCategories(undefined, range, EXCLUSIVE, ['weather'])!.options).toEqual(['sports', 'politics', 'weather']);
  });

  it('choosing keeps the options the decision offered before, in front of the set', () => {
    const earlier: TextCategories = { ...range, options: ['weather', 'sports'], multiLabel: false, accept: ['weather'] };
    expect(chooseCategories(earlier, range, EXCLUSIVE, ['sports'])).toEqual({ ...range, options: ['weather', 'sports', 'politics'], multiLabel: false, accept: ['sports'] });
  });

  it('a key in an exclusive set replaces the accepted label, and the same key again takes it off', () => {
    const sports = toggleCategory(undefined, range, EXCLUSIVE, 'sports');
    expect(sports?.accept).toEqual(['sports']);
    const politics = toggleCategory(sports, range, EXCLUSIVE, 'politics');
    expect(politics?.accept).toEqual(['politics']);
    expect(politics?.multiLabel).toBe(false);
    expect(toggleCategory(politics, range, EXCLUSIVE, 'politics')).toBeUndefined();
  });

  it('a key in a multi-label set toggles its label on and off, keeping the others', () => {
    const one = toggleCategory(undefined, range, MULTI, 'sports');
    const two = toggleCategory(one, range, MULTI, 'politics');
    expect(two?.accept).toEqual(['sports', 'politics']);
    expect(two?.multiLabel).toBe(true);
    const back = toggleCategory(two, range, MULTI, 'sports');
    expect(back?.accept).toEqual(['politics']);
    expect(toggleCategory(back, range, MULTI, 'politics')).toBeUndefined();
  });

  it('the offered label set: configured labels, then those the decisions use, without repeats', () => {
    expect(categoryLabelSet(['sports', 'politics'], ['weather', 'sports', 'arts'])).toEqual(['sports', 'politics', 'weather', 'arts']);
    expect(categoryLabelSet([], [])).toEqual([]);
  });
});

describe('badges', () => {
  const paragraph: TextCategories = { start: 0, end: FIRST.length, scope: 'paragraph', options: ['sports', 'politics'], multiLabel: true, accept: ['sports', 'politics'] };
  const selection: TextCategories = { start: SECOND_START, end: SECOND_START + 10, scope: 'selection', options: ['sports', 'politics'], multiLabel: false, accept: ['politics'] };
  const document: TextCategories = { start: 0, end: TEXT.length, scope: 'document', options: ['news'], multiLabel: false, accept: ['news'] };
  const rejected: TextCategories = { start: SECOND_START, end: SECOND_END, scope: 'paragraph', options: ['sports'], multiLabel: false, accept: [] };

  it('reads the accepted labels, marked by scope; a decision with none accepted names what was rejected', () => {
    expect(categoryBadgeText(paragraph)).toBe('\u25b8 sports, politics');
    expect(categoryBadgeText(selection)).toBe('\u25b8 selection: politics');
    expect(categoryBadgeText(document)).toBe('\u25b8 document: news');
    expect(acceptedText(rejected)).toBe('none of sports');
    expect(categoryBadgeText(rejected)).toBe('\u25b8 none of sports');
  });

  it('sits at the end of the range; the document\'s at the end of the first line (before its \\r\\n)', () => {
    expect(badgeAnchor(TEXT, paragraph)).toBe(FIRST.length);
    expect(badgeAnchor(TEXT, selection)).toBe(SECOND_START + 10);
    expect(badgeAnchor(TEXT, document)).toBe(TEXT.indexOf('\r\n'));
    expect(badgeAnchor('one line', { ...document, end: 8 })).toBe(8);
  });

  it('are listed in document order, two at the same place joined', () => {
    const sameEnd: TextCategories = { ...rejected, start: SECOND_START, end: SECOND_END, scope: 'selection', accept: ['sports'] };
    const badges = categoryBadges(TEXT, [rejected, sameEnd, paragraph, document]);
    expect(badges).toEqual([
      { anchor: TEXT.indexOf('\r\n'), text: '\u25b8 document: news' },
      { anchor: FIRST.length, text: '\u25b8 sports, politics' },
      { anchor: SECOND_END, text: '\u25b8 none of sports  \u25b8 selection: sports' },
    ]);
  });

  it('keep a label that looks like markup as typed (decoration content text is plain)', () => {
    expect(categoryBadgeText({ ...paragraph, accept: ['<b>x</b>'] })).toBe('\u25b8 <b>x</b>');
  });
});
