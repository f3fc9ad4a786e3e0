import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BertTokenizerSpec } from '../../../src/core/runtime/tokenizer/tokenizerSpec';
import { specFromTrained, trainWordPiece } from '../../../src/core/runtime/tokenizer/wordpieceTrainer';

/** Tests and scripts run from the repository root. */
export const FIXTURE_DIR = path.resolve('test/fixtures/tokenizer');
export const SAMPLE_TEXT = readFileSync(path.join(FIXTURE_DIR, 'sample.txt'), 'utf8');
export const FIXTURE_VOCAB_SIZE = 900;

/** The committed fixture tokenizers: WordPiece vocabularies trained on sample.txt (cased and uncased). */
export function fixtureSpec(kind: 'cased' | 'uncased'): BertTokenizerSpec {
  const trained = trainWordPiece(SAMPLE_TEXT.split('\n'), {
    vocabSize: FIXTURE_VOCAB_SIZE,
    lowercase: kind === 'uncased',
    minFrequency: 2,
  });
  return specFromTrained(trained, 128);
}

export function fixtureFolder(kind: 'cased' | 'uncased'): string {
  return path.join(FIXTURE_DIR, `bert-${kind}`);
}
