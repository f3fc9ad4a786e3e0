// Review Classifications without VS Code: paragraph results of a softmax model reviewed with the
// review queue, decisions carried out through the real AnnotationModel and store (a temporary
// folder) as text categories; rejections through .bert-lens/review.json.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReviewRejections } from '../../../../src/core/data/reviewRejections';
import type { ClassificationResult } from '../../../../src/host/annotation/acceptClassifications';
import { AnnotationModel, type OpenDocument } from '../../../../src/host/annotation/annotationModel';
import { categoryReviewCandidates, categoryTarget, type CategoryChoice } from '../../../../src/host/annotation/categoryReview';
import { AnnotationPersistence, type AnnotationReporter } from '../../../../src/host/annotation/persistence';
import { ReviewSession } from '../../../../src/host/annotation/reviewSession';

const TEXT = 'The battery lasts all day.\n\nThe screen cracked in a week.\n\nIt arrived on Tuesday.\n';
const paragraph = (words: string): { start: number; end: number; text: string } => {
  const start = TEXT.indexOf(words);
  return { start, end: start + words.length, text: words };
};
const P1 = paragraph('The battery lasts all day.');
const P2 = paragraph('The screen cracked in a week.');
const P3 = paragraph('It arrived on Tuesday.');

function softmaxResult(): ClassificationResult {
  const scores = (positive: number) => [
    { label: 'POSITIVE', score: positive },
    { label: 'NEGATIVE', score: 1 - positive },
  ];
  return {
    scope: 'paragraphs',
    scoreKind: 'softmax',
    threshold: 0.5,
    labels: ['NEGATIVE', 'POSITIVE'],
    modelDescription: 'test model',
    spans: [
      { ...P1, results: scores(0.9) },
      { ...P2, results: scores(0.2) },
      { ...P3, results: scores(0.55) },
    ],
  };
}

let dir: string;
const reporter: AnnotationReporter = { info: () => undefined, warn: () => undefined };

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-category-review-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

function doc(): OpenDocument {
  return { key: 'file:///ws/reviews.txt', location: { folderDir: dir, path: 'reviews.txt' }, getText: () => TEXT };
}

async function start(model: AnnotationModel, results = [softmaxResult()], threshold = 0.5, set: CategoryChoice = { exclusive: true }): Promise<ReviewSession> {
  const document = doc();
  const { candidates, labels } = categoryReviewCandidates(results, TEXT, set);
  const session = await ReviewSession.start({
    document,
    model,
    rejections: await ReviewRejections.open(dir),
    candidates,
    threshold,
    target: categoryTarget(model, document, results, labels, set),
    labelChoices: labels,
  });
  if (!session) throw new Error('no session');
  return session;
}

/** The stored paragraph decisions: "text → labels". */
async function storedDecisions(): Promise<string[]> {
  let content: string;
  try {
    content = await fs.readFile(path.join(dir, '.bert-lens', 'annotations.jsonl'), 'utf8');
  } catch {
    return [];
  }
  // A document left with no annotation at all leaves the store.
  if (content.trim() === '') return [];
  // Prodigy's textcat shape: "accept" and config.choice_style ("multiple" for a multi-label decision).
  const record = JSON.parse(content.trim().split('\n')[0]!) as { text: string; categories?: Array<{ start: number; end: number; accept: string[]; config?: { choice_style?: string }; scope: string }> };
  return (record.categories ?? []).map((c) => `${c.scope} ${record.text.slice(c.start, c.end)} → ${c.accept.join('+')}${c.config?.choice_style === 'multiple' ? ' (multi)' : ''}`);
}

describe('categoryReviewCandidates', () => {
  it('proposes each paragraph with the best label and its probability; multi-label results (over an exclusive label set) and regression results are left out with a reason', () => {
    const multi: ClassificationResult = { ...softmaxResult(), scoreKind: 'sigmoid' };
    const regression: ClassificationResult = { ...softmaxResult(), scope: 'document', scoreKind: 'none', spans: [{ start: 0, end: TEXT.length, text: TEXT, results: [{ label: 'LABEL_0', score: 3.2 }] }] };
    const { candidates, labels, skipped, otherKind } = categoryReviewCandidates([softmaxResult(), multi, regression], TEXT, { exclusive: true });
    expect(candidates.map((c) => [c.text, c.label, c.score])).toEqual([
      [P1.text, 'POSITIVE', 0.9],
      [P2.text, 'NEGATIVE', 0.8],
      [P3.text, 'POSITIVE', 0.55],
    ]);
    expect(labels).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(skipped).toEqual([
      'the paragraphs result of test model is multi-label (sigmoid scores), but the text categories are exclusive (bertLens.annotation.categories.exclusive is true)',
      'the document result of test model is a regression score',
    ]);
    expect(otherKind).toBe(1);
  });
});

