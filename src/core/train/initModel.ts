import type { BertConfig } from '../bert/config';
import { labelList } from '../bert/config';
import type { HeadKind } from '../bert/heads';
import { initWeight } from '../bert/init';
import { canonicalName, weightSpecs } from '../bert/weightNames';
import { loadSafetensorsWeights, type ModelFolder } from '../runtime/modelFolder';
import { Random } from '../util/random';

export interface InitReport {
  /** Weights the head needs that the checkpoint lacks: initialized as HF does (normal(0, initializer_range), zero bias). */
  newlyInitialized: string[];
  /** Checkpoint weights the head does not use (e.g. cls.* or the pooler for token classification). */
  unused: string[];
  /** Head rows kept for labels the checkpoint already knew, when the label set changed. */
  keptLabels: string[];
  /** Labels the checkpoint did not know: their classifier rows are new. */
  addedLabels: string[];
  /** Checkpoint keys renamed on load (legacy LayerNorm names, missing `bert.` prefix). */
  renamed: string[];
}

export interface InitializedModel {
  config: BertConfig;
  weights: Map<string, Float32Array>;
  report: InitReport;
}

/** Heads whose classifier rows are per-label (and so can be remapped when the label set changes). */
const LABEL_ROWS = new Set<HeadKind>(['token-classification', 'sequence-classification']);

/**
 * The weights for fine-tuning `head` from a folder's safetensors, as HF `from_pretrained` does for a
 * new task: matching weights are loaded, missing ones initialized (seeded), unused ones ignored, and
 * both lists reported. With `labels`, the head is re-shaped to that label set: rows of labels the
 * checkpoint's id2label already had are kept (matched by name), new labels get fresh rows.
 */
export async function initializeForTraining(
  folder: ModelFolder,
  head: HeadKind,
  options: { labels?: readonly string[]; seed: number; problemType?: BertConfig['problem_type'] },
): Promise<InitializedModel> {
  const checkpoint = await loadSafetensorsWeights(folder);
  const oldConfig = folder.config;
  const oldLabels = labelList(oldConfig);
  const labels = options.labels ?? oldLabels;
  const config: BertConfig = {
    ...oldConfig,
    id2label: Object.fromEntries(labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(labels.map((l, i) => [l, i])),
  };
  if (options.problemType !== undefined) config.problem_type = options.problemType;
  const specs = weightSpecs(config, head);
  const random = new Random(options.seed);
  const weights = new Map<string, Float32Array>();
  const report: InitReport = { newlyInitialized: [], unused: [], keptLabels: [], addedLabels: [], renamed: checkpoint.renamed.map((r) => `${r.from} → ${r.to}`) };
  // A checkpoint with HF's placeholder labels (LABEL_i) keeps its rows by position, as HF does when
  // run_ner/run_glue hand it the data's label list of the same size.
  const placeholders = oldLabels.every((l, i) => l === `LABEL_${i}`);
  const sameLabels = labels.length === oldLabels.length && (placeholders || labels.every((l, i) => l === oldLabels[i]));
  for (const spec of specs) {
    const source = checkpoint.has(spec.name) ? spec.name : canonicalName(config, spec.name);
    const fresh = (): Float32Array => initWeight(spec, config, random);
    if (!checkpoint.has(source)) {
      weights.set(spec.name, fresh());
      report.newlyInitialized.push(spec.name);
      continue;
    }
    const shape = checkpoint.info(source).shape;
    const data = checkpoint.float32(source);
    const sameShape = shape.length === spec.shape.length && shape.every((d, i) => d === spec.shape[i]);
    const isLabelRows = LABEL_ROWS.has(head) && (spec.name === 'classifier.weight' || spec.name === 'classifier.bias');
    if (isLabelRows && !sameLabels) {
      // Keep the rows of labels both sets share; everything else starts fresh.
      const rowWidth = spec.shape.length === 2 ? spec.shape[1]! : 1;
      const oldRows = shape[0] ?? 0;
      const out = fresh();
      labels.forEach((label, row) => {
        const oldRow = oldLabels.indexOf(label);
        if (oldRow >= 0 && oldRow < oldRows && (shape.length === 1 || shape[1] === rowWidth)) {
          out.set(data.subarray(oldRow * rowWidth, (oldRow + 1) * rowWidth), row * rowWidth);
        }
      });
      weights.set(spec.name, out);
      continue;
    }
    if (!sameShape) {
      weights.set(spec.name, fresh());
      report.newlyInitialized.push(`${spec.name} (checkpoint shape [${shape.join(', ')}], needed [${spec.shape.join(', ')}])`);
      continue;
    }
    weights.set(spec.name, Float32Array.from(data));
  }
  if (LABEL_ROWS.has(head) && !sameLabels) {
    for (const label of labels) (oldLabels.includes(label) && checkpoint.has('classifier.weight') ? report.keptLabels : report.addedLabels).push(label);
  }
  const used = new Set(specs.map((s) => s.name));
  for (const name of checkpoint.names()) {
    if (!used.has(name) && !used.has(canonicalName(config, name)) && !name.endsWith('embeddings.position_ids')) report.unused.push(name);
  }
  return { config, weights, report };
}

/** HF's warning, in one paragraph per list, for the log and the panel. */
export function describeInitReport(report: InitReport, reference: string): string[] {
  const lines: string[] = [];
  const list = (names: string[]) => (names.length > 6 ? `${names.slice(0, 6).join(', ')} and ${names.length - 6} more` : names.join(', '));
  if (report.unused.length) lines.push(`Some weights of ${reference} were not used: ${list(report.unused)}.`);
  if (report.newlyInitialized.length) lines.push(`Some weights were not in ${reference} and are newly initialized: ${list(report.newlyInitialized)}. Train the model on a task before using it for predictions.`);
  if (report.addedLabels.length) lines.push(`Labels new to ${reference} (fresh classifier rows): ${report.addedLabels.join(', ')}.`);
  if (report.renamed.length) lines.push(`Renamed on load: ${list(report.renamed)}.`);
  return lines;
}
