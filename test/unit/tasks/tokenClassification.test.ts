import { describe, expect, it } from 'vitest';
import { PostprocessError } from '../../../src/core/tasks/shared/errors';
import { codePointLength, isSubwordToken } from '../../../src/core/tasks/tokenClassification/subwords';
import { postprocessTokenClassification } from '../../../src/core/tasks/tokenClassification/postprocess';
import type { EntityGroup, TokenClassificationOptions, TokenClassificationWindow, TokenEntity } from '../../../src/core/tasks/tokenClassification/types';
import { convertTokensToString, encodingOf, oneHotLogits, oneHotProbability, UNK_ID, wordsOf, type TokenSpec } from './helpers';

const LABELS = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];
const P5 = oneHotProbability(5, LABELS.length);
const tokenizer = { convertTokensToString, unkTokenId: UNK_ID, continuingSubwordPrefix: '##' };

// The options below carry the strategy as a plain string, so the overloads cannot narrow the result type.
const groups = (windows: TokenClassificationWindow[], o: TokenClassificationOptions) => postprocessTokenClassification(windows, o) as EntityGroup[];
const tokens = (windows: TokenClassificationWindow[], o: TokenClassificationOptions) => postprocessTokenClassification(windows, o) as TokenEntity[];

function options(text: string, extra: Partial<TokenClassificationOptions> = {}): TokenClassificationOptions {
  return { text, id2label: LABELS, tokenizer, aggregationStrategy: 'simple', ...extra };
}

/** One window over `specs`, with a label (or null = all-zero logits) per content token. */
function window(specs: readonly TokenSpec[], labels: ReadonlyArray<string | null>, high = 5): TokenClassificationWindow {
  return { encoding: encodingOf(specs), logits: oneHotLogits(LABELS, [null, ...labels, null], high) };
}

function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe('group_entities B-/I- rules (simple)', () => {
  const text = 'Ann Lee met Bob Max in New York';
  const specs = wordsOf(text);

  it('joins B- with following I- of the same type, splits on B- and on a type change, drops O', () => {
    const result = groups([window(specs, ['B-PER', 'I-PER', 'O', 'B-PER', 'B-PER', 'O', 'I-LOC', 'I-LOC'])], options(text));
    expect(result.map((e) => [e.entity_group, e.word, text.slice(e.start, e.end)])).toEqual([
      ['PER', 'Ann Lee', 'Ann Lee'],
      ['PER', 'Bob', 'Bob'],
      ['PER', 'Max', 'Max'],
      ['LOC', 'New York', 'New York'], // I- without B- starts an entity
    ]);
    for (const e of result) expect(e.score).toBeCloseTo(P5, 12);
  });

  it('an I- of another type after B- starts a new group named after its own tag', () => {
    const result = groups([window(specs, ['B-PER', 'I-ORG', 'O', 'O', 'O', 'O', 'B-LOC', 'I-PER'])], options(text));
    expect(result.map((e) => [e.entity_group, e.word])).toEqual([['PER', 'Ann'], ['ORG', 'Lee'], ['LOC', 'New'], ['PER', 'York']]);
  });

  it('averages the token scores of a group (np.nanmean)', () => {
    const logits = oneHotLogits(LABELS, [null, 'B-PER', 'I-PER', ...Array<string>(6).fill('O'), null], 5);
    logits[2 * LABELS.length + 2] = 2; // "Lee": I-PER with a weaker logit
    const [ann] = groups([{ encoding: encodingOf(specs), logits }], options(text));
    expect(ann!.score).toBeCloseTo((P5 + oneHotProbability(2, LABELS.length)) / 2, 12);
  });

  it('ignore_labels: [] keeps O groups; in grouped mode it compares entity_group, so "B-PER" filters nothing (as HF)', () => {
    const w = window(specs, ['B-PER', 'I-PER', 'O', 'B-PER', 'O', 'O', 'B-LOC', 'I-LOC']);
    const all = groups([w], options(text, { ignoreLabels: [] }));
    expect(all.map((e) => e.entity_group)).toEqual(['PER', 'O', 'PER', 'O', 'LOC']);
    expect(all[1]!.word).toBe('met');
    const noBPer = groups([w], options(text, { ignoreLabels: ['O', 'B-PER'] }));
    expect(noBPer.map((e) => e.entity_group)).toEqual(['PER', 'PER', 'LOC']);
    const noPer = groups([w], options(text, { ignoreLabels: ['O', 'PER'] }));
    expect(noPer.map((e) => e.entity_group)).toEqual(['LOC']);
  });
});

