/**
 * The hand-written sources of the evaluation sets under eval/ and their conversion into the files the
 * CLI reads (`bert-lens evaluate --task ner|classify --data ...`). The sources are what a person reads
 * and corrects; the generated files are never edited by hand (`npx tsx scripts/build-evalsets.ts`
 * rewrites them, and test/unit/data/evalSets.test.ts checks they match).
 *
 * Prose NER source (`eval/prose-ner/<split>.source.txt`): one sentence per line; a line starting with
 * `# ` opens a new article (written as a `-DOCSTART-` line); entities inline as `[PER Anna de Vries]`,
 * `[ORG ...]`, `[LOC ...]`. Words are split the way CoNLL-2003 splits them (punctuation, `'s`, `n't`).
 *
 * Reviews source (`eval/reviews/<split>.source.txt`): `## domain` opens a domain; each review is one
 * line, `+ text` (positive, 1) or `- text` (negative, 0).
 */

export const ENTITY_TYPES = ['PER', 'ORG', 'LOC'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export interface ProseSentence {
  tokens: string[];
  tags: string[];
  /** 0-based article index within the file. */
  documentIndex: number;
  /** Title of the article (the `# ` line). */
  article: string;
  /** 1-based line in the source. */
  line: number;
}

/** Abbreviations whose final period stays on the word (CoNLL keeps `Inc.`, `U.S.`). */
const ABBREVIATIONS = new Set(['Mr.', 'Mrs.', 'Ms.', 'Dr.', 'St.', 'Jr.', 'Inc.', 'Ltd.', 'Co.', 'Corp.', 'No.', 'vs.', 'Prof.', 'a.m.', 'p.m.']);
const LEADING = new Set(['"', '(', '[', "'"]);
const TRAILING = new Set(['"', ')', ']', "'", '.', ',', ';', ':', '!', '?', '%']);
const CURRENCY = new Set(['£', '$', '€']);
const CLITIC = /^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$/i;

/** CoNLL-2003-style words of a piece of text: punctuation, currency signs and clitics are words of their own. */
export function conllWords(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.split(/\s+/)) {
    if (chunk === '') continue;
    const bareClitic = /^(n't|'s|'re|'ve|'ll|'d|'m)([.,;:!?"]*)$/i.exec(chunk);
    if (bareClitic) {
      // What follows an entity: `[LOC Germany]'s` is read as the words `Germany`, `'s`.
      words.push(bareClitic[1]!, ...bareClitic[2]!);
      continue;
    }
    let start = 0;
    let end = chunk.length;
    const leading: string[] = [];
    while (end - start > 1 && (LEADING.has(chunk[start]!) || CURRENCY.has(chunk[start]!))) leading.push(chunk[start++]!);
    const trailing: string[] = [];
    while (end - start > 1 && TRAILING.has(chunk[end - 1]!)) {
      const word = chunk.slice(start, end);
      if (chunk[end - 1] === '.' && (ABBREVIATIONS.has(word) || /^([A-Za-z]\.)+$/.test(word))) break;
      trailing.unshift(chunk[--end]!);
    }
    const core = chunk.slice(start, end);
    const clitic = CLITIC.exec(core);
    words.push(...leading, ...(clitic ? [clitic[1]!, clitic[2]!] : [core]), ...trailing);
  }
  return words;
}

export class SourceError extends Error {}

const ENTITY = /\[([A-Z]+) ([^\][]+)\]/g;

/** Words and IOB2 tags of one marked-up sentence. */
export function parseMarkedSentence(text: string, where: string): { tokens: string[]; tags: string[] } {
  const tokens: string[] = [];
  const tags: string[] = [];
  const plain = (piece: string): void => {
    if (/[[\]]/.test(piece)) throw new SourceError(`${where}: a bracket outside a well-formed [TYPE words] entity in ${JSON.stringify(piece.trim())}`);
    for (const word of conllWords(piece)) {
      tokens.push(word);
      tags.push('O');
    }
  };
  let at = 0;
  for (const match of text.matchAll(ENTITY)) {
    const type = match[1]!;
    if (!(ENTITY_TYPES as readonly string[]).includes(type)) throw new SourceError(`${where}: unknown entity type ${type} (expected ${ENTITY_TYPES.join(', ')})`);
    const before = text.slice(at, match.index);
    // An entity must start and end on a word boundary, or its words would not be the sentence's words.
    if (before !== '' && /[\p{L}\p{N}]$/u.test(before)) throw new SourceError(`${where}: entity ${match[0]} starts inside a word`);
    const after = text[match.index + match[0].length];
    if (after !== undefined && /[\p{L}\p{N}-]/u.test(after)) throw new SourceError(`${where}: entity ${match[0]} ends inside a word`);
    plain(before);
    const words = conllWords(match[2]!);
    if (words.length === 0) throw new SourceError(`${where}: empty entity ${match[0]}`);
    words.forEach((word, i) => {
      tokens.push(word);
      tags.push(`${i === 0 ? 'B' : 'I'}-${type}`);
    });
    at = match.index + match[0].length;
  }
  plain(text.slice(at));
  if (tokens.length === 0) throw new SourceError(`${where}: empty sentence`);
  return { tokens, tags };
}

/** Sentences of a prose NER source file. */
export function parseProseSource(text: string, file: string): ProseSentence[] {
  const sentences: ProseSentence[] = [];
  let documentIndex = -1;
  let article = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('# ')) {
      documentIndex++;
      article = line.slice(2).trim();
      return;
    }
    if (documentIndex < 0) throw new SourceError(`${file}:${i + 1}: a sentence before the first "# article" line`);
    sentences.push({ ...parseMarkedSentence(line, `${file}:${i + 1}`), documentIndex, article, line: i + 1 });
  });
  return sentences;
}

