import { validateDocument, type AnnotatedDocument } from '../../src/core/data/annotation';
import { parseClassificationJsonl, parseClassificationTsv } from '../../src/core/data/formats/classification';
import { parseConll } from '../../src/core/data/formats/conll';
import { parseHfTokenJsonl } from '../../src/core/data/formats/hfTokenJsonl';
import { parseLabelNames } from '../../src/core/data/formats/labelNames';
import { parseLabelStudioJson } from '../../src/core/data/formats/labelStudio';
import { parseProdigyJsonl } from '../../src/core/data/formats/prodigy';
import { parseHfTextcatJsonl, parseLabelStudioChoices, parseProdigyTextcatJsonl, parseTextcatCsv } from '../../src/core/data/formats/textcat';
import type { ParseIssue } from '../../src/core/data/parseResult';
import { parseStoreFile } from '../../src/core/data/storeRecord';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../../src/core/util/jsonDepth';
import { pick, randomInt } from '../unit/data/helpers/prng';
import {
  check, damageInLine, flipBits, hugeNumbers, nestedJson, pickIndices, randomText, truncateText, type FuzzTarget, type Random,
} from './harness';

/**
 * Fuzz targets for the data formats. Properties: no uncaught exception; every error names the file and
 * a line inside it; records are well-formed; and where valid and damaged records are mixed, every
 * valid record is kept (at its line, unchanged).
 */

const WORDS = ['Ada', 'Lovelace', 'Paris', 'went', 'to', 'the', 'Berlin', 'Øre', '東京', 'café', '😀', 'x', 'Obama', 'said', '"quoted"', 'back\\slash'];

function sentence(random: Random): string[] {
  return Array.from({ length: 1 + randomInt(random, 8) }, () => pick(random, WORDS));
}

