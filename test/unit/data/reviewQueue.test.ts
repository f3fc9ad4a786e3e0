import { describe, expect, it } from 'vitest';
import { reviewKey } from '../../../src/core/data/reviewKey';
import { CLOSED_RANGE, ReviewQueue, type ReviewCandidate } from '../../../src/core/data/reviewQueue';
import { applyChanges, mapSpanThroughChanges, type TextChange } from '../../../src/host/ner/textChanges';

const TEXT = 'Chief executive Marieke van Dalen met\nNoordzee Terminals in Rotterdam on Tuesday.\n';

function candidate(text: string, label: string, score: number, from = 0): ReviewCandidate {
  const start = TEXT.indexOf(text, from);
  if (start < 0) throw new Error(`no "${text}"`);
  return { start, end: start + text.length, label, score, text };
}

const CANDIDATES = [
  candidate('Rotterdam', 'LOC', 0.97),
  candidate('Chief', 'PER', 0.41),
  candidate('Marieke van Dalen', 'PER', 0.88),
  candidate('Noordzee Terminals', 'ORG', 0.63),
  candidate('Tuesday', 'O', 0.99),
];

function build(options: { threshold?: number; rejected?: Set<string>; annotations?: Array<{ start: number; end: number; label: string }> } = {}): ReviewQueue {
  return ReviewQueue.build({
    text: TEXT,
    candidates: CANDIDATES,
    annotations: options.annotations ?? [],
    threshold: options.threshold ?? 0.5,
    isRejected: (key) => options.rejected?.has(key) ?? false,
  });
}

const texts = (queue: ReviewQueue): string[] => queue.items.map((item) => item.text);

describe('the review queue', () => {
  it('proposes only predictions at or above the threshold, in document order, and says what it left out', () => {
    const queue = build();
    expect(texts(queue)).toEqual(['Marieke van Dalen', 'Noordzee Terminals', 'Rotterdam']);
    expect(queue.leftOut).toEqual({ belowThreshold: 1, rejectedBefore: 0, annotated: 0, overlapping: 0, invalid: 1 });
    expect(texts(build({ threshold: 0.4 }))).toEqual(['Chief', 'Marieke van Dalen', 'Noordzee Terminals', 'Rotterdam']);
    // The threshold is inclusive; 0.63 < 0.64.
    expect(texts(build({ threshold: 0.63 }))).toEqual(['Marieke van Dalen', 'Noordzee Terminals', 'Rotterdam']);
    expect(texts(build({ threshold: 0.64 }))).toEqual(['Marieke van Dalen', 'Rotterdam']);
    expect(build({ threshold: 1 }).total).toBe(0);
  });

  it('leaves out what is annotated already, what overlaps an annotation, and what was rejected before', () => {
    const marieke = CANDIDATES[2]!;
    const rotterdam = CANDIDATES[0]!;
    const queue = build({
      annotations: [
        { start: marieke.start, end: marieke.end, label: 'PER' },
        { start: rotterdam.start, end: rotterdam.start + 3, label: 'LOC' },
      ],
      rejected: new Set([reviewKey(TEXT, CANDIDATES[3]!.start, CANDIDATES[3]!.end, 'ORG')]),
    });
    expect(texts(queue)).toEqual([]);
    expect(queue.leftOut).toMatchObject({ annotated: 1, overlapping: 1, rejectedBefore: 1 });
    // The same range with another label is an overlap (the person's label wins), not a duplicate.
    expect(build({ annotations: [{ start: marieke.start, end: marieke.end, label: 'ORG' }] }).leftOut).toMatchObject({ annotated: 0, overlapping: 1 });
  });

  it('steps with next and previous, stopping at both ends', () => {
    const queue = build();
    expect(queue.current()?.text).toBe('Marieke van Dalen');
    expect(queue.previous()?.text).toBe('Marieke van Dalen');
    expect(queue.next()?.text).toBe('Noordzee Terminals');
    expect(queue.next()?.text).toBe('Rotterdam');
    expect(queue.next()?.text).toBe('Rotterdam');
    expect(queue.previous()?.text).toBe('Noordzee Terminals');
  });

  it('accepts, rejects, relabels and skips, counting accepted and rejected as reviewed', () => {
    const queue = build({ threshold: 0.4 });
    expect(queue.progress()).toBe('0 / 4 reviewed');
    const rejected = queue.reject()!;
    expect([rejected.item.text, rejected.item.decision, rejected.before.decision]).toEqual(['Chief', 'rejected', undefined]);
    expect(queue.current()?.text).toBe('Marieke van Dalen');
    expect(queue.accept()!.item).toMatchObject({ text: 'Marieke van Dalen', decision: 'accepted', label: 'PER' });
    expect(queue.skip()!.item).toMatchObject({ text: 'Noordzee Terminals', decision: 'skipped' });
    expect(queue.progress()).toBe('2 / 4 reviewed');
    const relabelled = queue.acceptAs('GPE')!;
    expect(relabelled.item).toMatchObject({ text: 'Rotterdam', decision: 'accepted', label: 'GPE', proposedLabel: 'LOC' });
    // Nothing undecided is left: the cursor comes back to the skipped one.
    expect(queue.current()?.text).toBe('Noordzee Terminals');
    expect(queue.done).toBe(false);
    expect(queue.accept()!.item.label).toBe('ORG');
    expect(queue.progress()).toBe('4 / 4 reviewed');
    expect(queue.done).toBe(true);
    expect(() => queue.acceptAs('bad\tlabel')).toThrow(/tab/);
  });

  it('lets a decision be changed, reporting the earlier one', () => {
    const queue = build();
    queue.accept();
    queue.previous();
    const step = queue.reject()!;
    expect(step.before).toEqual({ decision: 'accepted', label: 'PER' });
    expect(step.item).toMatchObject({ decision: 'rejected', label: 'PER' });
    queue.previous();
    queue.previous();
    const relabelled = queue.acceptAs('ORG')!;
    expect(relabelled.before).toEqual({ decision: 'rejected', label: 'PER' });
    // A reject after a change of label goes back to the model's label (what the key is made of).
    queue.previous();
    expect(queue.current()?.text).toBe('Marieke van Dalen');
    expect(queue.reject()!.item.label).toBe('PER');
    expect(queue.reviewed).toBe(1);
  });

  it('follows edits: items move with their text, an edited one leaves, the cursor stays on its item', () => {
    let text = TEXT;
    const queue = build();
    queue.next();
    const edit = (change: TextChange): void => {
      text = applyChanges(text, [change]);
      queue.moveItems((span) => mapSpanThroughChanges(span, [change]), text);
    };
    edit({ rangeOffset: 0, rangeLength: 0, text: 'The ' });
    expect(queue.items.map((item) => text.slice(item.start, item.end))).toEqual(['Marieke van Dalen', 'Noordzee Terminals', 'Rotterdam']);
    expect(queue.current()?.text).toBe('Noordzee Terminals');
    const noordzee = text.indexOf('Noordzee');
    edit({ rangeOffset: noordzee, rangeLength: 8, text: 'Nordsee' });
    expect(texts(queue)).toEqual(['Marieke van Dalen', 'Rotterdam']);
    expect(queue.current()?.text).toBe('Rotterdam');
    const rotterdam = queue.items[1]!;
    expect(rotterdam.key).toBe(reviewKey(text, rotterdam.start, rotterdam.end, 'LOC'));
  });
});

