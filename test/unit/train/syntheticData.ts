import type { TaskData } from '../../../src/core/train/trainingData';
import { Random } from '../../../src/core/util/random';

export const PEOPLE = ['John', 'Mary', 'Smith', 'Obama'];
export const PLACES = ['London', 'Paris', 'Berlin', 'Texas'];
export const FILLER = 'the of and to in was for on with by at from his it'.split(' ');

/**
 * Seeded synthetic NER sentences over words the fixture vocabulary knows (some split into several
 * pieces): 4 to 4 + extraWords - 1 words, about 20 % B-PER, 15 % B-LOC, the rest O.
 */
export function syntheticNerData(count: number, seed: number, extraWords = 6): Extract<TaskData, { task: 'ner' }> {
  const random = new Random(seed);
  const sentences = Array.from({ length: count }, (_, line) => {
    const tokens: string[] = [];
    const tags: string[] = [];
    for (let i = 0; i < 4 + random.int(extraWords); i++) {
      const r = random.next();
      const [word, tag] = r < 0.2 ? [PEOPLE[random.int(4)]!, 'B-PER'] : r < 0.35 ? [PLACES[random.int(4)]!, 'B-LOC'] : [FILLER[random.int(FILLER.length)]!, 'O'];
      tokens.push(word);
      tags.push(tag);
    }
    return { tokens, tags, line: line + 1 };
  });
  return { task: 'ner', sentences, issues: [] };
}
