import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'vitest';
import { expectMatchesReference } from './conformanceRun';

// Our trainer against PyTorch (scripts/reference/make_train_refs.py: torch.optim.AdamW + LambdaLR with
// HF's λ + clip_grad_norm_, dropout off) on the same fixed batches: per-step losses, learning rates,
// gradient norms and the final weights must agree to a relative error of 1e-4 (conformanceRun.ts).
const ROOT = path.join(__dirname, '..', '..', 'fixtures', 'train', 'conformance');
const CASES = readdirSync(ROOT);

/**
 * Parameters whose exact gradient is zero: a key bias adds the same q·b to every score of a softmax
 * row, the multiple-choice bias the same value to every choice, the QA bias the same value to every
 * position's start (end) logit.
 */
function zeroGradient(name: string, head: string, layers: number): boolean {
  if (name.endsWith('attention.self.key.bias')) return true;
  if (head === 'multiple-choice') return name === 'classifier.bias';
  // The last LayerNorm bias shifts every position's hidden state alike, hence every start/end logit.
  if (head === 'question-answering') return name === 'qa_outputs.bias' || name === `bert.encoder.layer.${layers - 1}.output.LayerNorm.bias`;
  return false;
}

describe.each(CASES)('%s', (name) => {
  it('matches PyTorch step by step and in the final weights', async () => {
    await expectMatchesReference(path.join(ROOT, name), { zeroGradient });
  });
});
