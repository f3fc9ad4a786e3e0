// The review's host glue without VS Code: decisions carried out through the real AnnotationModel
// and workspace store (a temporary folder), rejections through .bert-lens/review.json.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReviewRejections } from '../../../../src/core/data/reviewRejections';
import { AnnotationModel, type OpenDocument } from '../../../../src/host/annotation/annotationModel';
import { AnnotationPersistence, type AnnotationReporter } from '../../../../src/host/annotation/persistence';
import { describeStart, itemCaption, RejectionStores, reviewCandidates, ReviewSession } from '../../../../src/host/annotation/reviewSession';
import type { DocumentEntity } from '../../../../src/host/ner/entities';
import { applyChanges, type TextChange } from '../../../../src/host/ner/textChanges';

const TEXT = 'Chief executive Marieke van Dalen met\nNoordzee Terminals in Rotterdam on Tuesday.\n';

let dir: string;
let warnings: string[];
const reporter: AnnotationReporter = { info: () => undefined, warn: (message) => warnings.push(message) };

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-review-'));
  warnings = [];
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

class Doc implements OpenDocument {
  readonly key = 'file:///ws/news.txt';
  readonly location: { folderDir: string; path: string };
  constructor(public text: string) {
    this.location = { folderDir: dir, path: 'news.txt' };
  }
  getText(): string {
    return this.text;
  }
  edit(rangeOffset: number, rangeLength: number, text: string): TextChange[] {
    const change = { rangeOffset, rangeLength, text };
    this.text = applyChanges(this.text, [change]);
    return [change];
  }
}

let nextId = 1;
/** The entity on the first occurrence of the word; none when the text no longer has it. */
function entity(text: string, word: string, label: string, score: number): DocumentEntity[] {
  const start = text.indexOf(word);
  if (start < 0) return [];
  return [{ id: nextId++, start, end: start + word.length, label, type: label.replace(/^[BI]-/, ''), score, word, text: word }];
}

/** What the model found, per token (aggregation strategy "none"), as the editor keeps it. */
function tokenEntities(text: string): DocumentEntity[] {
  return [
    ...entity(text, 'Chief', 'B-PER', 0.7),
    ...entity(text, 'Marieke', 'B-PER', 0.9),
    ...entity(text, 'van', 'I-PER', 0.7),
    ...entity(text, 'Dalen', 'I-PER', 0.8),
    ...entity(text, 'Noordzee', 'B-ORG', 0.6),
    ...entity(text, 'Terminals', 'I-ORG', 0.8),
    ...entity(text, 'Rotterdam', 'B-LOC', 0.95),
    ...entity(text, 'Tuesday', 'B-PER', 0.3),
  ];
}

function setup() {
  const persistence = new AnnotationPersistence(reporter, 0);
  const model = new AnnotationModel(persistence, reporter, () => ['PER', 'ORG', 'LOC']);
  return { persistence, model };
}

async function start(model: AnnotationModel, doc: Doc, rejections?: ReviewRejections, threshold = 0.5): Promise<ReviewSession> {
  const gap = (from: number, to: number): string => doc.text.slice(from, to);
  const session = await ReviewSession.start({
    document: doc,
    model,
    rejections: rejections ?? (await ReviewRejections.open(dir)),
    candidates: reviewCandidates(tokenEntities(doc.text), gap),
    threshold,
  });
  if (!session) throw new Error('no session');
  return session;
}

async function stored(): Promise<string[]> {
  let content: string;
  try {
    content = await fs.readFile(path.join(dir, '.bert-lens', 'annotations.jsonl'), 'utf8');
  } catch {
    return [];
  }
  const record = JSON.parse(content.trim().split('\n')[0]!) as { text: string; spans: Array<{ start: number; end: number; label: string }> };
  return record.spans.map((span) => `${span.label}:${record.text.slice(span.start, span.end)}`);
}

async function rejectedOnDisk(): Promise<Array<{ label: string; text: string; path: string }>> {
  const file = JSON.parse(await fs.readFile(path.join(dir, '.bert-lens', 'review.json'), 'utf8')) as { rejected: Array<{ label: string; text: string; path: string }> };
  return file.rejected.map(({ label, text, path: where }) => ({ label, text, path: where }));
}

describe('review candidates from the editor\'s entities', () => {
  it('joins B-/I- tokens into entities scored by the mean of their tokens, labelled with the type', () => {
    const candidates = reviewCandidates(tokenEntities(TEXT), (from, to) => TEXT.slice(from, to));
    expect(candidates.map((c) => [c.label, c.text, Number(c.score.toFixed(4))])).toEqual([
      ['PER', 'Chief', 0.7],
      ['PER', 'Marieke van Dalen', 0.8],
      ['ORG', 'Noordzee Terminals', 0.7],
      ['LOC', 'Rotterdam', 0.95],
      ['PER', 'Tuesday', 0.3],
    ]);
  });
});

