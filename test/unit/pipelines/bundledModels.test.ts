// The models shipped in models/ (trained by `npm run train:models`): they must find the obvious
// entities of news sentences they never saw and read obvious sentiment, and their dev scores must be
// the ones models/manifest.json (and so the README and the status bar) reports.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { bundledModelDir } from '../../../src/core/runtime/bundledModels';
import { loadModel, type LoadedModel } from '../../../src/core/runtime/loadModel';
import { recognizeEntities } from '../../../src/core/tasks/tokenClassification/pipeline';
import { classifyText } from '../../../src/core/tasks/textClassification/pipeline';
import { haveSharedData, SHARED_DATA } from '../../sharedData';

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bundled-'));
const manifest = JSON.parse(readFileSync(path.join(bundledModelDir('ner'), '..', 'manifest.json'), 'utf8')) as {
  ner: { description: string; dev_entity_f1?: number };
  sentiment: { description: string; dev_accuracy?: number };
};
const trained = manifest.ner.dev_entity_f1 !== undefined && manifest.sentiment.dev_accuracy !== undefined;
if (!trained) console.warn('bundledModels.test.ts: models/ holds the untrained placeholders (no dev scores in models/manifest.json); the quality checks are skipped');

/** News sentences written for this test (not from WikiANN), with the entities anyone would mark. */
const NEWS: Array<{ text: string; entities: Array<[string, 'PER' | 'ORG' | 'LOC']> }> = [
  { text: 'Angela Merkel met Emmanuel Macron in Paris on Monday.', entities: [['Angela Merkel', 'PER'], ['Emmanuel Macron', 'PER'], ['Paris', 'LOC']] },
  { text: 'Microsoft said its chief executive, Satya Nadella, will visit Japan next week.', entities: [['Microsoft', 'ORG'], ['Satya Nadella', 'PER'], ['Japan', 'LOC']] },
  { text: 'The United Nations sent a team to Kenya after the floods.', entities: [['United Nations', 'ORG'], ['Kenya', 'LOC']] },
  { text: 'Barack Obama was born in Hawaii and studied at Harvard University.', entities: [['Barack Obama', 'PER'], ['Hawaii', 'LOC'], ['Harvard University', 'ORG']] },
  { text: 'Real Madrid signed a new striker from Liverpool on Friday, the club said in London.', entities: [['Real Madrid', 'ORG'], ['Liverpool', 'ORG'], ['London', 'LOC']] },
  { text: 'Toyota will build a factory in Texas, according to the governor, Greg Abbott.', entities: [['Toyota', 'ORG'], ['Texas', 'LOC'], ['Greg Abbott', 'PER']] },
];

describe.skipIf(!trained)('bundled NER model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(bundledModelDir('ner'), { head: 'token-classification', cacheDir, threads: 1 });
  });
  afterAll(async () => model?.session.release());

  // A floor measured on the first model shipped (spans 13/17, labels 9/17, 2 others; the current one
  // gives 15/17, 12/17, 0), so a worse retrained model fails here. It is not the goal of issue 7: WikiANN is Wikipedia title
  // fragments, and on full news sentences the model confuses PER with ORG (see models/README.md).
  it('finds most obvious entity spans in unseen news sentences (whole words, the default aggregation), with few false ones', async () => {
    let expected = 0;
    let spans = 0;
    let exact = 0;
    let spurious = 0;
    for (const { text, entities } of NEWS) {
      const predicted = await recognizeEntities(model, text, { aggregationStrategy: 'first' });
      const shown = predicted.map((e) => ({ label: 'entity_group' in e ? e.entity_group : e.entity, surface: text.slice(e.start, e.end) }));
      console.log(`[bundled ner] ${text} → ${JSON.stringify(shown.map((e) => `${e.label}:${e.surface}`))}`);
      for (const [surface, label] of entities) {
        expected++;
        if (shown.some((e) => e.surface === surface)) spans++;
        if (shown.some((e) => e.surface === surface && e.label === label)) exact++;
      }
      spurious += shown.filter((e) => !entities.some(([surface]) => surface === e.surface)).length;
    }
    console.log(`[bundled ner] of ${expected} entities: ${spans} spans found, ${exact} with the right label; ${spurious} other predictions`);
    expect(spans / expected).toBeGreaterThanOrEqual(0.75);
    expect(exact / expected).toBeGreaterThanOrEqual(0.5);
    expect(spurious).toBeLessThanOrEqual(expected / 3);
  });
});

