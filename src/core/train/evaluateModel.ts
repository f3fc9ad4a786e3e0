import { labelList } from '../bert/config';
import { maxSequenceLength } from '../bert/sequenceLength';
import type { HeadKind } from '../bert/heads';
import type { LoadedModel } from '../runtime/loadModel';
import type { Encoding } from '../runtime/tokenizer/encoding';
import { forwardWindows, positionIdsOf } from '../tasks/shared/forward';
import { classificationFeatures, IGNORE_INDEX, nerFeatures, qaFeatures, type Feature } from './features';
import { classificationEvalMetrics, nerEvalMetrics, qaEvalMetrics, type EvalMetrics } from './taskMetrics';
import type { TaskData } from './trainingData';

/** The inference head each evaluable task needs. */
export const EVAL_HEAD: Record<'ner' | 'classify' | 'qa', HeadKind> = {
  ner: 'token-classification',
  classify: 'sequence-classification',
  qa: 'question-answering',
};

export interface EvaluateOptions {
  /** Longer examples become overlapping windows, as in training (default 128). */
  maxSeqLength?: number;
  /** QA windows overlap by this many tokens (default 128, HF's doc_stride). */
  docStride?: number;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface Evaluation {
  metrics: EvalMetrics;
  /** Gold labels of the data that the model cannot predict (they count as misses). */
  unknownLabels: string[];
  examples: number;
  windows: number;
  /** Gold labels were class ids (GLUE's "0"/"1") and were read as the model's label names. */
  labelIds?: boolean;
}

/**
 * GLUE-style files label classes by id ("0", "1"), while a fine-tuned model names them (NEGATIVE,
 * POSITIVE). As with HF datasets' ClassLabel, an integer label that is not itself a label name but a
 * valid index is read as the class id. Returns the examples unchanged when no label needs it.
 */
function goldAsLabelNames<T extends { label: string }>(examples: readonly T[], labels: readonly string[]): readonly T[] {
  const names = new Set(labels);
  const isId = (label: string) => /^\d+$/.test(label) && Number(label) < labels.length;
  const allIds = examples.length > 0 && examples.every((e) => names.has(e.label) || isId(e.label));
  if (!allIds || examples.every((e) => names.has(e.label))) return examples;
  return examples.map((e) => (names.has(e.label) ? e : { ...e, label: labels[Number(e.label)]! }));
}

/**
 * Scores a model on labelled data through the inference runtime (the graph users run), with the
 * features and metrics of the trainer's evaluation — so the numbers agree with `train --eval-data`
 * and with HF's run_ner / run_glue / run_qa evaluation (seqeval strict IOB2, accuracy, SQuAD EM/F1).
 */
export async function evaluateModel(model: LoadedModel, data: TaskData, options: EvaluateOptions = {}): Promise<Evaluation> {
  const config = model.config;
  const labels = labelList(config);
  // As the inference pipelines: windows no longer than the model (config) or its tokenizer declares.
  const tokenizerLimit = Number.isFinite(model.tokenizer.modelMaxLength) ? model.tokenizer.modelMaxLength : Infinity;
  const maxSeqLength = Math.min(options.maxSeqLength ?? 128, maxSequenceLength(config), tokenizerLimit);
  const forward = (features: readonly Feature[], tokenOutputs: string[], rowOutputs: string[] = []) =>
    forwardWindows(model.session, features.map(asEncoding), {
      tokenOutputs,
      rowOutputs,
      batchSize: options.batchSize ?? 32,
      padTokenId: config.pad_token_id,
      positionIds: positionIdsOf(model),
      signal: options.signal,
      onProgress: options.onProgress,
    });
  const known = new Set(labels);
  switch (data.task) {
    case 'ner': {
      const unknown = new Set(data.sentences.flatMap((s) => s.tags).filter((tag) => !known.has(tag)));
      // Features need an id per gold tag only for a loss; a tag the model lacks gets the ignore id.
      const label2id: Record<string, number> = { ...config.label2id };
      for (const tag of unknown) label2id[tag] = IGNORE_INDEX;
      const { features } = nerFeatures(data.sentences, model.tokenizer, label2id, { maxSeqLength });
      const outputs = await forward(features, ['logits']);
      return { metrics: nerEvalMetrics(data.sentences, features, outputs, labels), unknownLabels: [...unknown].sort(), examples: data.sentences.length, windows: features.length };
    }
    case 'classify': {
      const regression = config.problem_type === 'regression';
      const examples = regression ? data.examples : goldAsLabelNames(data.examples, labels);
      const labelIds = examples !== data.examples;
      const unknown = regression ? new Set<string>() : new Set(examples.map((e) => e.label).filter((label) => !known.has(label)));
      // Only the metrics read the gold label (as a string); the feature's numeric label is unused here.
      const { features } = classificationFeatures(examples.map((e) => ({ text: e.text, label: 0 })), model.tokenizer, { maxSeqLength });
      const outputs = await forward(features, [], ['logits']);
      return { metrics: classificationEvalMetrics(examples, features, outputs, labels, regression), unknownLabels: [...unknown].sort(), examples: examples.length, windows: features.length, labelIds };
    }
    case 'qa': {
      const docStride = options.docStride ?? 128;
      const { features } = qaFeatures(data.examples, model.tokenizer, { maxSeqLength, docStride });
      const outputs = await forward(features, ['start_logits', 'end_logits']);
      return { metrics: qaEvalMetrics(data.examples, features, outputs, model.tokenizer, { maxLength: maxSeqLength, docStride }), unknownLabels: [], examples: data.examples.length, windows: features.length };
    }
    default:
      throw new Error(`evaluation needs labelled NER, classification or QA data, not ${data.task}`);
  }
}

function asEncoding(feature: Feature): Encoding {
  return { ids: feature.inputIds, typeIds: feature.tokenTypeIds, offsets: [], wordIds: [], sequenceIds: [], tokens: [], specialTokensMask: [] };
}