describe('the key of a rejected prediction', () => {
  const start = TEXT.indexOf('Rotterdam');
  const key = reviewKey(TEXT, start, start + 9, 'LOC');

  it('survives edits on other lines, and is the same with CRLF line ends', () => {
    const edited = `A new first line.\n${TEXT.replace('met', 'spoke with')}`;
    const moved = edited.indexOf('Rotterdam');
    // "met" is on the first line, Rotterdam on the second.
    expect(reviewKey(edited, moved, moved + 9, 'LOC')).toBe(key);
    const crlf = TEXT.replace(/\n/g, '\r\n');
    const at = crlf.indexOf('Rotterdam');
    expect(reviewKey(crlf, at, at + 9, 'LOC')).toBe(key);
  });

  it('changes with the label, the offsets and an edit of its own line', () => {
    expect(reviewKey(TEXT, start, start + 9, 'ORG')).not.toBe(key);
    expect(reviewKey(TEXT, start, start + 8, 'LOC')).not.toBe(key);
    const edited = TEXT.replace('on Tuesday', 'on Monday');
    expect(reviewKey(edited, start, start + 9, 'LOC')).not.toBe(key);
  });

  it('handles spans at the very start and end of the text', () => {
    expect(reviewKey('Paris', 0, 5, 'LOC')).toBe(reviewKey('x\nParis', 2, 7, 'LOC'));
    expect(reviewKey('Paris', 0, 5, 'LOC')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('several labels per range (multi-label categories)', () => {
  const line = 'Noordzee Terminals in Rotterdam on Tuesday.';
  const start = TEXT.indexOf(line);
  const range = { start, end: start + line.length };
  const multi = (label: string, score: number): ReviewCandidate => ({ ...range, label, score, text: line });
  const candidates = [multi('shipping', 0.9), multi('business', 0.7), multi('sports', 0.2), multi('shipping', 0.8)];
  const buildSeveral = (annotations: Array<{ start: number; end: number; label: string }> = [], several = true): ReviewQueue =>
    ReviewQueue.build({ text: TEXT, candidates, annotations, threshold: 0.5, isRejected: () => false, ...(several ? { severalLabelsPerRange: true } : {}) });

  it('makes each label of a range its own item (in candidate order); the same label twice is one', () => {
    const queue = buildSeveral();
    expect(queue.items.map((item) => item.label)).toEqual(['shipping', 'business']);
    expect(new Set(queue.items.map((item) => item.key)).size).toBe(2);
    expect(queue.leftOut).toMatchObject({ belowThreshold: 1, overlapping: 1 });
    expect(queue.progress()).toBe('0 / 2 reviewed');
    // Without the option, the range's first proposal is the only one.
    expect(buildSeveral([], false).items.map((item) => item.label)).toEqual(['shipping']);
  });

  it('proposes beside an annotation of the same range with another label; a marker label or another range closes it', () => {
    const beside = buildSeveral([{ ...range, label: 'shipping' }]);
    expect(beside.items.map((item) => item.label)).toEqual(['business']);
    // Both shipping candidates are the annotation already.
    expect(beside.leftOut).toMatchObject({ annotated: 2, overlapping: 0 });
    expect(buildSeveral([{ ...range, label: CLOSED_RANGE }]).total).toBe(0);
    expect(buildSeveral([{ start: range.start, end: range.start + 8, label: 'ORG' }]).total).toBe(0);
  });
});
