import { describe, expect, it } from 'vitest';
import { HeadMismatchError } from '../../../src/core/runtime/loadModel';
import { segmentRanges } from '../../../src/core/tasks/shared/segmentation';
import { paragraphRanges } from '../../../src/core/tasks/textClassification/paragraphs';
import { classifyParagraphs, classifyText } from '../../../src/core/tasks/textClassification/pipeline';
import { fixtureModel } from './fixtureModels';

describe('paragraphRanges', () => {
  it('splits on blank lines (also with spaces, tabs or CRLF), trims, and skips empty paragraphs', () => {
    const text = '  First line\nsame paragraph.\n\nSecond.\r\n \t\r\n\r\nThird 😀 end.  \n\n\n';
    const ranges = paragraphRanges(text);
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['First line\nsame paragraph.', 'Second.', 'Third 😀 end.']);
    expect(ranges[0]).toEqual([2, 28]);
  });

  it('a single line break does not split; whitespace-only text has no paragraphs', () => {
    expect(paragraphRanges('a\nb\r\nc')).toEqual([[0, 6]]);
    expect(paragraphRanges(' \n\n \t')).toEqual([]);
    expect(paragraphRanges('')).toEqual([]);
  });
});

describe('classifyText / classifyParagraphs on the fixture models', () => {
  it('top_k: HF default is the best label; null or a k above the label count gives all, sorted', async () => {
    const model = await fixtureModel('sequence-classification', 'sequence-classification');
    const text = 'The movie was good.';
    const all = await classifyText(model, text, { topK: null });
    expect(all.map((r) => r.label).sort()).toEqual(['NEGATIVE', 'POSITIVE']);
    expect(all[0]!.score).toBeGreaterThanOrEqual(all[1]!.score);
    expect(all[0]!.score + all[1]!.score).toBeCloseTo(1, 12);
    expect(await classifyText(model, text)).toEqual([all[0]]);
    expect(await classifyText(model, text, { topK: 10 })).toEqual(all);
  });

  it('threshold keeps the multi-label labels whose sigmoid score reaches it', async () => {
    const model = await fixtureModel('sequence-classification-multilabel', 'sequence-classification');
    const text = 'the team played a great game in Japan';
    const all = await classifyText(model, text, { topK: null });
    const threshold = (all[1]!.score + all[2]!.score) / 2;
    expect(await classifyText(model, text, { topK: null, threshold })).toEqual(all.slice(0, 2));
    await expect(classifyText(model, text, { threshold: 1.5 })).rejects.toThrow('threshold must be within [0, 1], got 1.5');
  });

  it('classifies each paragraph as classifyText does, with UTF-16 offsets into the text', async () => {
    const model = await fixtureModel('sequence-classification', 'sequence-classification');
    const text = '😀 The movie was good.\r\n\r\nIt was a terrible film.\n\n  \n\nThe series was boring but fun.';
    const paragraphs = await classifyParagraphs(model, text, { topK: null });
    expect(paragraphs.map((p) => text.slice(p.start, p.end))).toEqual(['😀 The movie was good.', 'It was a terrible film.', 'The series was boring but fun.']);
    for (const p of paragraphs) {
      const alone = await classifyText(model, text.slice(p.start, p.end), { topK: null });
      p.results.forEach((r, i) => {
        expect(r.label).toBe(alone[i]!.label);
        expect(r.score).toBeCloseTo(alone[i]!.score, 6); // batched with padding vs alone: float32 noise only
      });
    }
    expect(await classifyParagraphs(model, '\n\n')).toEqual([]);
  });

  it('a text pair whose first text leaves no room, and a model with another head, are clear errors', async () => {
    const model = await fixtureModel('sequence-classification', 'sequence-classification');
    const long = Array.from({ length: 80 }, () => 'city').join(' ');
    await expect(classifyText(model, long, { textPair: 'short' })).rejects.toThrow('the first text (80 tokens) leaves no room for the text pair in windows of 64 tokens');
    const qa = await fixtureModel('question-answering', 'question-answering');
    await expect(classifyText(qa, 'text')).rejects.toThrow(HeadMismatchError);
    await expect(classifyText(qa, 'text')).rejects.toThrow(/text classification needs a model with a sequence-classification \(BertForSequenceClassification\) head; .*question-answering has a question-answering head/);
  });

  it('a text longer than one window: windows of whole sentences, logits averaged by their tokens', async () => {
    const model = await fixtureModel('sequence-classification', 'sequence-classification');
    const sentences = ['The movie was good.', 'It was a terrible film and the actors were bored.', 'The series was boring but fun.', 'A great cast in Japan.'];
    const text = Array.from({ length: 12 }, (_, i) => sentences[i % sentences.length]).join(' ');
    const raw = { topK: null, functionToApply: 'none' as const };
    const packed = await classifyText(model, text, raw);
    // Independent of packSegments: greedy whole sentences per window of 64 tokens ([CLS] … [SEP]),
    // each window's text classified alone (it fits one window), averaged by its text tokens.
    const groups: Array<[number, number, number]> = [];
    for (const [start, end] of segmentRanges(text, 'sentence')) {
      const tokens = model.tokenizer.encode(text.slice(start, end), { addSpecialTokens: false }).ids.length;
      const last = groups.at(-1);
      if (last && last[2] + tokens <= 62) {
        last[1] = end;
        last[2] += tokens;
      } else groups.push([start, end, tokens]);
    }
    expect(groups.length).toBeGreaterThan(2);
    const expected = new Map<string, number>();
    const total = groups.reduce((sum, [, , tokens]) => sum + tokens, 0);
    for (const [start, end, tokens] of groups) {
      for (const { label, score } of await classifyText(model, text.slice(start, end), raw)) {
        expected.set(label, (expected.get(label) ?? 0) + (score * tokens) / total);
      }
    }
    for (const { label, score } of packed) expect(score).toBeCloseTo(expected.get(label)!, 5);
    // segmentation none: today's strided windows, equal weights — a different average.
    const strided = await classifyText(model, text, { ...raw, segmentation: 'none' });
    expect(strided.find((r) => r.label === 'POSITIVE')!.score).not.toBeCloseTo(packed.find((r) => r.label === 'POSITIVE')!.score, 6);
    await expect(classifyText(model, text, { segmentation: 'paragraph' as never })).rejects.toThrow(/segmentation must be one of sentence, line, none/);
  });

  it('regression returns the raw value under the single label', async () => {
    const model = await fixtureModel('sequence-classification-regression', 'sequence-classification');
    const [result] = await classifyText(model, 'The movie was terrible .');
    expect(result!.label).toBe('LABEL_0');
    const sigmoid = await classifyText(model, 'The movie was terrible .', { functionToApply: 'sigmoid' });
    expect(sigmoid[0]!.score).toBeCloseTo(1 / (1 + Math.exp(-result!.score)), 12);
  });
});
