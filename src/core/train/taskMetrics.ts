import type { NerSentence } from '../data/datasets';
import type { Tokenizer } from '../runtime/tokenizer/tokenizer';
import { postprocessQuestionAnswering } from '../tasks/questionAnswering/postprocess';
import type { Feature } from './features';
import { confusionMatrix } from './confusionMatrix';
import { classificationMetrics, nerMetrics, scores, squadScores, type LabelScores } from './metrics';
import type { QaExample } from './trainingData';

/** The main number of the task (entity F1, accuracy, QA F1, -loss) plus the details. */
export interface EvalMetrics {
  score: number;
  [key: string]: unknown;
}

/** Model outputs per evaluation row, by output name (logits, start_logits, ...). */
export type RowOutputs = ReadonlyArray<Readonly<Record<string, Float32Array>>>;

function argmax(values: ArrayLike<number>, from: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (values[from + k]! > values[from + best]!) best = k;
  return best;
}

/**
 * Entity-level scores of NER predictions: each word takes the label predicted at its first piece,
 * from the window where that piece is farthest from a window edge (most context), as seqeval reads
 * the sentences (strict IOB2).
 */
export function nerEvalMetrics(sentences: readonly NerSentence[], features: readonly Feature[], outputs: RowOutputs, labels: readonly string[]): EvalMetrics {
  const best = sentences.map((s) => s.tokens.map(() => ({ label: 0, centrality: -1 })));
  features.forEach((feature, row) => {
    const logits = outputs[row]!.logits!;
    const length = feature.inputIds.length;
    feature.wordStarts!.forEach((word, t) => {
      if (word < 0) return;
      const centrality = Math.min(t, length - 1 - t);
      const slot = best[feature.example]![word]!;
      if (centrality > slot.centrality) {
        slot.label = argmax(logits, t * labels.length, labels.length);
        slot.centrality = centrality;
      }
    });
  });
  const predicted = best.map((words) => words.map((w) => labels[w.label]!));
  const metrics = nerMetrics(sentences.map((s) => s.tags), predicted);
  // Word-level tags (B-PER against I-PER, ...): where the entity scores' errors come from.
  const confusion = confusionMatrix(sentences.flatMap((s) => s.tags), predicted.flat(), labels);
  return { score: metrics.f1, precision: metrics.precision, recall: metrics.recall, f1: metrics.f1, per_label: metrics.perLabel, confusion };
}

/** The gold labels of a multi-label example: its list, else its label split at commas (the file formats' convention). */
export function multiLabelsOf(example: { label: string; labels?: readonly string[] }): string[] {
  return example.labels ? [...example.labels] : example.label.split(',').map((l) => l.trim()).filter((l) => l !== '');
}

/**
 * Multi-label scores (HF problem_type multi_label_classification): a label is predicted when its
 * averaged logit is above 0 (sigmoid > 0.5), as HF's run_classification.py
 * reads multi-label predictions (`np.where(p > 0, 1, 0)`). `score` is the micro-averaged F1 over every
 * (example, label) decision; `accuracy` is the exact-match ratio (sklearn's accuracy_score on label
 * sets), `macro_f1` the unweighted mean of the per-label F1.
 */
