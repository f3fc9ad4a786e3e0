import type { Encoding } from '../../runtime/tokenizer/encoding';
import { PostprocessError } from '../shared/errors';
import { argmaxSlice, nanMean, softmaxInto } from '../shared/numeric';
import type { LabelScheme } from './labelScheme';
import { isSubwordToken } from './subwords';
import type { AggregationStrategy, EntityGroup, TokenClassificationResult, TokenClassificationWindow, TokenStringDecoder } from './types';

export interface WindowContext {
  text: string;
  scheme: LabelScheme;
  tokenizer: TokenStringDecoder;
  strategy: AggregationStrategy;
  ignore: ReadonlySet<string>;
}

/**
 * Reusable per-window buffers. "Kept" tokens are the non-special ones (HF skips special tokens in
 * `gather_pre_entities`); "units" are what `group_entities` walks over: kept tokens for none/simple,
 * words for first/average/max.
 */
export class WindowScratch {
  probs = new Float64Array(0);
  average = new Float64Array(0);
  keptPosition = new Int32Array(0);
  keptLabel = new Int32Array(0);
  keptScore = new Float64Array(0);
  keptIsSubword = new Uint8Array(0);
  unitFirst = new Int32Array(0);
  unitLast = new Int32Array(0);
  unitLabel = new Int32Array(0);
  unitScore = new Float64Array(0);

  ensure(tokens: number, labels: number): void {
    if (this.probs.length < tokens * labels) this.probs = new Float64Array(tokens * labels);
    if (this.average.length < labels) this.average = new Float64Array(labels);
    if (this.keptPosition.length >= tokens) return;
    this.keptPosition = new Int32Array(tokens);
    this.keptLabel = new Int32Array(tokens);
    this.keptScore = new Float64Array(tokens);
    this.keptIsSubword = new Uint8Array(tokens);
    this.unitFirst = new Int32Array(tokens);
    this.unitLast = new Int32Array(tokens);
    this.unitLabel = new Int32Array(tokens);
    this.unitScore = new Float64Array(tokens);
  }
}

/** HF `postprocess` for one chunk: softmax, gather_pre_entities, aggregate, then the ignore_labels filter. */
export function entitiesOfWindow(
  window: TokenClassificationWindow, windowIndex: number, context: WindowContext, scratch: WindowScratch,
  out: TokenClassificationResult[],
): void {
  const { encoding, logits } = window;
  const numLabels = context.scheme.labels.length;
  const tokenCount = checkWindow(encoding, logits, numLabels, windowIndex);
  scratch.ensure(tokenCount, numLabels);
  const kept = gatherPreEntities(window, context, scratch, tokenCount, numLabels);
  if (kept === 0) return;
  if (context.strategy === 'none') {
    emitTokens(encoding, context, scratch, kept, out);
    return;
  }
  const units = context.strategy === 'simple' ? tokenUnits(scratch, kept) : wordUnits(context.strategy, scratch, kept, numLabels);
  groupEntities(encoding, context, scratch, units, out);
}

function checkWindow(encoding: Encoding, logits: Float32Array, numLabels: number, windowIndex: number): number {
  const tokenCount = encoding.ids.length;
  const where = `token classification window ${windowIndex}`;
  if (encoding.offsets.length !== tokenCount || encoding.tokens.length !== tokenCount || encoding.specialTokensMask.length !== tokenCount) {
    throw new PostprocessError(`${where}: encoding arrays disagree in length (ids ${tokenCount}, offsets ${encoding.offsets.length}, tokens ${encoding.tokens.length}, specialTokensMask ${encoding.specialTokensMask.length})`);
  }
  if (logits.length < tokenCount * numLabels || logits.length % numLabels !== 0) {
    throw new PostprocessError(`${where}: ${logits.length} logits do not cover ${tokenCount} tokens × ${numLabels} labels`);
  }
  return tokenCount;
}

/** HF `gather_pre_entities` (plus the argmax of `aggregate`), into the kept-token buffers. */
function gatherPreEntities(
  window: TokenClassificationWindow, context: WindowContext, scratch: WindowScratch, tokenCount: number, numLabels: number,
): number {
  const { encoding, logits } = window;
  const { text, tokenizer } = context;
  const { probs, keptPosition, keptLabel, keptScore, keptIsSubword } = scratch;
  let kept = 0;
  for (let position = 0; position < tokenCount; position++) {
    if (encoding.specialTokensMask[position]) continue;
    const row = kept * numLabels;
    softmaxInto(logits, position * numLabels, numLabels, probs, row);
    const label = argmaxSlice(probs, row, numLabels);
    keptPosition[kept] = position;
    keptLabel[kept] = label;
    keptScore[kept] = probs[row + label]!;
    const [start, end] = encoding.offsets[position]!;
    keptIsSubword[kept] = isUnknown(encoding, position, tokenizer) ? 0
      : isSubwordToken(text, encoding.tokens[position]!, start, end, tokenizer.continuingSubwordPrefix) ? 1 : 0;
    kept++;
  }
  return kept;
}

function isUnknown(encoding: Encoding, position: number, tokenizer: TokenStringDecoder): boolean {
  return tokenizer.unkTokenId !== undefined && encoding.ids[position] === tokenizer.unkTokenId;
}