describe.skipIf(!trained)('bundled sentiment model', () => {
  it('reads obvious sentiment in reviews it never saw', async () => {
    const model = await loadModel(bundledModelDir('sentiment'), { head: 'sequence-classification', cacheDir, threads: 1 });
    const reviews: Array<[string, 'POSITIVE' | 'NEGATIVE']> = [
      ['A wonderful film, funny and moving from the first scene to the last.', 'POSITIVE'],
      ['The best performance of her career; I loved every minute.', 'POSITIVE'],
      ['A beautiful, heartfelt story with superb acting.', 'POSITIVE'],
      ['An absolute delight.', 'POSITIVE'],
      ['A dull, tedious mess with no redeeming qualities.', 'NEGATIVE'],
      ['The plot is stupid and the jokes are painfully unfunny.', 'NEGATIVE'],
      ['Boring, predictable and far too long.', 'NEGATIVE'],
      ['One of the worst movies I have ever seen.', 'NEGATIVE'],
    ];
    try {
      let right = 0;
      for (const [text, label] of reviews) {
        const [best] = await classifyText(model, text, { topK: 1 });
        console.log(`[bundled sentiment] ${text} → ${best!.label} ${best!.score.toFixed(3)}`);
        if (best!.label === label) right++;
      }
      expect(right).toBeGreaterThanOrEqual(7);
      // SST-2 is lower case: the shipped tokenizer lowercases, so capitals cannot change a verdict.
      for (const [text] of reviews.slice(0, 3)) {
        expect(await classifyText(model, text.toUpperCase())).toEqual(await classifyText(model, text.toLowerCase()));
      }
    } finally {
      await model.session.release();
    }
  });
});

const haveDev = haveSharedData('bundledModels.test.ts', 'wikiann-en/dev.txt', 'sst2/dev.tsv');

describe.skipIf(!trained || !haveDev)('bundled models on the dev sets (../shared/data)', () => {
  async function evaluate(...argv: string[]): Promise<Record<string, number>> {
    let stdout = '';
    let stderr = '';
    process.env.BERT_LENS_CACHE = cacheDir;
    const code = await main(['evaluate', ...argv, '--json'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    return JSON.parse(stdout) as Record<string, number>;
  }

  it('bert-lens evaluate reproduces the WikiANN dev entity F1 of models/manifest.json within 1 point', async () => {
    const metrics = await evaluate('--task', 'ner', '--data', path.join(SHARED_DATA, 'wikiann-en', 'dev.txt'));
    console.log(`[bundled ner] WikiANN dev: F1 ${metrics.f1}, manifest ${manifest.ner.dev_entity_f1}`);
    expect(Math.abs(metrics.f1! - manifest.ner.dev_entity_f1!)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  // The issue's check: `bert-lens train --eval-data` scores the dev set through the training graph
  // (128-token windows, not the shipped 64) — one step at a negligible rate leaves the weights as shipped.
  it('bert-lens train --eval-data on WikiANN dev reproduces the shipped F1 within 1 point', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-bundled-train-'));
    const train = path.join(out, 'train.txt');
    writeFileSync(train, readFileSync(path.join(SHARED_DATA, 'wikiann-en', 'train.txt'), 'utf8').split('\n').slice(0, 40).join('\n') + '\n');
    let stdout = '';
    let stderr = '';
    const code = await main(['train', '--task', 'ner', '--model', bundledModelDir('ner'), '--data', train, '--eval-data', path.join(SHARED_DATA, 'wikiann-en', 'dev.txt'),
      '--out', path.join(out, 'run'), '--learning-rate', '1e-12', '--max-steps', '1', '--threads', '1'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    expect(code, stderr).toBe(0);
    const evals = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { eval_f1?: number }).filter((e) => e.eval_f1 !== undefined);
    expect(evals.length).toBeGreaterThan(0);
    const f1 = evals[evals.length - 1]!.eval_f1!;
    console.log(`[bundled ner] bert-lens train --eval-data: F1 ${f1}, manifest ${manifest.ner.dev_entity_f1}`);
    expect(Math.abs(f1 - manifest.ner.dev_entity_f1!)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  it('bert-lens evaluate reproduces the SST-2 dev accuracy of models/manifest.json within 1 point', async () => {
    const metrics = await evaluate('--task', 'classify', '--data', path.join(SHARED_DATA, 'sst2', 'dev.tsv'));
    console.log(`[bundled sentiment] SST-2 dev: accuracy ${metrics.accuracy}, manifest ${manifest.sentiment.dev_accuracy}`);
    expect(Math.abs(metrics.accuracy! - manifest.sentiment.dev_accuracy!)).toBeLessThanOrEqual(0.01);
  }, 300_000);
});