describe('Review Classifications through the model and the store', () => {
  it('accept, reject and change label become exclusive paragraph categories and a remembered rejection', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    const session = await start(model);
    expect(session.queue.total).toBe(3);
    expect(session.current()?.text).toBe(P1.text);
    await session.accept();
    await session.reject();
    expect(session.current()?.text).toBe(P3.text);
    await session.acceptAs('NEGATIVE');
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → POSITIVE`, `paragraph ${P3.text} → NEGATIVE`]);
    const review = JSON.parse(await fs.readFile(path.join(dir, '.bert-lens', 'review.json'), 'utf8')) as { rejected: Array<{ label: string; text: string }> };
    expect(review.rejected.map(({ label, text }) => [label, text])).toEqual([['NEGATIVE', P2.text]]);
    expect(session.queue.done).toBe(true);
    await model.flush();
    persistence.dispose();
  });

  it('changing a decision takes the earlier category back; a new review proposes neither decided nor rejected paragraphs', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    const session = await start(model);
    await session.accept(); // P1 POSITIVE
    session.previous();
    await session.reject(); // P1 rejected instead: its category goes
    await session.accept(); // P2 NEGATIVE
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P2.text} → NEGATIVE`]);
    const again = await start(model);
    expect(again.queue.items.map((item) => item.text)).toEqual([P3.text]);
    expect(again.queue.leftOut).toMatchObject({ rejectedBefore: 1, annotated: 1 });
    // The threshold applies to the best label's probability.
    const strict = await start(model, [softmaxResult()], 0.6);
    expect(strict.queue.total).toBe(0);
    expect(strict.queue.leftOut.belowThreshold).toBe(1);
    await model.flush();
    persistence.dispose();
  });

  it('never proposes over a paragraph the person categorized with another label', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    await model.open(doc());
    await model.ready(doc().key);
    await model.setCategories(doc().key, { start: P1.start, end: P1.end, scope: 'paragraph' }, { start: P1.start, end: P1.end, scope: 'paragraph', options: ['NEGATIVE', 'POSITIVE'], multiLabel: false, accept: ['NEGATIVE'] });
    const session = await start(model);
    expect(session.queue.items.map((item) => item.text)).toEqual([P2.text, P3.text]);
    expect(session.queue.leftOut.overlapping).toBe(1);
    await model.flush();
    persistence.dispose();
  });
});

// A multi-label (sigmoid) model over a multi-label label set: each (paragraph, label) is an item.
const MULTI_LABELS = ['sports', 'politics', 'science', 'arts'];
const MULTI: CategoryChoice = { exclusive: false };

function sigmoidResult(): ClassificationResult {
  const scores = (values: number[]) => MULTI_LABELS.map((label, i) => ({ label, score: values[i]! }));
  return {
    scope: 'paragraphs',
    scoreKind: 'sigmoid',
    // The classification setting's threshold: the review reads its own (bertLens.annotation.reviewThreshold).
    threshold: 0.5,
    labels: [...MULTI_LABELS],
    modelDescription: 'multi model',
    spans: [
      { ...P1, results: scores([0.6, 0.9, 0.1, 0.3]) },
      { ...P2, results: scores([0.2, 0.3, 0.7, 0.05]) },
      { ...P3, results: scores([0.25, 0.1, 0.05, 0.45]) },
    ],
  };
}

const itemsOf = (session: ReviewSession): string[] => session.queue.items.map((item) => `${item.text} ${item.label} ${item.score}`);

async function review(model: AnnotationModel, threshold = 0.5): Promise<ReviewSession> {
  return start(model, [sigmoidResult()], threshold, MULTI);
}

