/**
 * The project's own hand-written TRAINING sets under train-data/ (news-style prose for NER, reviews of
 * things other than films for sentiment), in the same markup as the evaluation sets (markup.ts) and
 * independent of them: eval/ is only ever scored, never trained on (test/unit/data/trainingSets.test.ts
 * checks that no training sentence or review is also in eval/ or in the sample workspace).
 *
 *   train-data/prose-ner/*.source.txt   articles, one sentence a line, `[PER …]` inline
 *   train-data/reviews/*.source.txt     `## domain`, then `+ review` / `- review`
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { iob2Problems, parseProseSource, parseReviewSource, SourceError, type ProseSentence, type Review } from './markup';

export const TRAIN_DATA = path.join(__dirname, '..', '..', 'train-data');

async function sourceFiles(dir: string): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.source.txt')).sort();
  if (names.length === 0) throw new SourceError(`${dir}: no *.source.txt files`);
  return names.map((n) => path.join(dir, n));
}

/** Every sentence of the prose NER training sources, checked to be valid IOB2 (articles numbered across files). */
export async function proseTrainingSentences(root = TRAIN_DATA): Promise<ProseSentence[]> {
  const sentences: ProseSentence[] = [];
  for (const file of await sourceFiles(path.join(root, 'prose-ner'))) {
    const offset = sentences.length === 0 ? 0 : sentences[sentences.length - 1]!.documentIndex + 1;
    const where = path.relative(process.cwd(), file);
    for (const sentence of parseProseSource(await fs.readFile(file, 'utf8'), where)) {
      const problems = iob2Problems(sentence.tags);
      if (problems.length > 0) throw new SourceError(`${where}:${sentence.line}: ${problems.join('; ')}`);
      sentences.push({ ...sentence, documentIndex: sentence.documentIndex + offset });
    }
  }
  return sentences;
}

/** Every review of the reviews training sources. */
export async function reviewTrainingExamples(root = TRAIN_DATA): Promise<Review[]> {
  const reviews: Review[] = [];
  for (const file of await sourceFiles(path.join(root, 'reviews'))) {
    reviews.push(...parseReviewSource(await fs.readFile(file, 'utf8'), path.relative(process.cwd(), file)));
  }
  return reviews;
}
