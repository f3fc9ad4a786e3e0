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
import { categoryReviewCandidates, categoryTarget } from '../../../../src/host/annotation/categoryReview';
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
  await fs.rm(dir, { recursive: true, force: true });
});

function doc(): OpenDocument {
  return { key: 'file:///ws/reviews.txt', location: { folderDir: dir, path: 'reviews.txt' }, getText: () => TEXT };
}

async function start(model: AnnotationModel, results = [softmaxResult()], threshold = 0.5): Promise<ReviewSession> {
  const document = doc();
  const { candidates, labels } = categoryReviewCandidates(results, TEXT);
  const session = await ReviewSession.start({
    document,
    model,
    rejections: await ReviewRejections.open(dir),
    candidates,
    threshold,
    target: categoryTarget(model, document, results, labels),
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
  const record = JSON.parse(content.trim().split('\n')[0]!) as { text: string; categories?: Array<{ start: number; end: number; accept: string[]; multiLabel: boolean; scope: string }> };
  return (record.categories ?? []).map((c) => `${c.scope} ${record.text.slice(c.start, c.end)} → ${c.accept.join('+')}${c.multiLabel ? ' (multi)' : ''}`);
}

describe('categoryReviewCandidates', () => {
  it('proposes each paragraph with the best label and its probability; multi-label and regression results are left out with a reason', () => {
    const multi: ClassificationResult = { ...softmaxResult(), scoreKind: 'sigmoid' };
    const regression: ClassificationResult = { ...softmaxResult(), scope: 'document', scoreKind: 'none', spans: [{ start: 0, end: TEXT.length, text: TEXT, results: [{ label: 'LABEL_0', score: 3.2 }] }] };
    const { candidates, labels, skipped } = categoryReviewCandidates([softmaxResult(), multi, regression], TEXT);
    expect(candidates.map((c) => [c.text, c.label, c.score])).toEqual([
      [P1.text, 'POSITIVE', 0.9],
      [P2.text, 'NEGATIVE', 0.8],
      [P3.text, 'POSITIVE', 0.55],
    ]);
    expect(labels).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(skipped).toEqual([
      'the paragraphs result of test model is multi-label (use Accept Classifications)',
      'the document result of test model is a regression score',
    ]);
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
    persistence.dispose();
  });
});
