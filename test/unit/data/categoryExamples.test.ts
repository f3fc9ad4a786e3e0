import { describe, expect, it } from 'vitest';
import type { AnnotatedDocument, TextCategories } from '../../../src/core/data/annotation';
import { categoryExamples, hasCategoryAnnotations } from '../../../src/core/data/categoryExamples';

const NEWS = 'City won the derby 🙂.\n\nParliament passed the budget.\n\nRain all week.';
const NOTE = 'The minister opened the stadium.';

const paragraph = (text: string, words: string, accept: string[], multiLabel = false, options = ['sports', 'politics']): TextCategories => ({
  start: text.indexOf(words),
  end: text.indexOf(words) + words.length,
  scope: 'paragraph',
  options,
  multiLabel,
  accept,
});

function single(): AnnotatedDocument[] {
  return [
    {
      text: NEWS,
      spans: [],
      meta: { path: 'news.txt' },
      // Stored out of order: examples come in document order.
      categories: [
        paragraph(NEWS, 'Parliament passed the budget.', ['politics']),
        paragraph(NEWS, 'City won the derby 🙂.', ['sports']),
        { start: 0, end: NEWS.length, scope: 'document', options: ['news', 'blog'], multiLabel: false, accept: ['news'] },
        paragraph(NEWS, 'Rain all week.', [], false, ['sports']), // a rejected binary decision
      ],
    },
    {
      text: NOTE,
      spans: [],
      meta: { path: 'note.txt' },
      categories: [{ start: NOTE.indexOf('minister'), end: NOTE.indexOf('stadium') + 7, scope: 'selection', options: ['sports', 'politics'], multiLabel: false, accept: ['politics'] }],
    },
    { text: 'no categories here', spans: [{ start: 0, end: 2, label: 'X' }], meta: { path: 'plain.txt' } },
  ];
}

describe('classification examples from text categories', () => {
  it('single-label: one example per decision with one accepted label, its text exactly the slice of the document', () => {
    const documents = single();
    const set = categoryExamples(documents);
    expect(set.problemType).toBe('single_label_classification');
    expect(set.examples.map((e) => [e.text, e.label, e.labels])).toEqual([
      ['City won the derby 🙂.', 'sports', ['sports']],
      [NEWS, 'news', ['news']], // [0, end) sorts after [0, 22)
      ['Parliament passed the budget.', 'politics', ['politics']],
      ['minister opened the stadium', 'politics', ['politics']],
    ]);
    // Every text is the document's own slice (UTF-16 offsets), not a copy made some other way.
    for (const example of set.examples) {
      const [, file, start, end] = /^(.*) \[(\d+), (\d+)\)$/.exec(example.source)!;
      const document = documents.find((d) => d.meta.path === file)!;
      expect(example.text).toBe(document.text.slice(Number(start), Number(end)));
    }
    expect(set.examples.map((e) => e.line)).toEqual([1, 2, 3, 4]);
    expect(set.skipped).toHaveLength(1);
    expect(set.skipped[0]).toContain(`news.txt [${NEWS.indexOf('Rain')}, ${NEWS.length})`);
    expect(set.skipped[0]).toContain('no label accepted');
    expect(set.labels).toEqual(['sports', 'politics', 'news', 'blog']);
  });

  it('units: documents only, or paragraphs and selections only', () => {
    const documents = single();
    expect(categoryExamples(documents, { unit: 'document' }).examples.map((e) => e.text)).toEqual([NEWS]);
    expect(categoryExamples(documents, { unit: 'paragraph' }).examples.map((e) => e.text)).toEqual(['City won the derby 🙂.', 'Parliament passed the budget.', 'minister opened the stadium']);
  });

  it('multi-label as soon as one decision is: every decision an example, none accepted kept as an empty label set', () => {
    const text = 'Stadium tax vote.\n\nFinal score 2-1.\n\nNothing here.';
    const documents: AnnotatedDocument[] = [
      {
        text,
        spans: [],
        meta: { path: 'multi.txt' },
        categories: [
          paragraph(text, 'Stadium tax vote.', ['sports', 'politics'], true),
          paragraph(text, 'Final score 2-1.', ['sports'], true),
          paragraph(text, 'Nothing here.', [], true),
        ],
      },
    ];
    const set = categoryExamples(documents);
    expect(set.problemType).toBe('multi_label_classification');
    expect(set.examples.map((e) => [e.text, e.labels])).toEqual([
      ['Stadium tax vote.', ['sports', 'politics']],
      ['Final score 2-1.', ['sports']],
      ['Nothing here.', []],
    ]);
    expect(set.examples[0]!.label).toBe('sports, politics');
    expect(set.skipped).toEqual([]);
  });

  it('a label holding a comma stays one label in the multi-label list', () => {
    const text = 'Arts, culture and film.';
    const set = categoryExamples([{ text, spans: [], meta: { path: 'a.txt' }, categories: [{ start: 0, end: text.length, scope: 'document', options: ['arts, culture', 'film'], multiLabel: true, accept: ['arts, culture', 'film'] }] }]);
    expect(set.examples[0]!.labels).toEqual(['arts, culture', 'film']);
  });

  it('skips a decision over white space only, and says which', () => {
    const text = 'Hello.\n\n   ';
    const set = categoryExamples([{ text, spans: [], meta: { path: 'w.txt' }, categories: [{ start: 7, end: text.length, scope: 'selection', options: ['x'], multiLabel: false, accept: ['x'] }] }]);
    expect(set.examples).toEqual([]);
    expect(set.skipped).toEqual([`w.txt [7, ${text.length}): the selection has no text`]);
  });

  it('hasCategoryAnnotations: true only when some document holds a decision', () => {
    expect(hasCategoryAnnotations(single())).toBe(true);
    expect(hasCategoryAnnotations([{ text: 'a', spans: [{ start: 0, end: 1, label: 'X' }], meta: { path: 'a' } }])).toBe(false);
    expect(hasCategoryAnnotations([{ text: 'a', spans: [], meta: { path: 'a' }, categories: [] }])).toBe(false);
  });
});