export function multiLabelEvalMetrics(
  examples: ReadonlyArray<{ label: string; labels?: readonly string[] }>,
  features: readonly Feature[],
  outputs: RowOutputs,
  labels: readonly string[],
): EvalMetrics {
  const width = labels.length;
  const sums = examples.map(() => new Float64Array(width));
  const counts = examples.map(() => 0);
  features.forEach((feature, row) => {
    outputs[row]!.logits!.forEach((v, k) => (sums[feature.example]![k]! += v));
    counts[feature.example]!++;
  });
  const perLabel: Record<string, LabelScores> = {};
  let tp = 0;
  let predicted = 0;
  let gold = 0;
  let exact = 0;
  const golds = examples.map((e) => new Set(multiLabelsOf(e)));
  const predictions = sums.map((s, i) => new Set(labels.filter((_, k) => counts[i]! > 0 && s[k]! / counts[i]! > 0)));
  examples.forEach((_, i) => {
    if (golds[i]!.size === predictions[i]!.size && [...golds[i]!].every((l) => predictions[i]!.has(l))) exact++;
  });
  for (const label of labels) {
    let labelTp = 0;
    let labelPred = 0;
    let labelGold = 0;
    examples.forEach((_, i) => {
      const g = golds[i]!.has(label);
      const p = predictions[i]!.has(label);
      if (g) labelGold++;
      if (p) labelPred++;
      if (g && p) labelTp++;
    });
    perLabel[label] = { ...scores(labelTp, labelPred, labelGold), support: labelGold };
    tp += labelTp;
    predicted += labelPred;
    gold += labelGold;
  }
  const micro = scores(tp, predicted, gold);
  const f1s = Object.values(perLabel).map((s) => s.f1);
  return {
    score: micro.f1,
    micro_f1: micro.f1,
    accuracy: examples.length ? exact / examples.length : 0,
    macro_f1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0,
    per_label: perLabel,
  };
}

/** Accuracy and macro F1 (or MSE for regression); a windowed example averages its windows' logits. */
export function classificationEvalMetrics(
  examples: ReadonlyArray<{ label: string }>,
  features: readonly Feature[],
  outputs: RowOutputs,
  labels: readonly string[],
  regression: boolean,
): EvalMetrics {
  const width = outputs[0]!.logits!.length;
  const sums = examples.map(() => new Float64Array(width));
  const counts = examples.map(() => 0);
  features.forEach((feature, row) => {
    outputs[row]!.logits!.forEach((v, k) => (sums[feature.example]![k]! += v));
    counts[feature.example]!++;
  });
  if (regression) {
    let squared = 0;
    examples.forEach((e, i) => (squared += (sums[i]![0]! / counts[i]! - Number(e.label)) ** 2));
    const mse = squared / examples.length;
    return { score: -mse, mse };
  }
  const predicted = sums.map((s) => argmax(s, 0, width));
  const gold = examples.map((e) => labels.indexOf(e.label));
  const metrics = classificationMetrics(gold, predicted, labels);
  const confusion = confusionMatrix(examples.map((e) => e.label), predicted.map((k) => labels[k] ?? String(k)), labels);
  return { score: metrics.accuracy, accuracy: metrics.accuracy, macro_f1: metrics.macroF1, per_label: metrics.perLabel, confusion };
}

/** SQuAD exact match and F1 of the best answer per example (HF QA postprocessing over its windows). */
export function qaEvalMetrics(
  examples: readonly QaExample[],
  features: readonly Feature[],
  outputs: RowOutputs,
  tokenizer: Tokenizer,
  windows: { maxLength: number; docStride: number },
): EvalMetrics {
  const byExample = new Map<number, number[]>();
  features.forEach((f, row) => byExample.set(f.example, [...(byExample.get(f.example) ?? []), row]));
  let exact = 0;
  let f1 = 0;
  examples.forEach((example, i) => {
    const encodings = tokenizer.pairWindows(example.question, example.context, { maxLength: windows.maxLength, stride: windows.docStride });
    const rows = byExample.get(i) ?? [];
    const answers = postprocessQuestionAnswering(
      encodings.map((encoding, w) => ({ encoding, startLogits: outputs[rows[w]!]!.start_logits!, endLogits: outputs[rows[w]!]!.end_logits! })),
      { context: example.context, topK: 1, clsTokenId: tokenizer.clsTokenId },
    );
    const scores = squadScores(answers[0]?.answer ?? '', example.answers);
    exact += scores.exactMatch;
    f1 += scores.f1;
  });
  const n = Math.max(1, examples.length);
  return { score: f1 / n, exact_match: exact / n, f1: f1 / n };
}
