import { architectureOf, classInfo } from './architecture';
import type { BertConfig } from './config';

/** The BERT heads of HF transformers, by the task names the rest of BERT Lens uses. */
export type HeadKind =
  | 'base'
  | 'token-classification'
  | 'sequence-classification'
  | 'question-answering'
  | 'masked-lm'
  | 'next-sentence'
  | 'pretraining'
  | 'multiple-choice'
  | 'causal-lm';

export const HEAD_KINDS: readonly HeadKind[] = [
  'base', 'token-classification', 'sequence-classification', 'question-answering', 'masked-lm',
  'next-sentence', 'pretraining', 'multiple-choice', 'causal-lm',
];

/** HF class name for each head (config.json `architectures`). */
export const ARCHITECTURE_OF: Record<HeadKind, string> = {
  'base': 'BertModel',
  'token-classification': 'BertForTokenClassification',
  'sequence-classification': 'BertForSequenceClassification',
  'question-answering': 'BertForQuestionAnswering',
  'masked-lm': 'BertForMaskedLM',
  'next-sentence': 'BertForNextSentencePrediction',
  'pretraining': 'BertForPreTraining',
  'multiple-choice': 'BertForMultipleChoice',
  'causal-lm': 'BertLMHeadModel',
};

/**
 * The HF class of a head in a config's own architecture (`RobertaForTokenClassification` for a
 * RoBERTa), for messages: naming BERT's class to the owner of a RoBERTa would send them looking for
 * the wrong model. When the architecture has no such class here, says so instead.
 */
export function headClassName(config: Pick<BertConfig, 'model_type'>, head: HeadKind): string {
  return architectureOf(config).classes[head] ?? `none for ${config.model_type} in BERT Lens`;
}

/** The head of an HF class name of any supported architecture (`BertForMaskedLM`, `DistilBertForTokenClassification`). */
export function headFromArchitecture(architecture: string): HeadKind | undefined {
  return classInfo(architecture)?.head;
}

/** HF builds the pooler only for heads that read [CLS] through it (add_pooling_layer). */
export function usesPooler(head: HeadKind): boolean {
  return head === 'base' || head === 'sequence-classification' || head === 'next-sentence' || head === 'pretraining' || head === 'multiple-choice';
}

export function usesLmHead(head: HeadKind): boolean {
  return head === 'masked-lm' || head === 'pretraining' || head === 'causal-lm';
}

/** Outputs with one vector per token ([batch, seq, ...]); the others have one per sequence. */
export function tokenLevelOutputs(head: HeadKind): string[] {
  switch (head) {
    case 'token-classification':
    case 'masked-lm':
    case 'causal-lm':
      return ['logits'];
    case 'question-answering':
      return ['start_logits', 'end_logits'];
    case 'pretraining':
      return ['prediction_logits'];
    case 'base':
      return ['last_hidden_state'];
    default:
      return [];
  }
}