/** HF's `word` of a pre-entity: the token string, or the covered text for the unknown token. */
function tokenWord(encoding: Encoding, position: number, context: WindowContext): string {
  if (isUnknown(encoding, position, context.tokenizer)) {
    const [start, end] = encoding.offsets[position]!;
    return context.text.slice(start, end);
  }
  return encoding.tokens[position]!;
}

function emitTokens(encoding: Encoding, context: WindowContext, scratch: WindowScratch, kept: number, out: TokenClassificationResult[]): void {
  const { labels } = context.scheme;
  for (let k = 0; k < kept; k++) {
    const entity = labels[scratch.keptLabel[k]!]!;
    if (context.ignore.has(entity)) continue;
    const position = scratch.keptPosition[k]!;
    const [start, end] = encoding.offsets[position]!;
    out.push({ entity, score: scratch.keptScore[k]!, index: position, word: tokenWord(encoding, position, context), start, end });
  }
}

function tokenUnits(scratch: WindowScratch, kept: number): number {
  for (let k = 0; k < kept; k++) {
    scratch.unitFirst[k] = k;
    scratch.unitLast[k] = k;
    scratch.unitLabel[k] = scratch.keptLabel[k]!;
    scratch.unitScore[k] = scratch.keptScore[k]!;
  }
  return kept;
}

/** HF `aggregate_words` + `aggregate_word`: a word is a token followed by its subword tokens. */
function wordUnits(strategy: AggregationStrategy, scratch: WindowScratch, kept: number, numLabels: number): number {
  let units = 0;
  let first = 0;
  for (let k = 1; k <= kept; k++) {
    if (k < kept && scratch.keptIsSubword[k]) continue;
    scratch.unitFirst[units] = first;
    scratch.unitLast[units] = k - 1;
    aggregateWord(strategy, scratch, first, k - 1, numLabels, units);
    units++;
    first = k;
  }
  return units;
}

function aggregateWord(strategy: AggregationStrategy, scratch: WindowScratch, first: number, last: number, numLabels: number, unit: number): void {
  const { keptLabel, keptScore } = scratch;
  if (strategy === 'first') {
    scratch.unitLabel[unit] = keptLabel[first]!;
    scratch.unitScore[unit] = keptScore[first]!;
  } else if (strategy === 'max') {
    // Python's max(key=scores.max()) keeps the first token whose maximum is strictly larger.
    let best = first;
    for (let k = first + 1; k <= last; k++) if (keptScore[k]! > keptScore[best]!) best = k;
    scratch.unitLabel[unit] = keptLabel[best]!;
    scratch.unitScore[unit] = keptScore[best]!;
  } else {
    const { probs, average } = scratch;
    for (let label = 0; label < numLabels; label++) {
      let sum = 0;
      let count = 0;
      for (let k = first; k <= last; k++) {
        const p = probs[k * numLabels + label]!;
        if (p === p) {
          sum += p;
          count++;
        }
      }
      average[label] = count === 0 ? NaN : sum / count;
    }
    const label = argmaxSlice(average, 0, numLabels);
    scratch.unitLabel[unit] = label;
    scratch.unitScore[unit] = average[label]!;
  }
}

/** HF `group_entities` + `group_sub_entities` over the units, dropping groups named in ignore_labels. */
function groupEntities(encoding: Encoding, context: WindowContext, scratch: WindowScratch, units: number, out: TokenClassificationResult[]): void {
  const { isBegin, tagId } = context.scheme;
  const { unitLabel } = scratch;
  let groupStart = 0;
  for (let u = 1; u < units; u++) {
    const label = unitLabel[u]!;
    if (tagId[label] === tagId[unitLabel[u - 1]!] && !isBegin[label]) continue;
    emitGroup(encoding, context, scratch, groupStart, u - 1, out);
    groupStart = u;
  }
  emitGroup(encoding, context, scratch, groupStart, units - 1, out);
}

function emitGroup(encoding: Encoding, context: WindowContext, scratch: WindowScratch, firstUnit: number, lastUnit: number, out: TokenClassificationResult[]): void {
  const entityGroup = context.scheme.groupName[scratch.unitLabel[firstUnit]!]!;
  if (context.ignore.has(entityGroup)) return;
  const { unitFirst, unitLast, keptPosition } = scratch;
  const { tokenizer } = context;
  let word: string;
  if (context.strategy === 'simple') {
    word = tokenizer.convertTokensToString(tokenWords(encoding, context, scratch, unitFirst[firstUnit]!, unitLast[lastUnit]!));
  } else {
    // HF converts twice: each word from its tokens (aggregate_word), then the group from those words.
    const words: string[] = [];
    for (let u = firstUnit; u <= lastUnit; u++) words.push(tokenizer.convertTokensToString(tokenWords(encoding, context, scratch, unitFirst[u]!, unitLast[u]!)));
    word = tokenizer.convertTokensToString(words);
  }
  const entity: EntityGroup = {
    entity_group: entityGroup,
    score: nanMean(scratch.unitScore, firstUnit, lastUnit - firstUnit + 1),
    word,
    start: encoding.offsets[keptPosition[unitFirst[firstUnit]!]!]![0],
    end: encoding.offsets[keptPosition[unitLast[lastUnit]!]!]![1],
  };
  out.push(entity);
}

function tokenWords(encoding: Encoding, context: WindowContext, scratch: WindowScratch, firstKept: number, lastKept: number): string[] {
  const tokens: string[] = [];
  for (let k = firstKept; k <= lastKept; k++) tokens.push(tokenWord(encoding, scratch.keptPosition[k]!, context));
  return tokens;
}
