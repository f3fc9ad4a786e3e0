import { parseTag, toIob2 } from '../bioAlignment';
import { isPlainObject, parseJsonLines } from '../jsonLines';
import type { ExportResult, ParseIssue, ParseResult } from '../parseResult';

/**
 * HF token-classification JSONL (what `datasets` writes with `to_json`, and what run_ner.py reads):
 * `{"id"?, "tokens": [...], "ner_tags": [...]}` per line. Tags are integers indexing `labelNames`, or
 * strings. Returned tags are IOB2 strings.
 */

export interface TokenTagRecord {
  tokens: string[];
  /** IOB2 tags. */
  tags: string[];
  line: number;
  id?: string;
}

export interface HfTokenReadOptions {
  file?: string;
  /** Names of integer tags (see parseLabelNames); required when tags are integers. */
  labelNames?: readonly string[];
  /** Key of the tag list; default "ner_tags", falling back to "tags" and "labels". */
  tagsKey?: string;
  /** Key of the word list; default "tokens", falling back to "words". */
  tokensKey?: string;
}

export function parseHfTokenJsonl(text: string, options: HfTokenReadOptions = {}): ParseResult<TokenTagRecord> {
  const file = options.file ?? '<jsonl>';
  const { values, errors } = parseJsonLines(text, file);
  const warnings: ParseIssue[] = [];
  const records: TokenTagRecord[] = [];
  let converted = 0;
  let firstConvertedLine = 0;
  for (const { line, value } of values) {
    const error = (message: string): void => void errors.push({ file, line, message });
    if (!isPlainObject(value)) {
      error('a record must be a JSON object');
      continue;
    }
    const tokens = value[options.tokensKey ?? 'tokens'] ?? (options.tokensKey ? undefined : value.words);
    const rawTags = value[options.tagsKey ?? 'ner_tags'] ?? (options.tagsKey ? undefined : value.tags ?? value.labels);
    if (!Array.isArray(tokens) || !tokens.every((token) => typeof token === 'string' && token !== '')) {
      error('"tokens" must be an array of non-empty strings');
      continue;
    }
    if (!Array.isArray(rawTags)) {
      error(`"${options.tagsKey ?? 'ner_tags'}" must be an array`);
      continue;
    }
    if (rawTags.length !== tokens.length) {
      error(`${tokens.length} tokens but ${rawTags.length} tags`);
      continue;
    }
    const tags: string[] = [];
    let bad: string | undefined;
    for (const [index, tag] of rawTags.entries()) {
      let name: string | undefined;
      if (typeof tag === 'number') {
        if (!options.labelNames) {
          bad = 'tags are integers but no label names were given (pass labelNames, e.g. from dataset_info.json or id2label)';
          break;
        }
        name = Number.isInteger(tag) ? options.labelNames[tag] : undefined;
        if (name === undefined) {
          bad = `tag ${index} is ${tag}, outside the ${options.labelNames.length} label names`;
          break;
        }
      } else if (typeof tag === 'string') name = tag;
      if (name === undefined || !parseTag(name)) {
        bad = `tag ${index} ${JSON.stringify(tag)} is not O or B-/I-/E-/S-TYPE`;
        break;
      }
      tags.push(name);
    }
    if (bad) {
      error(bad);
      continue;
    }
    const iob2 = toIob2(tags);
    if (iob2.changed > 0 && converted++ === 0) firstConvertedLine = line;
    const record: TokenTagRecord = { tokens: tokens as string[], tags: iob2.tags, line };
    if (typeof value.id === 'string' || typeof value.id === 'number') record.id = String(value.id);
    records.push(record);
  }
  if (converted > 0) {
    warnings.push({ file, line: firstConvertedLine, message: `${converted} record(s) had tags in another scheme (IOB1/BIOES); converted to IOB2 (first at this line)` });
  }
  errors.sort((a, b) => a.line - b.line);
  return { records, errors, warnings };
}

/**
 * The IOB2 label names for entity types, ordered as HF datasets do (conll2003, wikiann): "O", then
 * B- and I- of each type in the given order.
 */
export function iob2LabelNames(types: readonly string[]): string[] {
  const names = ['O'];
  for (const type of types) names.push(`B-${type}`, `I-${type}`);
  return names;
}

export interface HfTokenWriteOptions {
  /** Label names to index; default iob2LabelNames of the types in order of first appearance. */
  labelNames?: readonly string[];
  /** Write tags as strings instead of integers. */
  stringTags?: boolean;
}

/** JSONL with integer `ner_tags` (and the label names used, to save beside it). */
export function writeHfTokenJsonl(
  records: ReadonlyArray<{ tokens: readonly string[]; tags: readonly string[]; id?: string }>,
  options: HfTokenWriteOptions = {},
): ExportResult & { labelNames: string[] } {
  const issues: string[] = [];
  let labelNames = options.labelNames ? [...options.labelNames] : undefined;
  const iob2 = records.map((record) => toIob2(record.tags).tags);
  if (!labelNames) {
    const types: string[] = [];
    for (const tags of iob2) {
      for (const tag of tags) {
        const type = parseTag(tag)?.type;
        if (type && !types.includes(type)) types.push(type);
      }
    }
    labelNames = iob2LabelNames(types);
  }
  const index = new Map(labelNames.map((name, i) => [name, i]));
  const lines: string[] = [];
  records.forEach((record, i) => {
    const tags = iob2[i]!;
    const missing = tags.find((tag) => !index.has(tag));
    if (!options.stringTags && missing !== undefined) {
      issues.push(`record ${i}: tag ${missing} is not among the label names; record left out`);
      return;
    }
    lines.push(
      `${JSON.stringify({
        id: record.id ?? String(i),
        tokens: record.tokens,
        ner_tags: options.stringTags ? tags : tags.map((tag) => index.get(tag)!),
      })}\n`,
    );
  });
  return { content: lines.join(''), issues, labelNames };
}
