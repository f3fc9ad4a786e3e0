import { promises as fs } from 'node:fs';
import { readClassificationExamples, readNerSentences, type NerSentence } from '../data/datasets';
import type { ParseIssue } from '../data/parseResult';
import { decodeText, type DecodeOptions } from '../util/textFile';

export type TrainTask = 'ner' | 'classify' | 'qa' | 'mlm';

export interface QaExample {
  question: string;
  context: string;
  /** null: unanswerable (SQuAD v2). */
  answerStart: number | null;
  answerText: string;
  answers: string[];
}

export interface ClassificationExample {
  text: string;
  /** The label (single-label, regression); for multi-label files the labels joined by commas. */
  label: string;
  line: number;
  /** Multi-label examples built from annotations: every label that applies (labels may contain commas). */
  labels?: string[];
}

export type TaskData =
  | { task: 'ner'; sentences: NerSentence[]; issues: ParseIssue[] }
  | { task: 'classify'; examples: ClassificationExample[]; issues: ParseIssue[] }
  | { task: 'qa'; examples: QaExample[]; issues: ParseIssue[] }
  | { task: 'mlm'; texts: string[]; issues: ParseIssue[] };

export class DataError extends Error {}

/** WikiANN writes `en:Word`: strip a language prefix when (nearly) every token has the same one. */
function languagePrefix(text: string): string | undefined {
  const counts = new Map<string, number>();
  let tokens = 0;
  for (const line of text.split('\n', 2000)) {
    const token = line.split(/\s/)[0];
    if (!token) continue;
    tokens++;
    const match = /^([a-z]{2,3}):./.exec(token);
    if (match) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  const [best, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  return best && tokens > 0 && count / tokens > 0.95 ? best : undefined;
}

function parseQa(text: string, file: string): { examples: QaExample[]; issues: ParseIssue[] } {
  const examples: QaExample[] = [];
  const issues: ParseIssue[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const record = JSON.parse(line) as { question?: unknown; context?: unknown; answers?: { text?: unknown; answer_start?: unknown } };
      if (typeof record.question !== 'string' || typeof record.context !== 'string') throw new Error('needs "question" and "context" strings');
      const texts = Array.isArray(record.answers?.text) ? (record.answers!.text as unknown[]).map(String) : [];
      const starts = Array.isArray(record.answers?.answer_start) ? (record.answers!.answer_start as unknown[]).map(Number) : [];
      if (texts.length !== starts.length) throw new Error('answers.text and answers.answer_start differ in length');
      const start = starts[0];
      if (start !== undefined && record.context.slice(start, start + texts[0]!.length) !== texts[0]) {
        throw new Error(`answer "${texts[0]}" is not at offset ${start} of the context`);
      }
      examples.push({ question: record.question, context: record.context, answerStart: start ?? null, answerText: texts[0] ?? '', answers: texts });
    } catch (error) {
      issues.push({ file, line: i + 1, message: (error as Error).message });
    }
  });
  return { examples, issues };
}

/**
 * Reads a training or evaluation file for a task: CoNLL/BIO, Prodigy JSONL, HF token JSONL or Label
 * Studio for NER; TSV or JSONL for classification; SQuAD-style JSONL for QA; plain text (one text
 * per line) for masked-LM; `options.encoding` as for decodeText. Bad records are reported with their line and skipped.
 */
export async function readTaskData(task: TrainTask, file: string, options: DecodeOptions = {}): Promise<TaskData> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new DataError(`${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const text = decodeText(bytes, file, options);
  switch (task) {
    case 'ner': {
      const prefix = languagePrefix(text);
      const data = readNerSentences(text, { file, stripLanguagePrefix: prefix ?? false });
      return { task, sentences: data.records, issues: [...data.errors, ...data.warnings] };
    }
    case 'classify': {
      const data = readClassificationExamples(text, { file });
      return { task, examples: data.records, issues: [...data.errors, ...data.warnings] };
    }
    case 'qa':
      return { task, ...parseQa(text, file) };
    case 'mlm':
      return { task, texts: text.split(/\r?\n/).filter((line) => line.trim() !== ''), issues: [] };
  }
}

export function exampleCount(data: TaskData): number {
  switch (data.task) {
    case 'ner':
      return data.sentences.length;
    case 'classify':
    case 'qa':
      return data.examples.length;
    case 'mlm':
      return data.texts.length;
  }
}

/** HF's placeholder names (LABEL_0, LABEL_1, ...) for a config that never saw real labels. */
export function isGenericLabelSet(labels: readonly string[]): boolean {
  return labels.every((l, i) => l === `LABEL_${i}`);
}

/**
 * The label list for a NER head: the model's own labels when it already has a NER head (new labels
 * from the data appended, "extending the head"), else the data's labels sorted, as HF's run_ner.py
 * builds label_list (so that a checkpoint with placeholder labels maps rows the same way).
 */
export function nerLabels(sentences: readonly NerSentence[], modelLabels: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const s of sentences) for (const t of s.tags) seen.add(t);
  if (!isGenericLabelSet(modelLabels)) return [...modelLabels, ...[...seen].filter((l) => !modelLabels.includes(l)).sort()];
  return [...seen].sort();
}

export function classificationLabelList(examples: ReadonlyArray<{ label: string; labels?: readonly string[] }>, modelLabels: readonly string[], multiLabel = false): string[] {
  // Multi-label: the labels of the sets, never the sets themselves.
  const seen = [...new Set(examples.flatMap((e) => (multiLabel ? e.labels ?? e.label.split(',').map((l) => l.trim()).filter((l) => l !== '') : [e.label])))];
  if (!isGenericLabelSet(modelLabels)) return [...modelLabels, ...seen.filter((l) => !modelLabels.includes(l)).sort()];
  return seen.every((l) => /^-?\d+$/.test(l)) ? seen.sort((a, b) => Number(a) - Number(b)) : seen.sort();
}
