/**
 * Does a masked-LM model use context? For 400 dev sentences (WikiANN dev, SST-2 dev) one word that is
 * a single vocabulary piece is replaced by [MASK]; prints the mean −ln p(true word) and the top-1
 * accuracy of each model folder given, against the unigram baseline of the training text (what a
 * model that ignores context can reach). Seeded; needs ../shared/data (or $BERT_LENS_DATA).
 *
 *   npx tsx scripts/mlm-cloze.ts .train-models/mlm [more model folders...]
 */
import * as path from 'node:path';
import { loadModel } from '../src/core/runtime/loadModel';
import { loadBertTokenizer } from '../src/core/runtime/tokenizer/tokenizerFiles';
import { fillMask } from '../src/core/tasks/fillMask/pipeline';
import { readTaskData } from '../src/core/train/trainingData';
import { Random } from '../src/core/util/random';

const ROOT = path.resolve(__dirname, '..');
const DATA = path.resolve(process.env.BERT_LENS_DATA ?? path.join(ROOT, '..', 'shared', 'data'));
const ITEMS = 400;

async function sentences(file: string, task: 'ner' | 'classify'): Promise<string[][]> {
  const data = await readTaskData(task, path.join(DATA, file));
  if (data.task === 'ner') return data.sentences.map((s) => s.tokens);
  if (data.task === 'classify') return data.examples.map((e) => e.text.trim().split(/\s+/));
  return [];
}

async function main(): Promise<void> {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0) throw new Error('give one or more masked-LM model folders');
  const tokenizer = await loadBertTokenizer(dirs[0]!);
  const pieces = (text: string): ArrayLike<number> => tokenizer.encodeIdsWithOffsets(text, { addSpecialTokens: false }).ids;

  const counts = new Map<number, number>();
  let total = 0;
  for (const [file, task] of [['wikiann-en/train.txt', 'ner'], ['wnut17/train.conll', 'ner'], ['sst2/train.tsv', 'classify']] as const) {
    for (const words of await sentences(file, task)) {
      for (const id of Array.from(pieces(words.join(' ')))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
        total++;
      }
    }
  }
  const dev = [...(await sentences('wikiann-en/dev.txt', 'ner')).filter((s) => s.length >= 6), ...(await sentences('sst2/dev.tsv', 'classify'))];
  const random = new Random(9);
  const items: Array<{ text: string; word: string; id: number }> = [];
  while (items.length < ITEMS) {
    const words = dev[random.int(dev.length)]!;
    const at = random.int(words.length);
    const ids = pieces(words[at]!);
    if (ids.length !== 1) continue;
    items.push({ text: words.map((w, i) => (i === at ? '[MASK]' : w)).join(' '), word: words[at]!, id: ids[0]! });
  }
  const unigram = items.reduce((sum, item) => sum - Math.log((counts.get(item.id) ?? 0.5) / total), 0) / ITEMS;
  console.log(`${ITEMS} masked words; unigram baseline: −ln p ${unigram.toFixed(3)}`);
  for (const dir of dirs) {
    const model = await loadModel(dir, { head: 'masked-lm', cacheDir: path.join(ROOT, '.train-models', 'cache') });
    let nll = 0;
    let top1 = 0;
    for (const item of items) {
      const target = (await fillMask(model, item.text, { targets: [item.word], topK: 1 }))[0]![0]!;
      nll -= Math.log(Math.max(target.score, 1e-12));
      if ((await fillMask(model, item.text, { topK: 1 }))[0]![0]!.token === item.id) top1++;
    }
    await model.session.release();
    console.log(`${dir}: −ln p ${(nll / ITEMS).toFixed(3)}, top-1 ${((100 * top1) / ITEMS).toFixed(1)} %`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`mlm-cloze: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
