import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnnotatedDocument } from '../../core/data/annotation';
import { CATEGORY_EXAMPLE_UNITS, categoryExamples, hasCategoryAnnotations, type CategoryExampleUnit } from '../../core/data/categoryExamples';
import { checkBaseModel } from '../../core/finetune/baseModelCheck';
import { summarizeClassification, summarizeNerDocuments, summarizeNerSentences, type DevSpec } from '../../core/finetune/datasetSummary';
import type { DatasetSummary, FinetuneTask } from '../../core/finetune/types';
import { readTaskData } from '../../core/train/trainingData';
import type { TrainPayload } from '../../worker/jobKinds';
import { readDevSet } from '../../worker/jobs/trainData';
import { parseForm, type FormFields } from '../../../webview/form';
import type { Notice } from '../../../webview/protocol';
import type { SegmentationMode } from '../../core/tasks/shared/segmentation';

/** What the panel's host needs from the editor, as plain values and functions (tests pass their own). */
export interface FinetuneEnvironment {
  /** The workspace folder the annotations and runs belong to; undefined without one. */
  workspaceDir: string | undefined;
  /** The bundled model folder of a task (models/ner, models/sentiment). */
  bundledModel(task: FinetuneTask): string;
  /** The annotation store's documents (`.bert-lens/annotations.jsonl`). */
  loadDocuments(): Promise<AnnotatedDocument[]>;
  /** bertLens.inference.segmentation: NER rows from documents are cut as Recognize Entities cuts text. */
  segmentation?: SegmentationMode;
  /** Where the next run's folder is created. */
  createRunDir(task: FinetuneTask): Promise<string>;
  hub: { cacheDir?: string; endpoint?: string; offline?: boolean };
}

/** A path as typed in the panel: `~/x`, absolute, or relative to the workspace folder. */
export function resolveUserPath(value: string, workspaceDir: string | undefined): string {
  const trimmed = value.trim();
  if (trimmed === '~' || trimmed.startsWith('~/')) return path.join(os.homedir(), trimmed.slice(1));
  if (path.isAbsolute(trimmed)) return path.normalize(trimmed);
  if (!workspaceDir) throw new Error(`"${trimmed}" is a relative path: open a workspace folder or give an absolute path`);
  return path.resolve(workspaceDir, trimmed);
}

/**
 * The dataset of classification from the workspace annotations: one example per text-category
 * decision (categoryExamples); multi-label decisions count each label they accept.
 */
export function summarizeCategoryDocuments(documents: readonly AnnotatedDocument[], dev: DevSpec, unit: CategoryExampleUnit = 'all'): DatasetSummary {
  const source = 'workspace annotations (text categories)';
  if (!hasCategoryAnnotations(documents)) {
    return failedSummary('classify', source, 'The workspace annotations have no text categories: label paragraphs or documents with "Label Paragraph with Categories…" (or Accept Classifications), or train from a data file (TSV text<TAB>label, or JSONL {"text","label"}).');
  }
  const built = categoryExamples(documents, { unit });
  if (unit !== 'all' && built.examples.length === 0 && built.skipped.length === 0) {
    const which = unit === 'document' ? 'whole documents ("Label Document with Categories…")' : 'paragraphs or selections ("Label Paragraph with Categories…")';
    return failedSummary('classify', source, `The workspace annotations have no text categories on ${which}: choose other examples, or label some first.`);
  }
  const summary = summarizeClassification(built.examples, [], dev, source);
  const skipped = built.skipped.length > 0 ? [`${built.skipped.length} decision(s) left out: ${built.skipped.slice(0, 3).join('; ')}${built.skipped.length > 3 ? '; …' : ''}`] : [];
  const documentCount = documents.filter((document) => (document.categories ?? []).length > 0).length;
  if (built.problemType === 'single_label_classification') return { ...summary, documents: documentCount, warnings: [...summary.warnings, ...skipped] };
  // Multi-label: the label checks and counts go by label, the example counts by example.
  const byLabel = summarizeClassification(built.examples.flatMap((e) => e.labels.map((label) => ({ label }))), [], { ratio: 0 }, source);
  return {
    ...summary,
    documents: documentCount,
    labelCounts: byLabel.labelCounts,
    warnings: [`Multi-label (problem_type multi_label_classification): ${built.labels.length} label(s), any number per example.`, ...byLabel.warnings, ...skipped],
    errors: [...(built.examples.length === 0 ? [`${source} has no usable examples.`] : []), ...byLabel.errors],
  };
}

/** The example unit the fields choose (all when the field holds something else: parseForm reports it). */
function categoryUnitOf(fields: FormFields): CategoryExampleUnit {
  return (CATEGORY_EXAMPLE_UNITS as readonly string[]).includes(fields.categoryUnit) ? (fields.categoryUnit as CategoryExampleUnit) : 'all';
}

function failedSummary(task: FinetuneTask, source: string, message: string): DatasetSummary {
  return { task, source, documents: 0, examples: 0, labelCounts: [], train: 0, dev: 0, warnings: [], errors: [message] };
}

/**
 * The dataset section of the panel for the data the fields point at. Never throws: a file that cannot
 * be read, or no workspace, becomes the summary's error. null while there is nothing to read yet.
 */