export interface Review {
  text: string;
  /** 1 positive, 0 negative (SST-2's ids). */
  label: 0 | 1;
  domain: string;
  line: number;
}

/** Reviews of a reviews source file. */
export function parseReviewSource(text: string, file: string): Review[] {
  const reviews: Review[] = [];
  let domain: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `${file}:${i + 1}`;
    if (line === '' || line.startsWith('<!--')) return;
    if (line.startsWith('## ')) {
      domain = line.slice(3).trim();
      return;
    }
    const sign = line[0];
    if ((sign !== '+' && sign !== '-') || line[1] !== ' ') throw new SourceError(`${where}: expected "+ review", "- review" or "## domain"`);
    if (domain === undefined) throw new SourceError(`${where}: a review before the first "## domain" line`);
    const review = line.slice(2).trim();
    if (review === '' || /\t/.test(review)) throw new SourceError(`${where}: a review must be non-empty and hold no tab`);
    reviews.push({ text: review, label: sign === '+' ? 1 : 0, domain, line: i + 1 });
  });
  return reviews;
}

/** SST-2's TSV: `sentence<TAB>label` header, 0 negative, 1 positive. */
export function writeReviewsTsv(reviews: readonly Review[]): string {
  return ['sentence\tlabel\n', ...reviews.map((review) => `${review.text}\t${review.label}\n`)].join('');
}

/** The IOB2 problems of a tag sequence (an I- that does not continue a B-/I- of its type). */
export function iob2Problems(tags: readonly string[]): string[] {
  const problems: string[] = [];
  tags.forEach((tag, i) => {
    if (tag === 'O') return;
    const match = /^([BI])-(.+)$/.exec(tag);
    if (!match) return problems.push(`token ${i}: ${JSON.stringify(tag)} is not O, B-TYPE or I-TYPE`);
    if (match[1] === 'I') {
      const previous = tags[i - 1];
      if (previous !== `B-${match[2]}` && previous !== `I-${match[2]}`) problems.push(`token ${i}: ${tag} after ${previous ?? 'the sentence start'}`);
    }
    return undefined;
  });
  return problems;
}

/** Entities (type and words) of an IOB2 sentence. */
export function entitiesOf(tokens: readonly string[], tags: readonly string[]): Array<{ type: string; text: string }> {
  const entities: Array<{ type: string; text: string }> = [];
  tags.forEach((tag, i) => {
    if (tag.startsWith('B-')) entities.push({ type: tag.slice(2), text: tokens[i]! });
    else if (tag.startsWith('I-')) entities[entities.length - 1]!.text += ` ${tokens[i]}`;
  });
  return entities;
}
