// Pure host logic of the task commands: what the editor shows and edits, from hand-made results.
import { describe, expect, it } from 'vitest';
import { headline, labelPickItems, predictedLabels } from '../../../../src/host/tasks/classification/labelScores';
import { paragraphDecorations, paragraphSpans, type ClassificationInfo } from '../../../../src/host/tasks/classification/paragraphPlan';
import { answerPickItems, answerSummary, placeAnswers } from '../../../../src/host/tasks/qa/answers';
import { formatScore, lineNumberAt, oneLine, scoreBar } from '../../../../src/host/tasks/shared/presentation';

describe('question answering: answers → document ranges and quick pick', () => {
  // A selection of a CRLF document with emoji before it: offsets are UTF-16 and relative to the selection.
  const documentText = 'Title 🙂\r\n\r\nThe harbour of Hamburg opened in 2021.\r\nIts director is Anna Weber.\r\n';
  const contextOffset = documentText.indexOf('The harbour');
  const context = documentText.slice(contextOffset, documentText.indexOf('\r\n', documentText.indexOf('Weber')));
  const at = (text: string) => ({ start: context.indexOf(text), end: context.indexOf(text) + text.length });

  it('places answers at document offsets, best first, with the text they cover', () => {
    const placed = placeAnswers([
      { score: 0.8, ...at('Anna Weber'), answer: 'Anna Weber' },
      { score: 0.1, ...at('Hamburg'), answer: 'Hamburg' },
    ], contextOffset, documentText);
    expect(placed.impossible).toBeUndefined();
    expect(placed.answers.map((a) => [a.rank, documentText.slice(a.start, a.end), a.text, a.score])).toEqual([
      [0, 'Anna Weber', 'Anna Weber', 0.8],
      [1, 'Hamburg', 'Hamburg', 0.1],
    ]);
  });

  it('keeps the impossible answer apart (no range) and drops offsets outside the context', () => {
    const placed = placeAnswers([
      { score: 0.9, start: 0, end: 0, answer: '' },
      { score: 0.05, ...at('2021'), answer: '2021' },
      { score: 0.01, start: 5, end: 5_000, answer: 'x' },
    ], contextOffset, documentText);
    expect(placed.impossible).toEqual({ rank: 0, score: 0.9 });
    expect(placed.answers.map((a) => a.text)).toEqual(['2021']);
    expect(answerSummary(placed)).toBe('BERT Lens: the model found no answer in the text (the null answer scored 0.900).');
    const items = answerPickItems(placed, documentText);
    expect(items.map((i) => [i.label, i.description])).toEqual([
      ['$(circle-slash) no answer in the text', 'score 0.900'],
      ['2021', 'score 0.050 · line 3'],
    ]);
    expect(items[0]!.answer).toBeUndefined();
    expect(items[1]!.answer?.text).toBe('2021');
  });

  it('quick-pick items show the answer on one line, its score (not a percentage, may exceed 1) and its line', () => {
    const multiLine = 'A\r\nB\nC\rD two lines\nanswer here';
    const placed = placeAnswers([
      { score: 1.37, start: multiLine.indexOf('D'), end: multiLine.length, answer: multiLine.slice(multiLine.indexOf('D')) },
    ], 0, multiLine);
    const [item] = answerPickItems(placed, multiLine);
    expect(item).toMatchObject({ label: 'D two lines answer here', description: 'score 1.370 · line 4' });
    expect(answerSummary(placed)).toBe('BERT Lens: answer "D two lines answer here" (score 1.370).');
    expect(answerSummary({ answers: [] })).toBe('BERT Lens: the model returned no answer.');
  });
});

