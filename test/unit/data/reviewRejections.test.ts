import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnotationStore } from '../../../src/core/data/annotationStore';
import { ReviewRejections } from '../../../src/core/data/reviewRejections';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-review-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const chief = { key: 'a'.repeat(32), label: 'PER', text: 'Chief', path: 'news.txt' };
const tuesday = { key: 'b'.repeat(32), label: 'ORG', text: 'Tuesday', path: 'other/news.txt' };

describe('remembered rejections (.bert-lens/review.json)', () => {
  it('starts empty without a file and creates none until something is rejected', async () => {
    const store = await ReviewRejections.open(dir);
    expect(store.size).toBe(0);
    expect(store.problems).toEqual([]);
    await expect(fs.access(path.join(dir, '.bert-lens'))).rejects.toThrow();
  });

  it('keeps rejections across a reopen, once each, and forgets removed ones', async () => {
    const store = await ReviewRejections.open(dir);
    await store.add([chief, tuesday, { ...chief, text: 'changed' }]);
    const reopened = await ReviewRejections.open(dir);
    expect(reopened.list()).toEqual([chief, tuesday]);
    expect(reopened.has(chief.key)).toBe(true);
    await reopened.remove([chief.key]);
    expect((await ReviewRejections.open(dir)).list()).toEqual([tuesday]);
    // Atomic writes leave no temporary files behind.
    expect((await fs.readdir(path.join(dir, '.bert-lens'))).sort()).toEqual(['review.json']);
  });

  it('serializes writes: concurrent adds all reach the file', async () => {
    const store = await ReviewRejections.open(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.add([{ ...chief, key: `k${i}` }])));
    expect((await ReviewRejections.open(dir)).size).toBe(20);
  });

  it('reports an unreadable file and keeps its bytes in review.unreadable.json before rewriting it', async () => {
    await fs.mkdir(path.join(dir, '.bert-lens'));
    await fs.writeFile(path.join(dir, '.bert-lens', 'review.json'), '{"rejected": [oops');
    const store = await ReviewRejections.open(dir);
    expect(store.problems).toEqual([expect.objectContaining({ message: expect.stringMatching(/^not valid JSON .*review\.unreadable\.json/) })]);
    await store.add([chief]);
    expect(await fs.readFile(path.join(dir, '.bert-lens', 'review.unreadable.json'), 'utf8')).toBe('{"rejected": [oops');
    expect((await ReviewRejections.open(dir)).list()).toEqual([chief]);
  });

  it('leaves out entries without a key, naming them', async () => {
    await fs.mkdir(path.join(dir, '.bert-lens'));
    await fs.writeFile(path.join(dir, '.bert-lens', 'review.json'), JSON.stringify({ rejected: [chief, { label: 'X' }, 7, { key: 'c', label: 3 }] }));
    const store = await ReviewRejections.open(dir);
    expect(store.list()).toEqual([chief, { key: 'c', label: '', text: '', path: '' }]);
    expect(store.problems.map((problem) => problem.message)).toEqual(['rejected[1] has no "key"; left out', 'rejected[2] has no "key"; left out']);
  });

  it('lives beside the annotation store, which loads and writes as before', async () => {
    const annotations = await AnnotationStore.open(dir);
    await annotations.put({ text: 'Chief Anouk Bakker', spans: [{ start: 6, end: 18, label: 'PER' }], meta: { path: 'news.txt' } });
    const before = await fs.readFile(annotations.annotationsPath);
    await (await ReviewRejections.open(dir)).add([chief]);
    const reopened = await AnnotationStore.open(dir);
    expect(reopened.problems).toEqual([]);
    expect(reopened.list()).toEqual(annotations.list());
    expect(await fs.readFile(annotations.annotationsPath)).toEqual(before);
  });

  it('has its stale temporary files removed when the store opens', async () => {
    await fs.mkdir(path.join(dir, '.bert-lens'));
    // A pid that cannot be alive (above Linux's pid_max).
    const stale = path.join(dir, '.bert-lens', '.review.json.99999999.abcdef.tmp');
    await fs.writeFile(stale, '{}');
    await AnnotationStore.open(dir);
    await expect(fs.access(stale)).rejects.toThrow();
  });
});
