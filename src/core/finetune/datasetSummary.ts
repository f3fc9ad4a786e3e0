import type { AnnotatedDocument } from '../data/annotation';
import type { NerSentence } from '../data/datasets';
import { describeAlignmentIssue, documentsToSentences } from '../data/tokenDocuments';
import type { ParseIssue } from '../data/parseResult';
import { devCount } from './devSplit';
import type { DatasetSummary, FinetuneTask, LabelCount } from './types';
import { DEFAULT_SEGMENTATION, type SegmentationMode } from '../tasks/shared/segmentation';

/**
 * What the fine-tune panel shows about the data before training, and what stops a start: the same
 * checks whether the data comes from the workspace's annotation store or from a file.
 */

export type { DatasetSummary, FinetuneTask, LabelCount } from './types';

/** Labels with fewer examples than this get a warning (the panel's "labels with < 5 examples"). */
export const FEW_EXAMPLES = 5;

export type DevSpec = { ratio: number } | { examples: number };

const MAX_LISTED_ISSUES = 3;

function listIssues(what: string, issues: readonly string[]): string[] {
  if (issues.length === 0) return [];
  const shown = issues.slice(0, MAX_LISTED_ISSUES);
  const more = issues.length - shown.length;
  return [`${issues.length} ${what}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}`];
}

function sortedCounts(counts: Map<string, number>): LabelCount[] {
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
}

function split(examples: number, dev: DevSpec): { train: number; dev: number; warnings: string[] } {
  if ('examples' in dev) return { train: examples, dev: dev.examples, warnings: [] };
  const count = devCount(examples, dev.ratio);
  const warnings = dev.ratio > 0 && count === 0 ? ['too few examples for a dev split: training runs without evaluation'] : [];
  return { train: examples - count, dev: count, warnings };
}

function labelChecks(task: FinetuneTask, labelCounts: readonly LabelCount[]): { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  if (task === 'classify' && labelCounts.length === 1) {
    errors.push(`Every example has the label "${labelCounts[0]!.label}": classification needs at least two labels.`);
  }
  if (task === 'ner' && labelCounts.length === 1) {
    warnings.push(`Only one label ("${labelCounts[0]!.label}"): the model learns to find it, not to tell entity types apart.`);
  }
  for (const { label, count } of labelCounts) {
    if (count < FEW_EXAMPLES) warnings.push(`"${label}" has ${count} example${count === 1 ? '' : 's'} (fewer than ${FEW_EXAMPLES}): the model will hardly learn it.`);
  }
  return { warnings, errors };
}

/** Store documents → the NER training rows exactly as the training job builds them (documentsToSentences, spans widened to whole words). */
export function nerSentencesOfDocuments(
  documents: readonly AnnotatedDocument[], segmentation: SegmentationMode = DEFAULT_SEGMENTATION,
): { sentences: NerSentence[]; alignmentWarnings: string[] } {
  const { sentences, alignment } = documentsToSentences(documents, { snap: 'outward', segmentation });
  return {
    sentences: sentences.map((s) => ({ tokens: s.tokens, tags: s.tags, line: s.documentIndex + 1 })),
    alignmentWarnings: alignment.map(describeAlignmentIssue),
  };
}

export function summarizeNerDocuments(
  documents: readonly AnnotatedDocument[], dev: DevSpec, source = 'workspace annotations', segmentation: SegmentationMode = DEFAULT_SEGMENTATION,
): DatasetSummary {
  const counts = new Map<string, number>();
  for (const document of documents) for (const span of document.spans) counts.set(span.label, (counts.get(span.label) ?? 0) + 1);
  const { sentences, alignmentWarnings } = nerSentencesOfDocuments(documents, segmentation);
  const labelCounts = sortedCounts(counts);
  const halves = split(sentences.length, dev);
  const checks = labelChecks('ner', labelCounts);
  const errors = documents.length === 0
    ? ['No annotations yet: label entities in a document first (they are stored in .bert-lens/annotations.jsonl), or train from a data file.']
    : labelCounts.length === 0
      ? [`The ${documents.length} annotated document${documents.length === 1 ? ' has' : 's have'} no labelled spans: a NER model needs examples of entities.`]
      : [];
  return {
    task: 'ner', source, documents: documents.length, examples: sentences.length, labelCounts, train: halves.train, dev: halves.dev,
    warnings: [...checks.warnings, ...halves.warnings, ...listIssues('spans were widened to whole words or left out', alignmentWarnings)],
    errors: [...errors, ...checks.errors],
  };
}

function describeIssue(issue: ParseIssue): string {
  return issue.line > 0 ? `line ${issue.line}: ${issue.message}` : issue.message;
}

/** NER rows read from a file (CoNLL, Prodigy, HF JSONL, Label Studio); entities counted from the B- tags. */
export function summarizeNerSentences(sentences: readonly NerSentence[], issues: readonly ParseIssue[], dev: DevSpec, source: string): DatasetSummary {
  const counts = new Map<string, number>();
  for (const sentence of sentences) {
    for (const tag of sentence.tags) if (tag.startsWith('B-')) counts.set(tag.slice(2), (counts.get(tag.slice(2)) ?? 0) + 1);
  }
  const labelCounts = sortedCounts(counts);
  const halves = split(sentences.length, dev);
  const checks = labelChecks('ner', labelCounts);
  const errors = sentences.length === 0
    ? [`${source} has no usable sentences.`]
    : labelCounts.length === 0 ? [`${source} has no entities (every tag is O): a NER model needs examples of entities.`] : [];
  return {
    task: 'ner', source, documents: sentences.length, examples: sentences.length, labelCounts, train: halves.train, dev: halves.dev,
    warnings: [...checks.warnings, ...halves.warnings, ...listIssues('records were skipped or changed', issues.map(describeIssue))],
    errors: [...errors, ...checks.errors],
  };
}

export function summarizeClassification(examples: ReadonlyArray<{ label: string }>, issues: readonly ParseIssue[], dev: DevSpec, source: string): DatasetSummary {
  const counts = new Map<string, number>();
  for (const example of examples) counts.set(example.label, (counts.get(example.label) ?? 0) + 1);
  const labelCounts = sortedCounts(counts);
  const halves = split(examples.length, dev);
  const checks = labelChecks('classify', labelCounts);
  return {
    task: 'classify', source, documents: examples.length, examples: examples.length, labelCounts, train: halves.train, dev: halves.dev,
    warnings: [...checks.warnings, ...halves.warnings, ...listIssues('records were skipped', issues.map(describeIssue))],
    errors: [...(examples.length === 0 ? [`${source} has no usable examples.`] : []), ...checks.errors],
  };
}
