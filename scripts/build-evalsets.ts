/**
 * Writes the evaluation sets under eval/ from their hand-labelled sources (see scripts/evalsets/markup.ts)
 * and prints what they hold: sentences, articles and entities per type for the prose NER set, reviews
 * per label and domain for the reviews set.
 *
 *   npx tsx scripts/build-evalsets.ts           rewrite eval/prose-ner/{dev,test}.txt, eval/reviews/{dev,test}.tsv
 *   npx tsx scripts/build-evalsets.ts --check   only compare; exit 1 when a generated file is stale
 *   npx tsx scripts/build-evalsets.ts --by-domain DIR
 *                                               also write DIR/<split>.<domain>.tsv, one file per review
 *                                               domain, for per-domain scores with `bert-lens evaluate`
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeConll } from '../src/core/data/formats/conll';
import { writeFileAtomic } from '../src/core/util/atomicWrite';
import { entitiesOf, iob2Problems, parseProseSource, parseReviewSource, writeReviewsTsv } from './evalsets/markup';

const ROOT = path.join(__dirname, '..', 'eval');
export const SPLITS = ['dev', 'test'] as const;

/** Every generated file of the evaluation sets with its content, built from the sources. */
export async function buildEvalSets(root = ROOT, byDomainDir?: string): Promise<Array<{ file: string; content: string; summary: string }>> {
  const out: Array<{ file: string; content: string; summary: string }> = [];
  for (const split of SPLITS) {
    const source = path.join(root, 'prose-ner', `${split}.source.txt`);
    const sentences = parseProseSource(await fs.readFile(source, 'utf8'), path.relative(process.cwd(), source));
    for (const sentence of sentences) {
      const problems = iob2Problems(sentence.tags);
      if (problems.length > 0) throw new Error(`${source}:${sentence.line}: ${problems.join('; ')}`);
    }
    const counts = new Map<string, number>();
    for (const sentence of sentences) for (const entity of entitiesOf(sentence.tokens, sentence.tags)) counts.set(entity.type, (counts.get(entity.type) ?? 0) + 1);
    const articles = new Set(sentences.map((s) => s.documentIndex)).size;
    const tokens = sentences.reduce((sum, s) => sum + s.tokens.length, 0);
    out.push({
      file: path.join(root, 'prose-ner', `${split}.txt`),
      content: writeConll(sentences, { docstart: true }),
      summary: `${sentences.length} sentences, ${articles} articles, ${tokens} words; entities ${[...counts].map(([t, n]) => `${t} ${n}`).join(', ')}`,
    });
  }
  for (const split of SPLITS) {
    const source = path.join(root, 'reviews', `${split}.source.txt`);
    const reviews = parseReviewSource(await fs.readFile(source, 'utf8'), path.relative(process.cwd(), source));
    const domains = new Map<string, [number, number]>();
    for (const review of reviews) {
      const count = domains.get(review.domain) ?? [0, 0];
      count[review.label]++;
      domains.set(review.domain, count);
    }
    const positive = reviews.filter((r) => r.label === 1).length;
    out.push({
      file: path.join(root, 'reviews', `${split}.tsv`),
      content: writeReviewsTsv(reviews),
      summary: `${reviews.length} reviews, ${positive} positive, ${reviews.length - positive} negative; ${[...domains].map(([d, [neg, pos]]) => `${d} ${pos}+/${neg}-`).join(', ')}`,
    });
    if (byDomainDir === undefined) continue;
    for (const domain of domains.keys()) {
      const ofDomain = reviews.filter((review) => review.domain === domain);
      out.push({ file: path.join(byDomainDir, `${split}.${domain.replace(/\W+/g, '-')}.tsv`), content: writeReviewsTsv(ofDomain), summary: `${ofDomain.length} ${domain} reviews` });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const byDomainAt = process.argv.indexOf('--by-domain');
  const byDomainDir = byDomainAt >= 0 ? process.argv[byDomainAt + 1] : undefined;
  if (byDomainAt >= 0 && (byDomainDir === undefined || byDomainDir.startsWith('--'))) throw new Error('--by-domain needs a folder');
  let stale = 0;
  for (const { file, content, summary } of await buildEvalSets(ROOT, byDomainDir === undefined ? undefined : path.resolve(byDomainDir))) {
    const current = await fs.readFile(file, 'utf8').catch(() => undefined);
    const name = path.relative(process.cwd(), file);
    if (current !== content) {
      if (check) stale++;
      else await writeFileAtomic(file, content);
    }
    console.log(`${name}: ${summary}${current === content ? '' : check ? ' (STALE)' : ' (written)'}`);
  }
  if (stale > 0) {
    console.error(`${stale} generated file(s) differ from their sources; run npx tsx scripts/build-evalsets.ts`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
