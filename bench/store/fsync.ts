// What the fsyncs of writeFileAtomic (the file before its rename, the directory after) cost on the
// annotation store's save path: a store of --docs documents, each save one `put` of an edited document
// followed by `flush` (the path the editor takes after every annotation), against the anchor measured
// in the same run: the same annotations.jsonl bytes written by writeFileAtomic without the fsyncs.
//
//   npx tsx bench/store/fsync.ts [--docs 200] [--saves 30] [--rounds 3] [--dir <folder on the disk to measure>]
//
// The default folder is under the current directory, not os.tmpdir(): /tmp is often a tmpfs, where an
// fsync costs nothing. Prints ms per save (median of rounds) for: the store's save (fsyncs on), the same
// bytes with fsync, the same bytes without, and the ratios.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AnnotatedDocument } from '../../src/core/data/annotation';
import { AnnotationStore } from '../../src/core/data/annotationStore';
import { writeFileAtomic } from '../../src/core/util/atomicWrite';
import { flags, median } from '../train/common';

const option = flags(process.argv.slice(2));
const DOCS = Number(option.get('docs', '200'));
const SAVES = Number(option.get('saves', '30'));
const ROUNDS = Number(option.get('rounds', '3'));

const WORDS = 'the committee met in Geneva on Tuesday and John Smith said that Acme Corp would open offices in Paris'.split(' ');
function documentOf(i: number, edit: number): AnnotatedDocument {
  const text = Array.from({ length: 120 }, (_, w) => WORDS[(w + i + edit) % WORDS.length]).join(' ');
  const spans = [{ start: 0, end: 3, label: 'PER' }, { start: 4, end: 13, label: 'ORG' }];
  return { text, spans, meta: { path: `docs/file-${i}.txt` } };
}

async function timeStore(dir: string): Promise<number> {
  const store = await AnnotationStore.open(dir);
  for (let i = 0; i < DOCS; i++) await store.put(documentOf(i, 0));
  await store.flush();
  const started = performance.now();
  for (let s = 0; s < SAVES; s++) {
    await store.put(documentOf(s % DOCS, s + 1));
    await store.flush();
  }
  return (performance.now() - started) / SAVES;
}

async function timeWrites(file: string, bytes: Buffer, durable: boolean): Promise<number> {
  const started = performance.now();
  for (let s = 0; s < SAVES; s++) await writeFileAtomic(file, bytes, { durable });
  return (performance.now() - started) / SAVES;
}

async function main(): Promise<void> {
  const root = await fs.mkdtemp(path.join(path.resolve(option.get('dir', '.')), '.bench-store-fsync-'));
  const store: number[] = [];
  const withSync: number[] = [];
  const withoutSync: number[] = [];
  let size = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = path.join(root, `round-${round}`);
      store.push(await timeStore(dir));
      const annotations = path.join(dir, '.bert-lens', 'annotations.jsonl');
      const bytes = await fs.readFile(annotations);
      size = bytes.byteLength;
      // Alternate the order so that neither side always runs on a warmer cache.
      const pair = round % 2 === 0 ? [true, false] : [false, true];
      for (const durable of pair) (durable ? withSync : withoutSync).push(await timeWrites(`${annotations}.copy`, bytes, durable));
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
  const [s, a, b] = [median(store), median(withSync), median(withoutSync)];
  console.log(`annotations.jsonl of ${DOCS} documents: ${(size / 1024).toFixed(0)} KiB; ${SAVES} saves × ${ROUNDS} rounds (median ms per save)`);
  console.log(`store put + flush (fsync on):      ${s.toFixed(2)} ms`);
  console.log(`writeFileAtomic, file + dir fsync: ${a.toFixed(2)} ms`);
  console.log(`writeFileAtomic, no fsync:         ${b.toFixed(2)} ms  (anchor)`);
  console.log(`fsync cost on the write: ${(a / b).toFixed(2)}×; store save against the anchor: ${(s / b).toFixed(2)}×`);
}

void main();
