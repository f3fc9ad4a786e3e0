import { labelProblem } from '../annotation';
import { isPlainObject } from '../jsonLines';
import { describeError, lineIndex, splitLines, type ParseIssue } from '../parseResult';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../util/jsonDepth';
import { jsonSyntaxErrorOffset } from '../../util/jsonSyntax';

/** Bad names whose line is looked up in the text (each lookup scans it): enough to show, never quadratic. */
const LOCATED_PROBLEMS = 100;

/**
 * Label names for integer tags, from whichever file a dataset ships: a JSON array; an object with
 * "label_names" or "names"; HF `dataset_info.json` / `dataset_infos.json` (features.ner_tags as a
 * Sequence of ClassLabel, or features.label as ClassLabel); a model `config.json` (`id2label`); or
 * plain text, one name per line.
 */
export function parseLabelNames(text: string, file = '<labels>'): { labelNames: string[]; errors: ParseIssue[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { labelNames: [], errors: [{ file, line: 1, message: 'the label file is empty' }] };
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) {
    const labelNames: string[] = [];
    const errors: ParseIssue[] = [];
    for (const { line, text: lineText } of splitLines(text)) {
      const name = lineText.trim();
      if (name === '') continue;
      const problem = labelProblem(name);
      if (problem) errors.push({ file, line, message: problem });
      labelNames.push(name);
    }
    return { labelNames, errors };
  }
  const lineOf = lineIndex(text);
  const firstLine = lineOf(text.length - text.trimStart().length);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    const offset = jsonSyntaxErrorOffset(text);
    return { labelNames: [], errors: [{ file, line: offset === undefined ? firstLine : lineOf(offset), message: `not valid JSON: ${describeError(error)}` }] };
  }
  // findNames and classLabelNames walk nested features recursively: bound the depth first.
  if (exceedsJsonDepth(value)) return { labelNames: [], errors: [{ file, line: firstLine, message: `nested deeper than ${MAX_JSON_DEPTH} levels` }] };
  const found = findNames(value);
  if (!found) {
    return {
      labelNames: [],
      errors: [{ file, line: firstLine, message: 'no label names found (expected an array, "label_names", dataset_info features, or id2label)' }],
    };
  }
  const errors: ParseIssue[] = [];
  found.forEach((name, index) => {
    const problem = labelProblem(name);
    if (!problem) return;
    // The name's own line when its JSON spelling can be found (the usual spelling JSON.stringify gives).
    const at = errors.length < LOCATED_PROBLEMS && typeof name === 'string' ? text.indexOf(JSON.stringify(name)) : -1;
    errors.push({ file, line: at >= 0 ? lineOf(at) : firstLine, message: `label ${index}: ${problem}` });
  });
  return { labelNames: found.map(String), errors };
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

function classLabelNames(feature: unknown): string[] | undefined {
  if (!isPlainObject(feature)) return undefined;
  return stringArray(feature.names) ?? classLabelNames(feature.feature);
}

function findNames(value: unknown): string[] | undefined {
  const direct = stringArray(value);
  if (direct) return direct;
  if (!isPlainObject(value)) return undefined;
  const named = stringArray(value.label_names) ?? stringArray(value.names);
  if (named) return named;
  if (isPlainObject(value.id2label)) {
    const entries = Object.entries(value.id2label).map(([id, name]) => [Number(id), name] as const);
    if (entries.every(([id, name]) => Number.isInteger(id) && typeof name === 'string')) {
      const names: string[] = [];
      for (const [id, name] of entries) names[id] = name as string;
      if (names.length === entries.length) return names;
    }
  }
  if (isPlainObject(value.features)) {
    const features = value.features;
    for (const key of ['ner_tags', 'tags', 'labels', 'label']) {
      const names = classLabelNames(features[key]);
      if (names) return names;
    }
  }
  // dataset_infos.json: {"config name": {features: ...}}
  for (const nested of Object.values(value)) {
    if (isPlainObject(nested) && isPlainObject(nested.features)) {
      const names = findNames(nested);
      if (names) return names;
    }
  }
  return undefined;
}