describe('aggregation none', () => {
  it('reports every kept token with its full label, window index and HF word', () => {
    const text = 'visit Zorglub in Paris';
    const specs: TokenSpec[] = [['visit', 0, 5, 0], ['[UNK]', 6, 13, 1], ['in', 14, 16, 2], ['Paris', 17, 22, 3]];
    const result = tokens([window(specs, ['O', 'B-PER', 'O', 'B-LOC'])], options(text, { aggregationStrategy: 'none' }));
    expect(result).toEqual([
      { entity: 'B-PER', score: expect.closeTo(P5, 12) as unknown as number, index: 2, word: 'Zorglub', start: 6, end: 13 },
      { entity: 'B-LOC', score: expect.closeTo(P5, 12) as unknown as number, index: 4, word: 'Paris', start: 17, end: 22 },
    ]);
    expect(Object.keys(result[0]!)).toEqual(['entity', 'score', 'index', 'word', 'start', 'end']);
  });
});

describe('word strategies first / average / max', () => {
  // "Microsoft rocks": Mic ##ro ##soft rocks
  const text = 'Microsoft rocks';
  const specs: TokenSpec[] = [['Mic', 0, 3, 0], ['##ro', 3, 5, 0], ['##soft', 5, 9, 0], ['rocks', 10, 15, 1]];
  const rows = [
    [0, 0, 0, 3, 0, 0, 0, 0, 0], // Mic: B-ORG
    [0, 4.5, 0, 0, 0, 0, 0, 0, 0], // ##ro: B-PER, the most confident token
    [0, 0, 0, 0, 2.5, 0, 0, 0, 2.25], // ##soft: I-ORG
    [4, 0, 0, 0, 0, 0, 0, 0, 0], // rocks: O
  ];
  const logits = Float32Array.from([...Array<number>(9).fill(0), ...rows.flat(), ...Array<number>(9).fill(0)]);
  const probs = rows.map((r) => softmax(r.map((v) => Math.fround(v))));
  const run = (strategy: 'simple' | 'first' | 'average' | 'max') =>
    groups([{ encoding: encodingOf(specs), logits }], options(text, { aggregationStrategy: strategy }));

  it('simple splits the word where its tokens disagree', () => {
    expect(run('simple').map((e) => [e.entity_group, e.word, e.start, e.end])).toEqual([
      ['ORG', 'Mic', 0, 3],
      ['PER', '##ro', 3, 5],
      ['ORG', '##soft', 5, 9],
    ]);
  });

  it('first takes the label and score of the first token', () => {
    expect(run('first')).toEqual([{ entity_group: 'ORG', score: expect.closeTo(probs[0]![3]!, 12), word: 'Microsoft', start: 0, end: 9 }]);
  });

  it('max takes the token with the highest probability', () => {
    expect(run('max')).toEqual([{ entity_group: 'PER', score: expect.closeTo(probs[1]![1]!, 12), word: 'Microsoft', start: 0, end: 9 }]);
  });

  it('average averages the probability vectors, then takes the argmax', () => {
    const mean = LABELS.map((_, l) => (probs[0]![l]! + probs[1]![l]! + probs[2]![l]!) / 3);
    const best = mean.indexOf(Math.max(...mean));
    const [entity] = run('average');
    expect(entity!.entity_group).toBe(LABELS[best]!.slice(2));
    expect(entity!.score).toBeCloseTo(mean[best]!, 12);
    expect(entity!.word).toBe('Microsoft');
  });

  it('the unknown token is never a subword and reports the covered text', () => {
    const t = 'Parisxyz';
    const unk: TokenSpec[] = [['Paris', 0, 5, 0], ['[UNK]', 5, 8, 0]];
    const result = groups([window(unk, ['B-LOC', 'I-LOC'])], options(t, { aggregationStrategy: 'first' }));
    expect(result.map((e) => [e.entity_group, e.word, e.start, e.end])).toEqual([['LOC', 'Paris xyz', 0, 8]]);
  });

  it('without a continuing-subword prefix HF falls back to "no space before the token"', () => {
    const t = 'Microsoft rocks';
    const result = groups([{ encoding: encodingOf(specs), logits }], {
      ...options(t, { aggregationStrategy: 'first' }),
      tokenizer: { convertTokensToString, unkTokenId: UNK_ID, continuingSubwordPrefix: null },
    });
    expect(result.map((e) => [e.entity_group, e.start, e.end])).toEqual([['ORG', 0, 9]]);
  });
});

describe('subword length rule in code points', () => {
  it('counts a surrogate pair once', () => {
    expect(codePointLength('a😀b', 0, 4)).toBe(3);
    expect(codePointLength('😀', 0, 2)).toBe(1);
    expect(codePointLength('\ud800x', 0, 2)).toBe(2); // a lone surrogate is one unit
  });

  it('compares Python lengths: a 1-code-point token over a 2-unit character is not a subword', () => {
    const text = 'x 𝐀';
    expect(isSubwordToken(text, 'a', 2, 4, '##')).toBe(false);
    expect(isSubwordToken(text, '##a', 2, 4, '##')).toBe(true);
    expect(isSubwordToken('ab', 'b', 1, 2, null)).toBe(true);
    expect(isSubwordToken('a b', 'b', 2, 3, null)).toBe(false);
  });

  it('offsets stay UTF-16 offsets into the text, with emoji before the entities', () => {
    const text = '🙂 Ann Lee 🙂 Bob';
    const specs: TokenSpec[] = [['[UNK]', 0, 2, 0], ['Ann', 3, 6, 1], ['Lee', 7, 10, 2], ['[UNK]', 11, 13, 3], ['Bob', 14, 17, 4]];
    const result = groups([window(specs, ['O', 'B-PER', 'I-PER', 'O', 'B-PER'])], options(text, { aggregationStrategy: 'average' }));
    expect(result.map((e) => text.slice(e.start, e.end))).toEqual(['Ann Lee', 'Bob']);
  });
});

