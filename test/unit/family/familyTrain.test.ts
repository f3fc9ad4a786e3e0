import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { architectureOf } from '../../../src/core/bert/architecture';
import type { BertConfig } from '../../../src/core/bert/config';
import type { HeadKind } from '../../../src/core/bert/heads';
import { groupParameters } from '../../../src/core/train/adamw';
import { optimizerArguments, trainableNames } from '../../../src/core/train/trainer';
import { resolveTrainingArguments } from '../../../src/core/train/trainingArguments';
import { expectMatchesReference } from '../train/conformanceRun';

// Fine-tuning DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA, DeBERTa-v2 / v3 and ModernBERT through the same autodiff as BERT, against the
// PyTorch ports (scripts/reference/make_train_refs.py → train_reference.py + family_training.py:
// distilbert_torch.py / roberta_torch.py / electra_torch.py / deberta_v2_torch.py / modernbert_torch.py with HF's losses, torch.optim.AdamW + LambdaLR (linear
// warmup) + clip_grad_norm_, dropout off) on the seeded fixture folders of test/fixtures/family:
// per-step losses, learning rates, gradient norms and final weights within a relative 1e-4
// (conformanceRun.ts), and the optimizer's weight-decay groups equal to HF Trainer's rule by module type.
const ROOT = path.join(__dirname, '..', '..', 'fixtures', 'family', 'train');
const CASES = readdirSync(ROOT);

/**
 * Parameters whose exact gradient is zero: a key bias adds the same q·b to every score of a softmax
 * row; in QA the qa_outputs bias, and the last LayerNorm's bias, shift every position's start (end)
 * logit alike. DeBERTa's pos_key_proj bias b adds q·b to every c2p score of a row alike (its key_proj bias
 * does not: p2c scores k_j·pos_query vary with j); in multiple choice the classifier bias adds the same
 * value to every choice. DistilBERT's multiple choice reads ReLU(pre_classifier(·)): a unit active on
 * every choice of a question passes that question's logit gradients through unchanged (ReLU' = 1),
 * and those sum to zero over a softmax, so pre_classifier.bias has elements whose exact gradient is
 * zero in every batch (units 10, 12, 21, 28 of the fixture: ~1e-9 in torch) — its weight still varies
 * per row and is checked in full.
 */
function zeroGradient(name: string, head: HeadKind, layers: number, config: BertConfig): boolean {
  if (name.endsWith('attention.self.key.bias') || name.endsWith('attention.k_lin.bias') || name.endsWith('attention.self.pos_key_proj.bias')) return true;
  if (head === 'multiple-choice') return name === 'classifier.bias' || (config.model_type === 'distilbert' && name === 'pre_classifier.bias');
  // ModernBertForQuestionAnswering's two-output classifier is its qa_outputs.
  return head === 'question-answering' && (name === 'qa_outputs.bias' || name === `${architectureOf(config).layer(layers - 1).outputNorm}.bias` ||
    (architectureOf(config).rotary !== undefined && name === 'classifier.bias'));
}

describe('the family cases', () => {
  it('cover DistilBERT, RoBERTa, XLM-RoBERTa, ELECTRA and DeBERTa-v2 token and sequence classification, QA, MLM with the tied decoder, and multiple choice', () => {
    for (const prefix of ['distilbert-token-classification', 'distilbert-sequence-classification', 'roberta-token-classification',
      'roberta-sequence-classification', 'xlm-roberta-token-classification', 'roberta-masked-lm', 'distilbert-masked-lm',
      'distilbert-question-answering', 'roberta-question-answering',
      // ELECTRA with embeddings_project (embedding_size 24 → hidden_size 32), and one sequence classifier without it.
      'electra-token-classification', 'electra-sequence-classification-linear', 'electra-sequence-classification-same-size',
      'electra-masked-lm', 'electra-question-answering',
      // DeBERTa-v3 (log buckets, share_att_key) and DeBERTa-v2 (pos_key_proj / pos_query_proj) disentangled attention.
      'deberta-v3-token-classification', 'deberta-v2-token-classification', 'deberta-v3-sequence-classification', 'deberta-v3-question-answering',
      'deberta-v3-masked-lm',
      // Multiple choice: [batch, num_choices, seq] flattened, CrossEntropyLoss over the choices; RobertaModel's pooler,
      // DistilBERT's pre_classifier + ReLU on [CLS], ELECTRA's SequenceSummary (first token, GELU).
      'roberta-multiple-choice', 'distilbert-multiple-choice', 'electra-multiple-choice',
      // ModernBERT (modernbert_torch.py): rotary global / sliding-window attention, GeGLU; cls and mean pooling, every bias on, the tied decoder.
      'modernbert-sequence-classification-linear', 'modernbert-sequence-classification-mean', 'modernbert-token-classification', 'modernbert-masked-lm',
      'modernbert-question-answering']) {
      expect(CASES.some((c) => c.startsWith(prefix)), prefix).toBe(true);
    }
  });
});

describe.each(CASES)('%s', (name) => {
  it('matches PyTorch step by step and in the final weights, with HF Trainer\'s weight-decay groups', async () => {
    const { config, head, log, spec } = await expectMatchesReference(path.join(ROOT, name), {
      trainable: (c, h) => trainableNames(c, h, 'all'),
      optimizerArgs: optimizerArguments,
      zeroGradient,
    });
    const trainable = [...trainableNames(config, head, 'all')].filter((n) => !spec.trainable || spec.trainable.some((p) => n.startsWith(p)));
    const args = optimizerArguments(resolveTrainingArguments(spec.training), config, head);
    const [decay, noDecay] = groupParameters(trainable, args.weight_decay, args.no_decay);
    expect(new Set(decay!.names)).toEqual(new Set(log.param_groups.decay));
    expect(new Set(noDecay!.names)).toEqual(new Set(log.param_groups.no_decay));
  });
});