export async function summarizeData(fields: FormFields, env: Pick<FinetuneEnvironment, 'workspaceDir' | 'loadDocuments' | 'segmentation'>): Promise<DatasetSummary | null> {
  const task: FinetuneTask = fields.task === 'classify' ? 'classify' : 'ner';
  // Only the data fields matter here; the rest may be half-typed.
  const ratio = Number(fields.devRatio);
  const dev: DevSpec = fields.devKind === 'ratio' && ratio > 0 && ratio < 1 ? { ratio } : { ratio: 0 };
  let summary: DatasetSummary;
  if (fields.dataSource === 'file') {
    if (fields.dataFile.trim() === '') return null;
    let file: string;
    try {
      file = resolveUserPath(fields.dataFile, env.workspaceDir);
      const data = await readTaskData(task, file);
      summary = data.task === 'ner'
        ? summarizeNerSentences(data.sentences, data.issues, dev, path.basename(file))
        : data.task === 'classify' ? summarizeClassification(data.examples, data.issues, dev, path.basename(file)) : failedSummary(task, file, 'unexpected data');
    } catch (error) {
      return failedSummary(task, fields.dataFile, (error as Error).message);
    }
  } else {
    if (!env.workspaceDir) return failedSummary(task, 'workspace annotations', 'Open a folder: annotations live in .bert-lens/annotations.jsonl of the workspace. Or train from a data file.');
    try {
      const documents = await env.loadDocuments();
      summary = task === 'classify' ? summarizeCategoryDocuments(documents, dev, categoryUnitOf(fields)) : summarizeNerDocuments(documents, dev, undefined, env.segmentation);
    } catch (error) {
      return failedSummary(task, 'workspace annotations', `Could not read the annotations: ${(error as Error).message}`);
    }
  }
  if (fields.devKind === 'path' && fields.devPath.trim() !== '') {
    try {
      const devPath = resolveUserPath(fields.devPath, env.workspaceDir);
      const devData = await readDevSet(task, devPath);
      summary = { ...summary, dev: devData.task === 'ner' ? devData.sentences.length : devData.task === 'classify' ? devData.examples.length : 0 };
    } catch (error) {
      summary = { ...summary, errors: [...summary.errors, `Dev set: ${(error as Error).message}`] };
    }
  }
  return summary;
}

export interface StartPlan {
  payload?: TrainPayload;
  notices: Notice[];
}

/**
 * Everything that is checked before a job starts, with a message for each problem: the fields (the
 * same parser as the webview), the data (no annotations, one label, unreadable file), and the base
 * model (a folder without safetensors, or a head that will be replaced). No payload when any error.
 */
export async function planStart(fields: FormFields, env: FinetuneEnvironment): Promise<StartPlan> {
  const { request, errors } = parseForm(fields);
  if (!request) return { notices: Object.values(errors).map((text) => ({ level: 'error', text: `Cannot start: ${text}` })) };
  const notices: Notice[] = [];
  const error = (text: string): StartPlan => ({ notices: [...notices, { level: 'error', text }] });

  const summary = await summarizeData(fields, env);
  if (!summary) return error('Cannot start: choose the training data first.');
  if (summary.errors.length > 0) return { notices: [...notices, ...summary.errors.map((text): Notice => ({ level: 'error', text: `Cannot start: ${text}` }))] };
  notices.push(...summary.warnings.map((text): Notice => ({ level: 'warning', text })));
  if (summary.train === 0) return error('Cannot start: no training examples are left after the dev split.');

  let reference: string;
  try {
    reference = request.baseModel.kind === 'bundled' ? env.bundledModel(request.task)
      : request.baseModel.kind === 'hub' ? request.baseModel.value
        : resolveUserPath(request.baseModel.value, env.workspaceDir);
  } catch (problem) {
    return error(`Cannot start: ${(problem as Error).message}`);
  }
  if (request.baseModel.kind !== 'hub') {
    const check = await checkBaseModel(reference, request.task, summary.labelCounts.map((c) => c.label), request.args.max_seq_length);
    if (check.errors.length > 0) return { notices: [...notices, ...check.errors.map((text): Notice => ({ level: 'error', text: `Cannot start: ${text}` }))] };
    notices.push(...check.warnings.map((text): Notice => ({ level: 'warning', text })));
  }

  let data: TrainPayload['data'];
  let dev: TrainPayload['dev'] = request.dev;
  try {
    data = request.data.kind === 'store'
      ? { kind: 'documents', documents: await env.loadDocuments(), segmentation: env.segmentation, ...(request.data.unit ? { unit: request.data.unit } : {}) }
      : { kind: 'file', path: resolveUserPath(request.data.path, env.workspaceDir) };
    if (request.dev.kind === 'path') {
      const devPath = resolveUserPath(request.dev.path, env.workspaceDir);
      if (!(await fs.stat(devPath).catch(() => undefined))) return error(`Cannot start: the dev set ${devPath} does not exist.`);
      dev = { kind: 'path', path: devPath };
    }
  } catch (problem) {
    return error(`Cannot start: ${(problem as Error).message}`);
  }
  const outputDir = await env.createRunDir(request.task);
  return {
    notices,
    payload: {
      task: request.task,
      model: { reference, hubCacheDir: env.hub.cacheDir, endpoint: env.hub.endpoint, offline: env.hub.offline },
      data,
      dev,
      args: { ...request.args },
      trainLayers: request.trainLayers,
      outputDir,
    },
  };
}