describe('overlapping windows (HF aggregate_overlapping_entities)', () => {
  const text = 'w0 w1 w2 w3 w4 w5 w6 w7';
  const specs = wordsOf(text);
  // Windows over tokens 0..4 and 3..7: tokens 3 and 4 are in both.
  const first = (labels: Array<string | null>, high = 5) => window(specs.slice(0, 5), labels, high);
  const second = (labels: Array<string | null>, high = 5) => window(specs.slice(3, 8), labels, high);

  it('an entity cut by the border is replaced by the complete one of the next window', () => {
    const result = groups(
      [first(['O', 'B-PER', 'O', 'B-LOC', 'I-LOC']), second(['B-LOC', 'I-LOC', 'I-LOC', 'O', 'B-ORG'])],
      options(text),
    );
    expect(result.map((e) => [e.entity_group, e.word])).toEqual([['PER', 'w1'], ['LOC', 'w3 w4 w5'], ['ORG', 'w7']]);
  });

  it('an entity seen whole by both windows is kept once, with the higher score', () => {
    const result = groups(
      [first(['O', 'O', 'O', 'B-LOC', 'I-LOC'], 3), second(['B-LOC', 'I-LOC', 'O', 'O', 'O'], 6)],
      options(text),
    );
    expect(result).toEqual([{ entity_group: 'LOC', score: expect.closeTo(oneHotProbability(6, LABELS.length), 12), word: 'w3 w4', start: 9, end: 14 }]);
  });

  it('a partial entity at the start of the next window loses to the complete one before it', () => {
    const result = groups(
      [first(['B-ORG', 'I-ORG', 'I-ORG', 'I-ORG', 'I-ORG']), second(['I-ORG', 'I-ORG', 'O', 'O', 'O'])],
      options(text),
    );
    expect(result.map((e) => [e.entity_group, e.start, e.end])).toEqual([['ORG', 0, 14]]);
  });

  it('aggregation none: a token in both windows is reported once (the higher score)', () => {
    const result = tokens(
      [first(['O', 'O', 'O', 'B-LOC', 'O'], 3), second(['B-MISC', 'O', 'O', 'O', 'O'], 4)],
      options(text, { aggregationStrategy: 'none' }),
    );
    expect(result.map((e) => [e.entity, e.word, e.index])).toEqual([['B-MISC', 'w3', 1]]);
  });

  it('no windows, or windows of special tokens only, give no entities', () => {
    expect(groups([], options(''))).toEqual([]);
    const empty = window([], []);
    expect(groups([empty, empty], options(''))).toEqual([]);
  });
});

describe('inputs', () => {
  const text = 'Ann met Bob';
  const specs = wordsOf(text);

  it('ignores logits rows past the encoding (padding of a batch) and padding tokens', () => {
    const encoding = encodingOf(specs);
    encoding.ids.push(0);
    encoding.typeIds.push(0);
    encoding.offsets.push([0, 0]);
    encoding.wordIds.push(null);
    encoding.sequenceIds.push(null);
    encoding.tokens.push('[PAD]');
    encoding.specialTokensMask.push(true);
    const logits = oneHotLogits(LABELS, [null, 'B-PER', 'O', 'B-PER', null, 'B-LOC', 'B-LOC'], 5);
    const result = groups([{ encoding, logits }], options(text));
    expect(result.map((e) => e.word)).toEqual(['Ann', 'Bob']);
  });

  it('accepts id2label as config.json writes it', () => {
    const id2label = Object.fromEntries(LABELS.map((l, i) => [String(i), l]));
    const result = groups([window(specs, ['B-PER', 'O', 'B-PER'])], { ...options(text), id2label });
    expect(result.map((e) => e.word)).toEqual(['Ann', 'Bob']);
  });

  it('rejects logits that do not cover the tokens, naming the window', () => {
    const short = { encoding: encodingOf(specs), logits: new Float32Array(LABELS.length * 3) };
    expect(() => groups([window(specs, ['O', 'O', 'O']), short], options(text))).toThrow(
      new PostprocessError('token classification window 1: 27 logits do not cover 5 tokens × 9 labels'),
    );
  });

  it('rejects an unknown strategy and an id2label with a gap', () => {
    expect(() => groups([], options(text, { aggregationStrategy: 'longest' as never }))).toThrow(PostprocessError);
    expect(() => groups([], { ...options(text), id2label: { 0: 'O', 2: 'B-PER' } })).toThrow(/1 is missing/);
  });
});