describe('Review Classifications of a multi-label model', () => {
  it('proposes every label of a paragraph at or above the review threshold, best first, with its sigmoid score', async () => {
    const { candidates, labels, skipped } = categoryReviewCandidates([sigmoidResult()], TEXT, MULTI);
    expect(skipped).toEqual([]);
    expect(labels).toEqual(MULTI_LABELS);
    expect(candidates).toHaveLength(12);
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    const session = await review(model);
    expect(itemsOf(session)).toEqual([`${P1.text} politics 0.9`, `${P1.text} sports 0.6`, `${P2.text} science 0.7`]);
    expect(session.queue.leftOut.belowThreshold).toBe(9);
    expect(session.queue.progress()).toBe('0 / 3 reviewed');
    // Inclusive threshold: 0.45 passes at 0.45; 0.7 keeps two.
    expect(itemsOf(await review(model, 0.45))).toEqual([`${P1.text} politics 0.9`, `${P1.text} sports 0.6`, `${P2.text} science 0.7`, `${P3.text} arts 0.45`]);
    expect(itemsOf(await review(model, 0.7))).toEqual([`${P1.text} politics 0.9`, `${P2.text} science 0.7`]);
    await model.flush();
    persistence.dispose();
  });

  it('an accept adds the label to the paragraph’s multi-label decision, keeping the labels accepted there', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    await model.open(doc());
    await model.ready(doc().key);
    // The person's decision: arts applies to the first paragraph.
    await model.setCategories(doc().key, { start: P1.start, end: P1.end, scope: 'paragraph' }, { start: P1.start, end: P1.end, scope: 'paragraph', options: ['arts'], multiLabel: true, accept: ['arts'] });
    const session = await review(model, 0.3);
    // arts on P1 (0.3) is the person's already.
    expect(itemsOf(session)).toEqual([`${P1.text} politics 0.9`, `${P1.text} sports 0.6`, `${P2.text} science 0.7`, `${P2.text} politics 0.3`, `${P3.text} arts 0.45`]);
    expect(session.queue.leftOut.annotated).toBe(1);
    await session.accept();
    await session.accept();
    expect(session.queue.progress()).toBe('2 / 5 reviewed');
    await session.skip();
    expect(session.queue.progress()).toBe('2 / 5 reviewed');
    await session.accept();
    await session.reject();
    expect(session.queue.progress()).toBe('4 / 5 reviewed');
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → arts+politics+sports (multi)`, `paragraph ${P2.text} → politics (multi)`]);
    const stored = model.categories(doc().key)!.find((c) => c.start === P1.start)!;
    // Options: the person's, then the model's labels.
    expect(stored.options).toEqual(['arts', 'sports', 'politics', 'science']);
    // Back to the skipped one.
    expect(session.current()?.label).toBe('science');
    expect(session.current()?.text).toBe(P2.text);
    expect(session.queue.done).toBe(false);
    await model.flush();
    persistence.dispose();
  });

  it('a reject is remembered for that paragraph and label only, and not proposed again when the review is opened again', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    const session = await review(model);
    await session.accept(); // P1 politics
    await session.reject(); // P1 sports
    await model.flush();
    const review1 = JSON.parse(await fs.readFile(path.join(dir, '.bert-lens', 'review.json'), 'utf8')) as { rejected: Array<{ label: string; text: string }> };
    expect(review1.rejected.map(({ label, text }) => [label, text])).toEqual([['sports', P1.text]]);
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → politics (multi)`]);
    // Opened again (a fresh rejection store read from the file): only P2 science is left.
    const again = await review(model);
    expect(itemsOf(again)).toEqual([`${P2.text} science 0.7`]);
    expect(again.queue.leftOut).toMatchObject({ rejectedBefore: 1, annotated: 1 });
    // Taking the reject back forgets it.
    session.previous();
    await session.accept();
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → politics+sports (multi)`]);
    const review2 = JSON.parse(await fs.readFile(path.join(dir, '.bert-lens', 'review.json'), 'utf8')) as { rejected: unknown[] };
    expect(review2.rejected).toEqual([]);
    await model.flush();
    persistence.dispose();
  });

  it('change label adds another of the labels; changing a decision takes back only its own label', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    const session = await review(model);
    expect(session.labelChoices).toEqual(MULTI_LABELS);
    await session.accept(); // P1 politics
    await session.acceptAs('arts'); // P1 sports → arts
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → politics+arts (multi)`]);
    expect(session.queue.items[1]).toMatchObject({ proposedLabel: 'sports', label: 'arts', decision: 'accepted' });
    // P1 politics rejected after all: arts stays.
    session.previous();
    session.previous();
    await session.reject();
    await model.flush();
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → arts (multi)`]);
    // The second item changed to politics too, then the first item accepted again: both hold politics;
    // rejecting one of them keeps politics (the other item's accept).
    session.previous();
    await session.acceptAs('politics'); // item 1: sports → politics (arts goes)
    session.previous();
    session.previous();
    await session.accept(); // item 0: politics; the cursor goes on to the undecided P2 item
    session.previous();
    await session.reject(); // item 1 rejected: politics stays, item 0 holds it
    await model.flush();
    expect(session.queue.items.map((item) => item.decision)).toEqual(['accepted', 'rejected', undefined]);
    expect(await storedDecisions()).toEqual([`paragraph ${P1.text} → politics (multi)`]);
    // The last label taken back removes the decision (no category is the absence of one).
    session.previous();
    session.previous();
    await session.reject();
    await model.flush();
    expect(await storedDecisions()).toEqual([]);
    await model.flush();
    persistence.dispose();
  });

  it('never proposes over an exclusive decision or one saying no label applies; an exclusive decision made meanwhile is not overwritten', async () => {
    const persistence = new AnnotationPersistence(reporter, 0);
    const model = new AnnotationModel(persistence, reporter);
    await model.open(doc());
    await model.ready(doc().key);
    await model.setCategories(doc().key, { start: P1.start, end: P1.end, scope: 'paragraph' }, { start: P1.start, end: P1.end, scope: 'paragraph', options: MULTI_LABELS, multiLabel: false, accept: ['arts'] });
    await model.setCategories(doc().key, { start: P2.start, end: P2.end, scope: 'paragraph' }, { start: P2.start, end: P2.end, scope: 'paragraph', options: MULTI_LABELS, multiLabel: true, accept: [] });
    expect((await review(model)).queue.total).toBe(0);
    await model.setCategories(doc().key, { start: P1.start, end: P1.end, scope: 'paragraph' }, undefined);
    const session = await review(model);
    expect(itemsOf(session)).toEqual([`${P1.text} politics 0.9`, `${P1.text} sports 0.6`]);
    await model.setCategories(doc().key, { start: P1.start, end: P1.end, scope: 'paragraph' }, { start: P1.start, end: P1.end, scope: 'paragraph', options: MULTI_LABELS, multiLabel: false, accept: ['arts'] });
    await expect(session.accept()).rejects.toThrow(/has an exclusive decision \(arts\) now; politics was not added/);
    await model.flush();
    persistence.dispose();
  });

  it('a model of the other kind than the label set is left out with a message saying which setting decides', () => {
    const multiOverExclusive = categoryReviewCandidates([sigmoidResult()], TEXT, { exclusive: true });
    expect(multiOverExclusive.candidates).toEqual([]);
    expect(multiOverExclusive.otherKind).toBe(1);
    expect(multiOverExclusive.skipped).toEqual(['the paragraphs result of multi model is multi-label (sigmoid scores), but the text categories are exclusive (bertLens.annotation.categories.exclusive is true)']);
    const singleOverMulti = categoryReviewCandidates([softmaxResult()], TEXT, MULTI);
    expect(singleOverMulti.candidates).toEqual([]);
    expect(singleOverMulti.otherKind).toBe(1);
    expect(singleOverMulti.skipped).toEqual(['the paragraphs result of test model is single-label (softmax scores), but the text categories are multi-label (bertLens.annotation.categories.exclusive is false)']);
    // Mixed: the results of the set's kind are reviewed, the others named.
    const mixed = categoryReviewCandidates([softmaxResult(), sigmoidResult()], TEXT, MULTI);
    expect(mixed.candidates).toHaveLength(12);
    expect(mixed.labels).toEqual(MULTI_LABELS);
    expect(mixed.otherKind).toBe(1);
  });
});
