import { describe, expect, it } from 'vitest';
import { spansToTags, tagsToSpans } from '../../../src/core/data/bioAlignment';
import { BertTokenizer, specFromVocab } from '../../../src/core/runtime/tokenizer/bertTokenizer';

/** Char spans ↔ tags over real WordPiece offsets, as the trainer uses them for documents from the store. */
describe('spans over WordPiece Encoding.offsets', () => {
  const words = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'angela', 'mer', '##kel', 'visited', 'new', 'york', '.', '😀'];
  const tokenizer = new BertTokenizer(specFromVocab(new Map(words.map((w, i) => [w, i]))));
  const text = '😀 Angela Merkel visited New York.';

  it('tags sub-word pieces of an entity and leaves [CLS]/[SEP] as O', () => {
    const encoding = tokenizer.encode(text);
    expect(encoding.tokens).toEqual(['[CLS]', '😀', 'angela', 'mer', '##kel', 'visited', 'new', 'york', '.', '[SEP]']);
    const spans = [
      { start: 3, end: 16, label: 'PER' },
      { start: 25, end: 33, label: 'LOC' },
    ];
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Angela Merkel', 'New York']);
    const { tags, issues } = spansToTags(spans, encoding.offsets, { text });
    expect(issues).toEqual([]);
    expect(tags).toEqual(['O', 'O', 'B-PER', 'I-PER', 'I-PER', 'O', 'B-LOC', 'I-LOC', 'O', 'O']);
    expect(tagsToSpans(tags, encoding.offsets).spans).toEqual(spans);
  });

  it('accepts a span on a piece boundary and reports one inside a piece', () => {
    const encoding = tokenizer.encode(text);
    expect(spansToTags([{ start: 10, end: 13, label: 'PER' }], encoding.offsets).tags[3]).toBe('B-PER');
    const { issues } = spansToTags([{ start: 10, end: 12, label: 'PER' }], encoding.offsets, { text, documentPath: 'n.txt' });
    expect(issues[0]).toMatchObject({ action: 'skipped', documentPath: 'n.txt' });
    expect(issues[0]!.reason).toContain('ends inside token 3 "Mer" [10, 13)');
  });
});
