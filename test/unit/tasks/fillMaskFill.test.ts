import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../../src/core/runtime/tokenizer/loadTokenizer';
import { wordBoundaryOf, pieceStartsWord } from '../../../src/core/runtime/tokenizer/wordBoundary';
import { maskFill } from '../../../src/core/tasks/fillMask/maskFill';
import { maskReplacement } from '../../../src/host/tasks/fillMask/maskEdits';
import { maskSpans } from '../../../src/worker/jobs/fillMask';

// Fill-mask's edit for every tokenizer type, with the committed fixture tokenizers: a token that begins
// a word takes the mask's place with the document's spacing (no doubled space from byte-level BPE's
// " Paris"), a token that continues a word joins the word before the mask. The expected flags come from
// the Rust library's word ids (the first token of a word begins it), not from the piece spellings.
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'tokenizer');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'bert-lens-mask-fill-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const TEXT = 'They were extraordinarily happy about the incomprehensibilities yesterday';
const apply = (text: string, edit: { start: number; end: number; text: string }) => text.slice(0, edit.start) + edit.text + text.slice(edit.end);

describe.each([
  ['bert-cased', 'WordPiece', '[MASK]'],
  ['roberta-bpe', 'byte-level BPE', '<mask>'],
  ['xlmr-unigram', 'SentencePiece Unigram', '<mask>'],
])('fill-mask edits with %s (%s)', (fixture, _type, mask) => {
  it('flags word-starting and continuing pieces as the word ids do, and the edit restores the text', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir: path.join(scratch, 'cache') });
    const encoding = tokenizer.encode(TEXT, { addSpecialTokens: false });
    let checkedStarts = 0;
    let checkedContinuations = 0;
    for (let k = 0; k < encoding.ids.length; k++) {
      const word = encoding.wordIds[k];
      // Words after a space only: the text's first word has no space marker in byte-level BPE.
      if (word === null || word === encoding.wordIds[0]) continue;
      const [spanStart, end] = encoding.offsets[k]!;
      // Metaspace offsets cover the space folded into "▁were"; a mask is written after that space.
      const start = end - TEXT.slice(spanStart, end).trimStart().length;
      // A bare marker piece ("Ġ", "▁": the space alone, when the vocabulary lacks the marked word) and
      // the piece after it stand for no mask a user would write.
      const bare = (t: number) => TEXT.slice(encoding.offsets[t]![0], encoding.offsets[t]![1]).trim() === '';
      if (bare(k) || (encoding.wordIds[k - 1] === word && bare(k - 1))) continue;
      const id = encoding.ids[k]!;
      const tokenStr = tokenizer.decode([id]);
      const fill = maskFill(tokenizer, { token: id, token_str: tokenStr });
      const startsWord = encoding.wordIds[k - 1] !== word;
      expect(fill.startsWord, `${encoding.tokens[k]} (token ${k})`).toBe(startsWord);
      expect(tokenizer.startsWord(id)).toBe(startsWord);
      if (startsWord) {
        // The mask stands where the token's text was; the space before it stays the document's.
        const doc = TEXT.slice(0, start) + mask + TEXT.slice(end);
        expect(apply(doc, maskReplacement(doc, { start, end: start + mask.length }, fill))).toBe(TEXT);
        checkedStarts++;
      } else {
        // "extra <mask> happy" with "ordinarily": the continuation joins the word before the mask.
        const doc = `${TEXT.slice(0, start)} ${mask}${TEXT.slice(end)}`;
        expect(apply(doc, maskReplacement(doc, { start: start + 1, end: start + 1 + mask.length }, fill))).toBe(TEXT);
        checkedContinuations++;
      }
    }
    expect(checkedStarts).toBeGreaterThanOrEqual(5);
    expect(checkedContinuations).toBeGreaterThanOrEqual(2);
  });

  it('the mask span is the mask token itself, not the spaces an lstrip mask swallows; the edit keeps one space', async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir: path.join(scratch, 'cache') });
    const text = `The capital is ${mask}. ${mask} is big`;
    const spans = maskSpans(tokenizer, text);
    expect(spans.map((span) => text.slice(span.start, span.end))).toEqual([mask, mask]);
    // The first piece of " the" (a word start for every type).
    const encoding = tokenizer.encode('is the', { addSpecialTokens: false });
    const the = encoding.ids[encoding.wordIds.indexOf(encoding.wordIds[encoding.ids.length - 1]!)]!;
    const fill = maskFill(tokenizer, { token: the, token_str: tokenizer.decode([the]) });
    expect(fill.startsWord).toBe(true);
    expect(apply(text, maskReplacement(text, spans[0]!, fill))).toBe(`The capital is ${fill.text}. ${mask} is big`);
    expect(fill.text.startsWith('t')).toBe(true);
  });

  it("keeps HF's token_str (the decoded token) as it is", async () => {
    const tokenizer = await loadTokenizer(path.join(FIXTURES, fixture), { cacheDir: path.join(scratch, 'cache') });
    const encoding = tokenizer.encode(TEXT, { addSpecialTokens: false });
    const happy = encoding.tokens.findIndex((_, k) => encoding.offsets[k]![0] === TEXT.indexOf('happy'));
    expect(happy).toBeGreaterThan(0);
    const tokenStr = tokenizer.decode([encoding.ids[happy]!]);
    // Byte-level BPE decodes "Ġhappy" with its space; WordPiece and Metaspace without.
    expect(tokenStr).toBe(fixture === 'roberta-bpe' ? ` ${TEXT.slice(encoding.offsets[happy]![0], encoding.offsets[happy]![1])}` : TEXT.slice(encoding.offsets[happy]![0], encoding.offsets[happy]![1]));
  });
});

describe('word boundary of a tokenizer.json', () => {
  it('is read from the decoder, else the pre-tokenizer, searching Sequences', () => {
    expect(wordBoundaryOf({ decoder: { type: 'WordPiece', prefix: '##' } }, '##')).toEqual({ marks: 'continuation', prefix: '##' });
    expect(wordBoundaryOf({ decoder: { type: 'ByteLevel' } }, null)).toEqual({ marks: 'wordStart', prefix: 'Ġ' });
    expect(wordBoundaryOf({ decoder: { type: 'Metaspace', replacement: '▁' } }, null)).toEqual({ marks: 'wordStart', prefix: '▁' });
    const llama = { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }] };
    expect(wordBoundaryOf({ decoder: llama }, null)).toEqual({ marks: 'wordStart', prefix: '▁' });
    expect(wordBoundaryOf({ decoder: null, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits' }, { type: 'ByteLevel' }] } }, null)).toEqual({ marks: 'wordStart', prefix: 'Ġ' });
    expect(wordBoundaryOf({}, null)).toEqual({ marks: 'none' });
    expect(pieceStartsWord({ marks: 'continuation', prefix: '##' }, '##')).toBe(true);
    expect(pieceStartsWord({ marks: 'continuation', prefix: '##' }, '##s')).toBe(false);
    expect(pieceStartsWord({ marks: 'wordStart', prefix: 'Ġ' }, 'ing')).toBe(false);
  });
});