describe('classification: headlines, quick pick, paragraph decorations', () => {
  const softmax = [{ label: 'POSITIVE', score: 0.875 }, { label: 'NEGATIVE', score: 0.125 }];
  const sigmoid = [{ label: 'toxic', score: 0.91 }, { label: 'insult', score: 0.62 }, { label: 'threat', score: 0.1 }];

  it('single-label: the best label; multi-label: every label at or above the threshold; regression: the value', () => {
    expect(headline(softmax, { scoreKind: 'softmax', threshold: 0.5 })).toBe('POSITIVE 0.875');
    expect(headline(sigmoid, { scoreKind: 'sigmoid', threshold: 0.5 })).toBe('toxic 0.910, insult 0.620');
    expect(headline(sigmoid, { scoreKind: 'sigmoid', threshold: 0.95 })).toBe('none ≥ 0.95');
    expect(headline([{ label: 'LABEL_0', score: 3.2149 }], { scoreKind: 'none', threshold: 0.5 })).toBe('3.215');
    expect(predictedLabels([{ label: 'A', score: -1 }, { label: 'B', score: 2 }], { scoreKind: 'none', threshold: 0.5 })).toEqual([{ label: 'B', score: 2 }]);
    expect(headline([], { scoreKind: 'softmax', threshold: 0.5 })).toBe('no label');
  });

  it('quick-pick rows: every label best first, a check on those that apply, a bar for probabilities only', () => {
    expect(labelPickItems([...softmax].reverse(), { scoreKind: 'softmax', threshold: 0.5 })).toEqual([
      { label: '$(check) POSITIVE', description: '0.875  █████████░' },
      { label: '$(blank) NEGATIVE', description: '0.125  █░░░░░░░░░' },
    ]);
    expect(labelPickItems(sigmoid, { scoreKind: 'sigmoid', threshold: 0.6 }).map((i) => i.label)).toEqual(['$(check) toxic', '$(check) insult', '$(blank) threat']);
    expect(labelPickItems([{ label: 'LABEL_0', score: 3.5 }], { scoreKind: 'none', threshold: 0.5 })).toEqual([{ label: '$(check) LABEL_0', description: '3.500' }]);
  });

  it('paragraph results become decorations at the end of each paragraph (CRLF), with a hover of every score', () => {
    const text = 'Intro 🙂\r\n\r\nFirst paragraph line one\r\nline two\r\n\r\nSecond | *bold*';
    const offset = 0;
    const first = text.indexOf('First');
    const second = text.indexOf('Second');
    const spans = paragraphSpans([
      { start: first, end: text.indexOf('two') + 3, results: softmax },
      { start: second, end: text.length, results: [{ label: 'NEGATIVE', score: 0.6 }, { label: 'POSITIVE', score: 0.4 }] },
      { start: 3, end: 9_999, results: softmax },
    ], offset, text);
    expect(spans.map((s) => s.text)).toEqual(['First paragraph line one\r\nline two', 'Second | *bold*']);
    const info: ClassificationInfo = { scoreKind: 'softmax', threshold: 0.5, modelDescription: 'bundled (untrained demo)', labels: ['NEGATIVE', 'POSITIVE'], scope: 'paragraphs' };
    const plan = paragraphDecorations([spans[1]!, spans[0]!], info);
    expect(plan.map((d) => [text.slice(d.start, d.anchor), d.end, d.text, d.label])).toEqual([
      ['First paragraph line one\r\nline two', spans[0]!.end, '  POSITIVE 0.875', 'POSITIVE'],
      ['Second | *bold*', text.length, '  NEGATIVE 0.600', 'NEGATIVE'],
    ]);
    expect(plan[1]!.hoverMarkdown).toContain('| **NEGATIVE** | 0.600 |');
    expect(plan[1]!.hoverMarkdown).toContain('| POSITIVE | 0.400 |');
    expect(plan[1]!.hoverMarkdown).toContain('model: bundled \\(untrained demo\\)');
  });

  it('paragraph spans from a selection are shifted by its offset', () => {
    const text = 'xx\n\nAlpha beta.\n\nGamma.';
    const offset = text.indexOf('Alpha');
    const spans = paragraphSpans([{ start: 0, end: 11, results: softmax }, { start: 13, end: 19, results: softmax }], offset, text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['Alpha beta.', 'Gamma.']);
  });
});

describe('presentation helpers', () => {
  it('formats scores with three decimals, bars only for probabilities, one-line clips, 1-based lines', () => {
    expect(formatScore(0.12345)).toBe('0.123');
    expect(formatScore(2)).toBe('2.000');
    expect(formatScore(Number.NaN)).toBe('NaN');
    expect(scoreBar(0.55)).toBe('██████░░░░');
    expect(scoreBar(1.2)).toBe('');
    expect(oneLine('a\r\n  b\nc', 80)).toBe('a b c');
    expect(oneLine('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect([0, 2, 3, 4, 5].map((o) => lineNumberAt('a\r\nb\rc\n', o))).toEqual([1, 1, 2, 2, 3]);
  });
});