interface Parsed {
  records: unknown[];
  errors: ParseIssue[];
  warnings?: ParseIssue[];
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/** Every error and warning names `file` and a line of the text (0 only for a whole-file issue when nothing was read). */
function checkIssues(result: Parsed, file: string, text: string, label: string): void {
  const lines = lineCount(text);
  for (const issue of [...result.errors, ...(result.warnings ?? [])]) {
    check(issue.file === file, `${label}: an issue names ${JSON.stringify(issue.file)}, not ${file}`);
    check(Number.isInteger(issue.line) && issue.line <= lines, `${label}: issue line ${issue.line} is outside 1..${lines}: ${issue.message.slice(0, 200)}`);
    check(issue.line >= 1 || (issue.line === 0 && result.records.length === 0), `${label}: issue at line ${issue.line}: ${issue.message.slice(0, 200)}`);
    check(typeof issue.message === 'string' && issue.message.length > 0, `${label}: an empty message`);
  }
}

/**
 * Whatever a reader returns can be saved and copied later: readers reject records nested deeper than
 * MAX_JSON_DEPTH (a store line nested 5,000 deep made every later save throw RangeError).
 */
function checkSerializable(records: unknown[], label: string): void {
  for (const record of records) check(!exceedsJsonDepth(record, MAX_JSON_DEPTH + 4), `${label}: a returned record nests deeper than ${MAX_JSON_DEPTH} levels`);
}

/** Puts a deep value where readers keep what they do not know: into meta when the record has one. */
function insertDeep(json: string, deep: string): string {
  return /"meta": ?\{/.test(json) ? json.replace(/"meta": ?\{/, (open) => `${open}"deep":${deep},`) : json.replace(/}\s*$/, `,"deep":${deep}}`);
}

function checkDocuments(records: unknown[], label: string): void {
  for (const record of records as AnnotatedDocument[]) {
    const problems = validateDocument(record).filter((issue) => issue.severity === 'error');
    check(problems.length === 0, `${label}: an invalid document was returned: ${JSON.stringify(problems).slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------- line-oriented formats

interface LineFormat {
  name: string;
  /** One valid record as one line; `i` makes it unique. */
  line(random: Random, i: number): string;
  parse(text: string, file: string): Parsed;
  /** The line a returned record came from, and what identifies its content. */
  lineOf(record: unknown): number;
  /** What must be the same whether the line is read alone or among others; default the whole record but its line. */
  key?(record: unknown): string;
  check?(records: unknown[], label: string): void;
}

/** Case kinds, chosen by case number. */
const LINE_KINDS = ['random text', 'bit flips', 'truncation', 'deep nesting', 'huge numbers', 'valid and damaged lines mixed', 'many records'] as const;

function lineTarget(format: LineFormat): FuzzTarget {
  const file = `${format.name}.fuzz`;
  return {
    name: format.name,
    run(random, index, scale) {
      const kind = LINE_KINDS[index % LINE_KINDS.length]!;
      const label = `${kind}`;
      const valid = (count: number): string[] => Array.from({ length: count }, (_, i) => format.line(random, i));
      const parse = (text: string): Parsed => {
        const result = format.parse(text, file);
        checkIssues(result, file, text, label);
        checkSerializable(result.records, label);
        format.check?.(result.records, label);
        return result;
      };
      switch (kind) {
        case 'random text':
          parse(randomText(random, 600));
          return;
        case 'bit flips': {
          const text = `${valid(8).join('\n')}\n`;
          parse(new TextDecoder().decode(flipBits(random, new TextEncoder().encode(text))));
          return;
        }
        case 'truncation':
          parse(truncateText(random, `${valid(8).join('\n')}\n`));
          return;
        case 'huge numbers':
          parse(`${valid(8).map((line) => hugeNumbers(random, line)).join('\n')}\n`);
          return;
        case 'deep nesting':
        case 'valid and damaged lines mixed':
        case 'many records': {
          const count = kind === 'many records' ? scale.manyRecords : 20;
          const lines = valid(count);
          const damaged = kind === 'many records' ? pickIndices(random, count, 0.01) : pickIndices(random, count, 0.3);
          const deep = nestedJson(kind === 'deep nesting' ? scale.depth : 3, random);
          const text = lines
            .map((line, i) => {
              if (!damaged.has(i)) return line;
              return kind === 'deep nesting' ? insertDeep(line, deep) : damageInLine(random, line);
            })
            .join('\n');
          const result = parse(`${text}\n`);
          // Every undamaged line's record is kept, exactly as when the undamaged lines are read without the others.
          const key = format.key ?? ((record: unknown): string => JSON.stringify({ ...(record as object), line: 0 }));
          const byLine = new Map(result.records.map((record) => [format.lineOf(record), key(record)]));
          const validAt = lines.flatMap((_, i) => (damaged.has(i) ? [] : [i]));
          const alone = format.parse(`${validAt.map((i) => lines[i]).join('\n')}\n`, file).records.map(key);
          check(alone.length === validAt.length, `${label}: the ${validAt.length} valid lines alone give ${alone.length} records`);
          validAt.forEach((i, k) => {
            check(byLine.get(i + 1) === alone[k], `${label}: the valid record of line ${i + 1} was lost or changed among damaged lines ${[...damaged].map((d) => d + 1).join(',')}`);
          });
          return;
        }
      }
    },
  };
}

const prodigyLine = (random: Random, i: number): string => {
  const words = sentence(random);
  const text = words.join(' ');
  return JSON.stringify({ text, spans: [{ start: 0, end: words[0]!.length, label: pick(random, ['PER', 'LOC']) }], meta: { i, path: `doc-${i}.txt` }, answer: 'accept' });
};

const hfTokenLine = (random: Random, i: number): string => {
  const tokens = sentence(random);
  return JSON.stringify({ id: String(i), tokens, ner_tags: tokens.map((_, t) => (t === 0 ? pick(random, ['O', 'B-PER', 'B-LOC']) : 'O')) });
};

/** A textcat record's options are the labels seen in the whole file: compare text and accepted labels. */
const textcatKey = (record: unknown): string => {
  const r = record as AnnotatedDocument;
  return JSON.stringify([r.text, r.categories?.map((c) => c.accept)]);
};

// The store file is bytes with records keyed by path: its own target below; the line formats here.
const LINE_FORMATS: LineFormat[] = [
  { name: 'prodigy', line: prodigyLine, parse: (t, file) => parseProdigyJsonl(t, { file, pathPrefix: 'p' }), lineOf: (r) => (r as { line: number }).line, check: checkDocuments },
  { name: 'hf-token-jsonl', line: hfTokenLine, parse: (t, file) => parseHfTokenJsonl(t, { file }), lineOf: (r) => (r as { line: number }).line },
  {
    name: 'prodigy-textcat',
    line: (random, i) => JSON.stringify({ text: `${sentence(random).join(' ')} ${i}`, label: 'SPAM', answer: pick(random, ['accept', 'reject']), meta: { source: 'fuzz' } }),
    parse: (t, file) => parseProdigyTextcatJsonl(t, { file }),
    lineOf: (r) => (r as { line: number }).line,
    key: textcatKey,
    check: checkDocuments,
  },
  {
    name: 'hf-textcat-jsonl',
    line: (random, i) => JSON.stringify({ text: `${sentence(random).join(' ')} ${i}`, label: pick(random, ['POS', 'NEG']) }),
    parse: (t, file) => parseHfTextcatJsonl(t, { file }),
    lineOf: (r) => (r as { line: number }).line,
    key: textcatKey,
    check: checkDocuments,
  },
  {
    name: 'classification-jsonl',
    line: (random, i) => JSON.stringify({ text: `${sentence(random).join(' ')} ${i}`, label: pick(random, ['pos', 'neg']) }),
    parse: (t, file) => parseClassificationJsonl(t, { file }),
    lineOf: (r) => (r as { line: number }).line,
  },
];

// ---------------------------------------------------------------- the store file (bytes, keyed by path)

const storeTarget: FuzzTarget = {
  name: 'store-file',
  run(random, index, scale) {
    const kind = LINE_KINDS[index % LINE_KINDS.length]!;
    const file = 'annotations.jsonl';
    const count = kind === 'many records' ? scale.manyRecords : 20;
    const lines = Array.from({ length: count }, (_, i) => {
      const words = sentence(random);
      return JSON.stringify({ text: words.join(' '), spans: [{ start: 0, end: words[0]!.length, label: 'PER' }], meta: { path: `doc-${i}.txt` }, answer: 'accept' });
    });
    let damaged = new Set<number>();
    let bytes: Uint8Array;
    const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
    if (kind === 'random text') bytes = encode(randomText(random, 600));
    else if (kind === 'bit flips') bytes = flipBits(random, encode(`${lines.join('\n')}\n`));
    else if (kind === 'truncation') bytes = encode(truncateText(random, `${lines.join('\n')}\n`));
    else if (kind === 'huge numbers') bytes = encode(`${lines.map((line) => hugeNumbers(random, line)).join('\n')}\n`);
    else {
      damaged = pickIndices(random, count, kind === 'many records' ? 0.01 : 0.3);
      const deep = nestedJson(kind === 'deep nesting' ? scale.depth : 3, random);
      bytes = encode(`${lines.map((line, i) => (!damaged.has(i) ? line : kind === 'deep nesting' ? insertDeep(line, deep) : damageInLine(random, line))).join('\n')}\n`);
    }
    const result = parseStoreFile(bytes, file);
    const total = new TextDecoder().decode(bytes).split('\n').length;
    for (const problem of result.problems) {
      check(problem.file === file && problem.line >= 1 && problem.line <= total, `${kind}: problem at ${problem.file}:${problem.line} outside 1..${total}`);
    }
    checkDocuments([...result.records.values()].map((record) => record.document), kind);
    checkSerializable([...result.records.values()], kind);
    if (kind === 'random text' || kind === 'bit flips' || kind === 'truncation' || kind === 'huge numbers') return;
    lines.forEach((_, i) => {
      if (damaged.has(i)) return;
      const record = result.records.get(`doc-${i}.txt`);
      // Present, though possibly superseded by a later damaged line that came to name the same path (last line wins).
      check(record !== undefined, `${kind}: valid line ${i + 1} (doc-${i}.txt) was not loaded`);
    });
  },
};

// ---------------------------------------------------------------- CoNLL (sentences separated by blank lines)

const conllTarget: FuzzTarget = {
  name: 'conll',
  run(random, index, scale) {
    const kind = LINE_KINDS[index % LINE_KINDS.length]!;
    const file = 'train.conll';
    const count = kind === 'many records' ? scale.manyRecords : 12;
    const sentences = Array.from({ length: count }, () => {
      const words = sentence(random).map((word) => word.replace(/\s/g, '_'));
      return words.map((word, t) => `${word} ${t === 0 ? pick(random, ['B-PER', 'B-LOC', 'O']) : 'O'}`);
    });
    const join = (blocks: string[][]): string => `${blocks.map((block) => block.join('\n')).join('\n\n')}\n`;
    const parse = (text: string): ReturnType<typeof parseConll> => {
      const result = parseConll(text, { file });
      checkIssues({ records: result.records, errors: result.errors, warnings: result.warnings }, file, text, kind);
      for (const s of result.records) check(s.tokens.length === s.tags.length && s.tokens.length > 0, `${kind}: a sentence with ${s.tokens.length} tokens and ${s.tags.length} tags`);
      return result;
    };
    if (kind === 'random text') return void parse(randomText(random, 600));
    if (kind === 'bit flips') return void parse(new TextDecoder().decode(flipBits(random, new TextEncoder().encode(join(sentences)))));
    if (kind === 'truncation') return void parse(truncateText(random, join(sentences)));
    if (kind === 'huge numbers' || kind === 'deep nesting') {
      // Not JSON: a huge line and a token of brackets instead.
      const long = kind === 'deep nesting' ? `${'['.repeat(scale.depth)} O` : `${'9'.repeat(10_000)} B-PER`;
      return void parse(join([...sentences, [long]]));
    }
    const damaged = pickIndices(random, count, kind === 'many records' ? 0.01 : 0.3);
    // Damage a tag (never a token's column count): such a sentence may be skipped, the others must stay.
    const blocks = sentences.map((block, i) => (damaged.has(i) ? block.map((line) => line.replace(/ (\S+)$/, (_, tag: string) => ` ${damageInLine(random, tag)}`)) : block));
    const result = parse(join(blocks));
    const starts = new Map(result.records.map((s) => [s.line, s.tokens.join(' ')]));
    let line = 1;
    sentences.forEach((block, i) => {
      if (!damaged.has(i)) {
        const tokens = block.map((l) => l.split(' ')[0]).join(' ');
        check(starts.get(line) === tokens, `${kind}: the valid sentence at line ${line} was lost or changed (damaged sentences ${[...damaged].join(',')})`);
      }
      line += block.length + 1;
    });
  },
};

// ---------------------------------------------------------------- JSON arrays (Label Studio)

interface ArrayFormat {
  name: string;
  task(random: Random, id: number): unknown;
  parse(text: string, file: string): Parsed;
  idOf(record: unknown): unknown;
  check?(records: unknown[], label: string): void;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function arrayTarget(format: ArrayFormat): FuzzTarget {
  const file = `${format.name}.json`;
  return {
    name: format.name,
    run(random, index, scale) {
      const kind = LINE_KINDS[index % LINE_KINDS.length]!;
      const pretty = random() < 0.5;
      const label = `${kind} (${pretty ? 'pretty-printed' : 'one line'})`;
      const count = kind === 'many records' ? scale.manyRecords : 20;
      const tasks = Array.from({ length: count }, (_, id) => format.task(random, id));
      const encodeTask = (task: unknown): string => (pretty ? JSON.stringify(task, null, 2).replace(/\n/g, '\n  ') : JSON.stringify(task));
      const join = (items: string[]): string => (pretty ? `[\n  ${items.join(',\n  ')}\n]\n` : `[${items.join(',')}]`);
      const parse = (text: string): Parsed => {
        const result = format.parse(text, file);
        checkIssues(result, file, text, label);
        checkSerializable(result.records, label);
        format.check?.(result.records, label);
        return result;
      };
      const texts = tasks.map(encodeTask);
      if (kind === 'random text') return void parse(`[${randomText(random, 600)}`);
      if (kind === 'bit flips') return void parse(new TextDecoder().decode(flipBits(random, new TextEncoder().encode(join(texts)))));
      if (kind === 'truncation') return void parse(truncateText(random, join(texts)));
      if (kind === 'huge numbers') return void parse(join(texts.map((text) => hugeNumbers(random, text))));
      const damaged = pickIndices(random, count, kind === 'many records' ? 0.01 : 0.3);
      const deep = nestedJson(kind === 'deep nesting' ? scale.depth : 3, random);
      // Damage stays inside its element: the commas between elements are untouched.
      const items = texts.map((text, i) => (!damaged.has(i) ? text : kind === 'deep nesting' ? insertDeep(text, deep) : damageInLine(random, text)));
      const result = parse(join(items));
      const kept = new Set(result.records.map(format.idOf));
      tasks.forEach((_, id) => {
        if (!damaged.has(id)) check(kept.has(id), `${label}: valid task ${id} was lost (damaged: ${[...damaged].join(',')})`);
      });
      if (!pretty) return;
      // Pretty-printed, every element that is not valid JSON is reported at one of its own lines.
      let line = 2;
      items.forEach((item, i) => {
        const last = line + lineCount(item) - 1;
        if (damaged.has(i) && !parsesAsJson(item)) {
          check(result.errors.some((error) => error.line >= line && error.line <= last), `${label}: broken task ${i} (lines ${line}..${last}) has no error at its lines (damaged: ${[...damaged].join(',')})`);
        }
        line = last + 1;
      });
    },
  };
}

const labelStudioTask = (random: Random, id: number): unknown => {
  const words = sentence(random);
  const text = words.join(' ');
  const end = [...words[0]!].length; // Label Studio counts code points
  return {
    id,
    data: { text },
    annotations: [
      {
        id: id * 10,
        result: [
          { id: `r${id}a`, type: 'labels', from_name: 'label', to_name: 'text', value: { start: 0, end, text: words[0], labels: ['PER'] } },
          { id: `r${id}b`, type: 'labels', from_name: 'label', to_name: 'text', value: { start: 0, end, text: words[0], labels: ['LOC'] } },
        ],
      },
    ],
    meta: { source: 'fuzz' },
  };
};

const ARRAY_FORMATS: ArrayFormat[] = [
  { name: 'label-studio', task: labelStudioTask, parse: (t, file) => parseLabelStudioJson(t, { file }), idOf: (r) => (r as { taskId?: unknown }).taskId, check: checkDocuments },
  {
    name: 'label-studio-choices',
    task: (random, id) => ({
      id,
      data: { text: sentence(random).join(' ') },
      annotations: [{ id, result: [{ id: `c${id}`, type: 'choices', from_name: 'c', to_name: 'text', value: { choices: [pick(random, ['POS', 'NEG'])] } }] }],
      meta: { path: `task-${id}` },
    }),
    parse: (t, file) => parseLabelStudioChoices(t, { file }),
    idOf: (r) => Number((r as { meta: { path: string } }).meta.path.replace('task-', '')),
    check: checkDocuments,
  },
];

// ---------------------------------------------------------------- formats without a per-record property (CSV, label lists)

function robustTarget(name: string, sample: (random: Random, count: number) => string, parse: (text: string, file: string) => Parsed): FuzzTarget {
  const file = `${name}.fuzz`;
  return {
    name,
    run(random, index, scale) {
      const kind = LINE_KINDS[index % LINE_KINDS.length]!;
      const clean = sample(random, kind === 'many records' ? scale.manyRecords : 12);
      const text =
        kind === 'random text' ? randomText(random, 600)
        : kind === 'bit flips' ? new TextDecoder().decode(flipBits(random, new TextEncoder().encode(clean)))
        : kind === 'truncation' ? truncateText(random, clean)
        : kind === 'huge numbers' ? hugeNumbers(random, clean)
        : kind === 'deep nesting' ? clean.replace(/\[/, `[${nestedJson(scale.depth, random)},`)
        : clean.split('\n').map((line) => (random() < 0.3 ? damageInLine(random, line) : line)).join('\n');
      const result = parse(text, file);
      checkIssues(result, file, text, kind);
      checkSerializable(result.records, kind);
    },
  };
}

const csvSample = (random: Random, count: number): string =>
  `text,label\r\n${Array.from({ length: count }, () => `"${sentence(random).join(' ').replace(/"/g, '""')}",${pick(random, ['POS', 'NEG'])}\r\n`).join('')}`;

export const DATA_TARGETS: FuzzTarget[] = [
  storeTarget,
  ...LINE_FORMATS.map(lineTarget),
  conllTarget,
  ...ARRAY_FORMATS.map(arrayTarget),
  robustTarget('textcat-csv', csvSample, (t, file) => parseTextcatCsv(t, { file })),
  robustTarget('classification-tsv', (random, count) => csvSample(random, count).replace(/,/g, '\t'), (t, file) => parseClassificationTsv(t, { file, header: true })),
  robustTarget(
    'label-names',
    (random, count) => JSON.stringify({ features: { ner_tags: { feature: { names: Array.from({ length: count }, (_, i) => `B-T${i}`) } } } }, null, random() < 0.5 ? 2 : undefined),
    (t, file) => {
      const { labelNames, errors } = parseLabelNames(t, file);
      return { records: labelNames, errors };
    },
  ),
];
