import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBertConfig } from '../../../src/core/bert/config';
import type { TaskData } from '../../../src/core/train/trainingData';

/** Seeded DistilBERT / RoBERTa fixture folders (scripts/reference/{distilbert,roberta}_torch.py). */
export const FAMILY = path.join(__dirname, '..', '..', 'fixtures', 'family');

const WORDS = ['ada', 'lovelace', 'lived', 'in', 'london', 'paris', 'grace', 'hopper', 'worked', 'at', 'yale', 'the', 'film', 'was', 'good', 'bad', 'dull', 'great', 'fine', 'awful', 'a'];

/**
 * A copy of a fixture folder with a WordPiece vocab.txt of the model's vocab_size whose [PAD] sits at
 * the config's pad_token_id (the fixtures have weights only; their own BPE tokenizers are not the
 * subject here).
 */
export function folderWithTokenizer(fixture: string, scratch: string): string {
  const dir = path.join(scratch, `${fixture}-model`);
  cpSync(path.join(FAMILY, fixture), dir, { recursive: true });
  const config = parseBertConfig(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const specials = ['[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const vocab = [...specials.slice(0, config.pad_token_id), '[PAD]', ...specials.slice(config.pad_token_id), ...WORDS];
  while (vocab.length < config.vocab_size) vocab.push(`tok${vocab.length}`);
  writeFileSync(path.join(dir, 'vocab.txt'), vocab.join('\n') + '\n');
  return dir;
}

export const NER: TaskData = {
  task: 'ner',
  issues: [],
  sentences: [
    { tokens: ['ada', 'lovelace', 'lived', 'in', 'london'], tags: ['B-PER', 'I-PER', 'O', 'O', 'B-LOC'], line: 1 },
    { tokens: ['grace', 'hopper', 'worked', 'at', 'yale'], tags: ['B-PER', 'I-PER', 'O', 'O', 'B-LOC'], line: 7 },
    { tokens: ['paris'], tags: ['B-LOC'], line: 13 },
    { tokens: ['the', 'film', 'was', 'in', 'paris'], tags: ['O', 'O', 'O', 'O', 'B-LOC'], line: 15 },
  ],
};
export const CLASSIFY: TaskData = {
  task: 'classify',
  issues: [],
  examples: [
    { text: 'a good film', label: 'POSITIVE', line: 1 },
    { text: 'a dull film', label: 'NEGATIVE', line: 2 },
    { text: 'great', label: 'POSITIVE', line: 3 },
    { text: 'the film was awful', label: 'NEGATIVE', line: 4 },
    { text: 'fine', label: 'NEUTRAL', line: 5 },
  ],
};


export const MLM: TaskData = {
  task: 'mlm',
  issues: [],
  texts: ['ada lovelace lived in london', 'grace hopper worked at yale', 'the film was good', 'a dull film', 'paris was great', 'the film was awful in paris'],
};