describe('a review session', () => {
  it('turns accept, reject and change label into annotations in the store and remembered rejections', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    const session = await start(model, doc);
    expect(session.queue.items.map((item) => item.text)).toEqual(['Chief', 'Marieke van Dalen', 'Noordzee Terminals', 'Rotterdam']);
    expect(describeStart(session.queue, 0.5)).toBe('4 predictions to review (left out: 1 below the threshold 0.5)');

    await session.reject();
    await session.accept();
    await session.acceptAs('COMPANY');
    expect(session.queue.progress()).toBe('3 / 4 reviewed');
    expect(session.current()?.text).toBe('Rotterdam');
    expect(itemCaption(session.current()!)).toBe(' LOC 0.95');
    expect(itemCaption(session.queue.items[2]!)).toBe(' ORG → COMPANY 0.70 · accepted');
    await session.skip();
    await model.flush();
    expect(await stored()).toEqual(['PER:Marieke van Dalen', 'COMPANY:Noordzee Terminals']);
    expect(await rejectedOnDisk()).toEqual([{ label: 'PER', text: 'Chief', path: 'news.txt' }]);
    // A new label joins the label set like any other.
    expect(await model.labels(dir)).toContain('COMPANY');
  });

  it('undoes an earlier decision when it changes: the annotation goes, the rejection is forgotten', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    const session = await start(model, doc);
    await session.accept();
    session.previous();
    await session.reject();
    await model.flush();
    expect(await stored()).toEqual([]);
    expect((await rejectedOnDisk()).map((r) => r.text)).toEqual(['Chief']);
    session.previous();
    await session.acceptAs('TITLE');
    await model.flush();
    expect(await stored()).toEqual(['TITLE:Chief']);
    expect(await rejectedOnDisk()).toEqual([]);
    session.previous();
    await session.acceptAs('PER');
    await model.flush();
    expect(await stored()).toEqual(['PER:Chief']);
  });

  it('never proposes a rejected prediction again, after a reload and edits on other lines; accepted ones are annotations then', async () => {
    const first = setup();
    const doc = new Doc(TEXT);
    const session = await start(first.model, doc);
    await session.reject();
    await session.accept();
    await first.model.flush();

    // Another window: a fresh model, the stores read again from disk; the text was changed outside
    // the editor: a line added above, the second line edited.
    const second = setup();
    const edited = new Doc(`Yesterday:\n${TEXT.replace('on Tuesday', 'on Monday')}`);
    const again = await start(second.model, edited, await new RejectionStores().storeFor(dir));
    expect(again.queue.items.map((item) => item.text)).toEqual(['Noordzee Terminals', 'Rotterdam']);
    expect(again.queue.leftOut).toMatchObject({ rejectedBefore: 1, annotated: 1 });

    // An edit of the rejected prediction's own line makes it a new proposal (see reviewKey).
    const third = setup();
    const ownLine = new Doc(TEXT.replace('Chief executive', 'Chief  executive'));
    const session3 = await start(third.model, ownLine);
    expect(session3.queue.items.map((item) => item.text)).toContain('Chief');
  });

  it('keeps a rejection on its line when other lines are edited', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    const session = await start(model, doc);
    session.next();
    session.next();
    session.next();
    expect(session.current()?.text).toBe('Rotterdam');
    await session.reject();
    await model.flush();
    const later = setup();
    const edited = new Doc(`A headline\n\n${TEXT.replace('Chief executive', 'The chief executive')}`);
    const again = await start(later.model, edited);
    expect(again.queue.items.map((item) => item.text)).not.toContain('Rotterdam');
    expect(again.queue.leftOut.rejectedBefore).toBe(1);
  });

  it('follows document edits during the review: accepts land on the moved text', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    const session = await start(model, doc);
    session.next();
    const changes = doc.edit(0, 0, 'Yesterday the ');
    model.applyEdit(doc.key, changes, 'edit');
    session.applyEdit(changes);
    await session.accept();
    await model.flush();
    expect(await stored()).toEqual(['PER:Marieke van Dalen']);
    // An edit inside a proposal removes it from the queue.
    const noordzee = doc.text.indexOf('Noordzee');
    const dropped = session.applyEdit(doc.edit(noordzee, 1, 'n'));
    expect(dropped.map((item) => item.text)).toEqual(['Noordzee Terminals']);
    expect(session.queue.items.map((item) => item.text)).toEqual(['Chief', 'Marieke van Dalen', 'Rotterdam']);
  });

  it('leaves out predictions that overlap the person\'s own annotations', async () => {
    const { model } = setup();
    const doc = new Doc(TEXT);
    await model.open(doc);
    const marieke = doc.text.indexOf('Marieke');
    await model.label(doc.key, [{ start: marieke, end: marieke + 7, text: 'Marieke' }], 'PER');
    const session = await start(model, doc);
    expect(session.queue.items.map((item) => item.text)).toEqual(['Chief', 'Noordzee Terminals', 'Rotterdam']);
    expect(session.queue.leftOut.overlapping).toBe(1);
  });
});
