import { compareSpans, spanProblem, type AnnotatedDocument, type Span } from '../annotation';
import { parseJsonArray, type JsonElement } from '../jsonDocument';
import { isNonNegativeInteger, isPlainObject } from '../jsonLines';
import type { ExportResult, ParseIssue, ParseResult } from '../parseResult';
import { OffsetConverter, type OffsetUnit } from '../unicodeOffsets';
import { exportableMeta } from './prodigy';

/**
 * Label Studio's JSON export: an array of tasks `{"id", "data": {"text"}, "annotations": [{"result":
 * [{"type": "labels", "value": {"start","end","text","labels": [...]}}], "was_cancelled"?}], "meta"?}`.
 * Label Studio counts code points (since 1.x); older exports counted UTF-16 units. With 'auto' (the
 * default for reading) each region's "text" decides which, so both read correctly.
 */

export interface LabelStudioReadOptions {
  file?: string;
  offsetUnit?: OffsetUnit | 'auto';
  /** Key of the text in `data`; default "text". */
  textKey?: string;
  /** Read `predictions` when a task has no (non-cancelled) annotation. Default false. */
  usePredictions?: boolean;
}

export interface LabelStudioRecord extends AnnotatedDocument {
  /** 1-based line where the task starts. */
  line: number;
  taskId?: string | number;
}

/**
 * The tasks of a Label Studio export, each with its line. Every task has a "data" object and the
 * objects nested in a task (annotations, results, values) do not, so after a broken task reading
 * resumes at the next real task, even when the broken one is the first of the file.
 */
export function readLabelStudioTasks(text: string, file: string): { elements: JsonElement[]; errors: ParseIssue[] } {
  return parseJsonArray(text, file, { looksLikeElement: (value) => isPlainObject(value) && isPlainObject(value.data) });
}

export function parseLabelStudioJson(text: string, options: LabelStudioReadOptions = {}): ParseResult<LabelStudioRecord> {
  const file = options.file ?? '<label-studio>';
  const textKey = options.textKey ?? 'text';
  const unit = options.offsetUnit ?? 'auto';
  const { elements, errors } = readLabelStudioTasks(text, file);
  const warnings: ParseIssue[] = [];
  const records: LabelStudioRecord[] = [];
  const otherTypes = new Map<string, { count: number; line: number }>();

  for (const { line, index, value: task } of elements) {
    const error = (message: string): void => void errors.push({ file, line, message: `task ${index}: ${message}` });
    if (!isPlainObject(task) || !isPlainObject(task.data) || typeof task.data[textKey] !== 'string') {
      error(`expected an object with data.${textKey} as a string; task skipped`);
      continue;
    }
    const taskText = task.data[textKey] as string;
    const converter = new OffsetConverter(taskText);
    const annotations = (Array.isArray(task.annotations) ? task.annotations : []).filter(
      (annotation) => isPlainObject(annotation) && annotation.was_cancelled !== true,
    ) as Array<Record<string, unknown>>;
    let source = annotations[0];
    if (annotations.length > 1) {
      warnings.push({ file, line, message: `task ${index} has ${annotations.length} annotations; the first (id ${String(source?.id)}) was imported` });
    }
    if (!source && options.usePredictions && Array.isArray(task.predictions) && isPlainObject(task.predictions[0])) {
      source = task.predictions[0] as Record<string, unknown>;
    }
    const spans: Span[] = [];
    const results = source && Array.isArray(source.result) ? (source.result as unknown[]) : [];
    results.forEach((result, r) => {
      if (!isPlainObject(result)) {
        error(`result ${r} is not an object; skipped`);
        return;
      }
      const value = result.value;
      if (result.type !== 'labels' || !isPlainObject(value) || !Array.isArray(value.labels)) {
        const type = String(result.type);
        const entry = otherTypes.get(type) ?? { count: 0, line };
        entry.count++;
        otherTypes.set(type, entry);
        return;
      }
      if (!isNonNegativeInteger(value.start) || !isNonNegativeInteger(value.end)) {
        error(`result ${r} has no integer start/end; skipped`);
        return;
      }
      const candidates: Array<[number | undefined, number | undefined]> = [];
      if (unit !== 'utf16') candidates.push([converter.toUnit(value.start), converter.toUnit(value.end)]);
      if (unit !== 'codepoint') candidates.push([value.start, value.end]);
      const expected = typeof value.text === 'string' ? value.text : undefined;
      const chosen = candidates.find(
        ([start, end]) => start !== undefined && end !== undefined && (expected === undefined || taskText.slice(start, end) === expected),
      );
      if (!chosen) {
        error(`result ${r} [${value.start}, ${value.end}) does not cover its text ${JSON.stringify(expected)}; skipped`);
        return;
      }
      for (const label of value.labels as unknown[]) {
        const span = { start: chosen[0]!, end: chosen[1]!, label: label as string };
        const problem = spanProblem(taskText, span);
        if (problem) error(`result ${r}: ${problem.message}; skipped`);
        else spans.push(span);
      }
    });
    const meta = isPlainObject(task.meta) ? { ...task.meta } : {};
    const path =
      typeof meta.path === 'string' && meta.path !== ''
        ? meta.path
        : `${file}#task-${typeof task.id === 'number' || typeof task.id === 'string' ? task.id : index + 1}`;
    const record: LabelStudioRecord = { text: taskText, spans: spans.sort(compareSpans), meta: { ...meta, path }, line };
    if (typeof task.id === 'number' || typeof task.id === 'string') record.taskId = task.id;
    records.push(record);
  }
  for (const [type, { count, line }] of otherTypes) {
    warnings.push({ file, line, message: `${count} result(s) of type "${type}" are not text spans and were not imported (first in the task at this line)` });
  }
  return { records, errors, warnings };
}

export interface LabelStudioWriteOptions {
  /** Default 'codepoint', as current Label Studio. */
  offsetUnit?: OffsetUnit;
  /** Names from the labeling config `<Labels name=… toName=…>`; default "label" and "text". */
  fromName?: string;
  toName?: string;
}

/** A Label Studio task list (importable into a project with a `<Labels>` + `<Text>` config). */
export function writeLabelStudioJson(documents: readonly AnnotatedDocument[], options: LabelStudioWriteOptions = {}): ExportResult {
  const unit = options.offsetUnit ?? 'codepoint';
  const issues: string[] = [];
  const tasks = documents.map((document, i) => {
    const converter = new OffsetConverter(document.text);
    const out = (offset: number): number => (unit === 'codepoint' ? converter.toCodePoint(offset) ?? offset : offset);
    return {
      id: i + 1,
      data: { text: document.text },
      meta: exportableMeta(document.meta, issues),
      annotations: [
        {
          result: [...document.spans].sort(compareSpans).map((span, j) => ({
            id: `span-${j + 1}`,
            from_name: options.fromName ?? 'label',
            to_name: options.toName ?? 'text',
            type: 'labels',
            value: { start: out(span.start), end: out(span.end), text: document.text.slice(span.start, span.end), labels: [span.label] },
          })),
        },
      ],
    };
  });
  return { content: `${JSON.stringify(tasks, null, 2)}\n`, issues };
}
