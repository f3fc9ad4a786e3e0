import type { Tokenizer } from '../../runtime/tokenizer/tokenizer';
import type { Encoding } from '../../runtime/tokenizer/encoding';
import { TaskInputError } from './taskModel';

/**
 * The lengths the Rust tokenizers' `TruncationStrategy::LongestFirst` keeps of a pair (n1, n2 tokens)
 * so that both fit in `budget` tokens (max_length minus the special tokens): only the longer text is
 * cut when that suffices, else both are cut to half the budget (the second gets the odd token).
 */
export function longestFirstLengths(n1: number, n2: number, budget: number): [number, number] {
  if (n1 + n2 <= budget) return [n1, n2];
  const swap = n1 > n2;
  let short = swap ? n2 : n1;
  let long = swap ? n1 : n2;
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}

/**
 * HF `tokenizer(a, b, truncation=True, max_length=maxLength)`: the pair encoding with both texts cut
 * from the right by the longest-first rule. Special tokens and their positions come from the
 * tokenizer's own template.
 */
export function encodeTruncatedPair(tokenizer: Tokenizer, a: string, b: string, maxLength: number): Encoding {
  const full = tokenizer.encodePair(a, b);
  const budget = maxLength - tokenizer.numSpecialTokensToAdd(true);
  if (budget < 2) throw new TaskInputError(`windows of ${maxLength} tokens leave no room for a pair of texts`);
  let n1 = 0;
  let n2 = 0;
  for (const sequence of full.sequenceIds) {
    if (sequence === 0) n1++;
    else if (sequence === 1) n2++;
  }
  const [keep1, keep2] = longestFirstLengths(n1, n2, budget);
  if (keep1 === n1 && keep2 === n2) return full;
  const out: Encoding = { ids: [], typeIds: [], offsets: [], wordIds: [], sequenceIds: [], tokens: [], specialTokensMask: [] };
  let seen1 = 0;
  let seen2 = 0;
  full.ids.forEach((id, i) => {
    const sequence = full.sequenceIds[i];
    if (sequence === 0 && seen1++ >= keep1) return;
    if (sequence === 1 && seen2++ >= keep2) return;
    out.ids.push(id);
    out.typeIds.push(full.typeIds[i]!);
    out.offsets.push(full.offsets[i]!);
    out.wordIds.push(full.wordIds[i]!);
    out.sequenceIds.push(sequence!);
    out.tokens.push(full.tokens[i]!);
    out.specialTokensMask.push(full.specialTokensMask[i]!);
  });
  return out;
}
