import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AnnotatedDocument } from '../../core/data/annotation';
import { categoryExamples, type CategoryProblemType } from '../../core/data/categoryExamples';
import type { ParseIssue } from '../../core/data/parseResult';
import { nerSentencesOfDocuments } from '../../core/finetune/datasetSummary';
import { splitDev } from '../../core/finetune/devSplit';
import { DataError, readTaskData, type TaskData } from '../../core/train/trainingData';
import type { TrainData, TrainDev } from '../jobKinds';
import { DEFAULT_SEGMENTATION } from '../../core/tasks/shared/segmentation';

/** Files a dev folder may hold: the NER and classification formats readTaskData detects. */
export const DATA_FILE = /\.(conll|conllu|bio|iob|iob2|txt|tsv|jsonl|json)$/i;

export interface LoadedTrainData {
  train: TaskData;
  eval?: TaskData;
  /** Lines for the panel: skipped records, spans off word boundaries, the split. */
  notes: string[];
  /** Classification from text-category annotations: single- or multi-label, as the decisions say. */
  problemType?: CategoryProblemType;
}

type Task = 'ner' | 'classify';

function emptyData(task: Task): TaskData {
  return task === 'ner' ? { task, sentences: [], issues: [] } : { task, examples: [], issues: [] };
}

function rows(data: TaskData): unknown[] {
  if (data.task === 'ner') return data.sentences;
  if (data.task === 'classify') return data.examples;
  throw new DataError(`unexpected ${data.task} data`);
}

function withRows(data: TaskData, items: unknown[]): TaskData {
  if (data.task === 'ner') return { ...data, sentences: items as typeof data.sentences };
  if (data.task === 'classify') return { ...data, examples: items as typeof data.examples };
  throw new DataError(`unexpected ${data.task} data`);
}

function merge(task: Task, parts: readonly TaskData[]): TaskData {
  return parts.reduce((all, part) => {
    const merged = withRows(all, [...rows(all), ...rows(part)]);
    merged.issues = [...all.issues, ...part.issues];
    return merged;
  }, emptyData(task));
}

function issueNotes(what: string, issues: readonly ParseIssue[]): string[] {
  if (issues.length === 0) return [];
  const shown = issues.slice(0, 5).map((i) => `${path.basename(i.file)}${i.line > 0 ? `:${i.line}` : ''}: ${i.message}`);
  return [`${what}: ${issues.length} record(s) skipped or changed — ${shown.join('; ')}${issues.length > shown.length ? '; …' : ''}`];
}

/** A dev file, or every data file of a folder (sorted by name). */
export async function readDevSet(task: Task, devPath: string): Promise<TaskData> {
  const stat = await fs.stat(devPath).catch(() => undefined);
  if (!stat) throw new DataError(`${devPath}: no such file or folder (dev set)`);
  if (!stat.isDirectory()) return readTaskData(task, devPath);
  const names = (await fs.readdir(devPath)).filter((n) => DATA_FILE.test(n)).sort();
  const files: string[] = [];
  for (const name of names) if ((await fs.stat(path.join(devPath, name))).isFile()) files.push(path.join(devPath, name));
  if (files.length === 0) throw new DataError(`${devPath}: the dev folder has no data files (.conll, .bio, .iob, .txt, .tsv, .jsonl, .json)`);
  const parts: TaskData[] = [];
  for (const file of files) parts.push(await readTaskData(task, file));
  return merge(task, parts);
}

/** The training data of a job and its dev set, as the trainer takes them. */
export async function loadTrainData(task: Task, data: TrainData, dev: TrainDev, seed: number): Promise<LoadedTrainData> {
  const notes: string[] = [];
  let all: TaskData;
  let problemType: CategoryProblemType | undefined;
  if (data.kind === 'documents' && task === 'classify') {
    const built = categoryExamples(data.documents as AnnotatedDocument[], { unit: data.unit ?? 'all' });
    if (built.examples.length === 0) throw new DataError(`the workspace annotations have no text categories${data.unit && data.unit !== 'all' ? ` on ${data.unit === 'document' ? 'whole documents' : 'paragraphs or selections'}` : ''} to train on: label paragraphs or documents with "Label Paragraph with Categories…" first, or train from a data file`);
    all = { task: 'classify', examples: built.examples.map(({ text, label, labels, line }) => ({ text, label, labels, line })), issues: [] };
    problemType = built.problemType;
    notes.push(`${built.examples.length} classification example(s) from the text categories (${problemType === 'multi_label_classification' ? 'multi-label' : 'single-label'})`);
    if (built.skipped.length > 0) notes.push(`${built.skipped.length} decision(s) left out: ${built.skipped.slice(0, 3).join('; ')}${built.skipped.length > 3 ? '; …' : ''}`);
  } else if (data.kind === 'documents') {
    const { sentences, alignmentWarnings } = nerSentencesOfDocuments(data.documents as AnnotatedDocument[], data.segmentation ?? DEFAULT_SEGMENTATION);
    all = { task: 'ner', sentences, issues: [] };
    if (alignmentWarnings.length > 0) notes.push(`${alignmentWarnings.length} span(s) did not fall on word boundaries and were widened or left out: ${alignmentWarnings.slice(0, 3).join('; ')}`);
  } else {
    all = await readTaskData(task, data.path);
    notes.push(...issueNotes(path.basename(data.path), all.issues));
  }
  if (dev.kind === 'ratio') {
    const { train, dev: held } = splitDev(rows(all), dev.ratio, seed);
    notes.push(`dev split: ${held.length} of ${train.length + held.length} examples held out (ratio ${dev.ratio}, seed ${seed})`);
    return { train: withRows(all, train), eval: held.length > 0 ? withRows({ ...all, issues: [] }, held) : undefined, notes, ...(problemType ? { problemType } : {}) };
  }
  if (dev.kind === 'path') {
    const evalData = await readDevSet(task, dev.path);
    notes.push(...issueNotes('dev set', evalData.issues));
    if (rows(evalData).length === 0) throw new DataError(`${dev.path}: the dev set has no usable examples`);
    return { train: all, eval: evalData, notes, ...(problemType ? { problemType } : {}) };
  }
  return { train: all, notes, ...(problemType ? { problemType } : {}) };
}
