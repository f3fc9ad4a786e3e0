import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { describeAccept, joinTokenPredictions, planAccept, type Prediction } from '../../../../src/host/annotation/acceptPredictions';
import { annotationSlots, groupAnnotations } from '../../../../src/host/annotation/annotationTree';
import { DocumentAnnotations } from '../../../../src/host/annotation/documentAnnotations';
import { acceptPredictionMarkdown, annotationHoverMarkdown, commandUri, HOVER_ENABLED_COMMANDS } from '../../../../src/host/annotation/hoverContent';
import { keyHints, labelForKey, labelPickState, labelSet, resolveLabelChoice } from '../../../../src/host/annotation/labelChoice';
import { checkSpans } from '../../../../src/host/annotation/spanCheck';
import type { TrackedSpan } from '../../../../src/host/annotation/trackedSpans';
import { isLocation, locateDocument, renamedKeys } from '../../../../src/host/annotation/workspacePath';

//            0         1         2         3         4
//            01234567890123456789012345678901234567890123
const TEXT = 'Angela Merkel met Emmanuel Macron in Paris.';

function range(text: string, from = 0) {
  const start = TEXT.indexOf(text, from);
  return { start, end: start + text.length, text };
}

describe('the label set and the label quick pick', () => {
  it('orders the workspace labels first, then the configured ones, without duplicates or invalid labels', () => {
    expect(labelSet(['HARBOUR', 'PER'], ['PER', 'ORG', 'bad\tlabel', ' LOC', 'LOC'])).toEqual(['HARBOUR', 'PER', 'ORG', 'LOC']);
  });

  it('offers every label with its key 1–9 and marks the current one', () => {
    const labels = Array.from({ length: 10 }, (_, i) => `L${i}`);
    const state = labelPickState(labels, '', new Set(['L1']));
    expect(state.items.map((item) => [item.label, item.description ?? ''])).toEqual([
      ['L0', 'key 1'], ['L1', 'key 2 · current'], ['L2', 'key 3'], ['L3', 'key 4'], ['L4', 'key 5'],
      ['L5', 'key 6'], ['L6', 'key 7'], ['L7', 'key 8'], ['L8', 'key 9'], ['L9', ''],
    ]);
    expect(state.items.every((item) => !item.isNew)).toBe(true);
  });

  it('puts an "add" row first for a typed label that is new and valid; none for an existing one; a reason for an invalid one', () => {
    const labels = ['PER', 'ORG'];
    const added = labelPickState(labels, '  HARBOUR ');
    expect(added.items[0]).toEqual({ label: 'Add label "HARBOUR"', description: 'new label', value: 'HARBOUR', isNew: true });
    expect(added.items.slice(1).map((item) => item.value)).toEqual(labels);
    expect(labelPickState(labels, 'PER').items.some((item) => item.isNew)).toBe(false);
    const invalid = labelPickState(labels, 'A\tB');
    expect(invalid.items.some((item) => item.isNew)).toBe(false);
    expect(invalid.validationMessage).toMatch(/tab or line break/);
  });

  it('resolves Enter: the highlighted row, else the typed text when it is a valid label', () => {
    const labels = ['PER', 'ORG'];
    expect(resolveLabelChoice(labels, 'O', { label: 'ORG', value: 'ORG', isNew: false })).toEqual({ label: 'ORG', isNew: false });
    expect(resolveLabelChoice(labels, 'NEW', { label: 'Add label "NEW"', value: 'NEW', isNew: true })).toEqual({ label: 'NEW', isNew: true });
    expect(resolveLabelChoice(labels, ' DATE ', undefined)).toEqual({ label: 'DATE', isNew: true });
    expect(resolveLabelChoice(labels, 'PER', undefined)).toEqual({ label: 'PER', isNew: false });
    expect(resolveLabelChoice(labels, '', undefined)).toBeUndefined();
    expect(resolveLabelChoice(labels, 'a\nb', undefined)).toEqual({ error: expect.stringMatching(/not a valid label/i) });
  });

  it('maps keys 1–9 to the first nine labels and lists them in the status bar tooltip', () => {
    const labels = ['A', 'B', 'C'];
    expect([0, 1, 2, 3, 4, 9, 1.5].map((key) => labelForKey(labels, key))).toEqual([undefined, 'A', 'B', 'C', undefined, undefined, undefined]);
    expect(keyHints(labels)).toEqual({ text: '$(tag) Annotating · 1–3', tooltip: expect.stringContaining('1 → A\n2 → B\n3 → C') });
    expect(keyHints([]).text).toBe('$(tag) Annotating');
  });
});

describe('labelling ranges', () => {
  it('adds spans, leaves a range that already has the label, and replaces overlapping annotations', () => {
    const annotations = new DocumentAnnotations([{ ...range('Merkel'), label: 'PER' }, { ...range('Paris'), label: 'LOC' }]);
    const outcome = annotations.label([range('Angela Merkel'), range('Paris'), range('Macron')], 'PER');
    expect(outcome.replaced.map((span) => span.text)).toEqual(['Merkel', 'Paris']);
    expect(outcome.added.map((span) => span.text)).toEqual(['Angela Merkel', 'Macron', 'Paris']);
    expect(annotations.toSpans()).toEqual([
      { ...range('Angela Merkel'), label: 'PER', text: undefined }, { ...range('Macron'), label: 'PER', text: undefined }, { ...range('Paris'), label: 'PER', text: undefined },
    ].map(({ start, end, label }) => ({ start, end, label })));
    const again = annotations.label([range('Macron')], 'PER');
    expect(again).toEqual({ added: [], replaced: [], unchanged: 1 });
  });

  it('two overlapping selections in one call leave one span, the later one', () => {
    const annotations = new DocumentAnnotations();
    const outcome = annotations.label([range('Emmanuel Macron'), range('Macron in')], 'PER');
    expect(annotations.spans.map((span) => span.text)).toEqual(['Macron in']);
    expect(outcome.added.map((span) => span.text)).toEqual(['Macron in']);
    expect(outcome.replaced).toEqual([]);
  });

  it('relabels (merging into an identical span), removes, and finds spans at a caret', () => {
    const annotations = new DocumentAnnotations([{ ...range('Paris'), label: 'LOC' }, { ...range('Paris'), label: 'GPE' }, { ...range('Macron'), label: 'PER' }]);
    const gpe = annotations.spans.find((span) => span.label === 'GPE')!;
    expect(annotations.relabel(new Set([gpe.id]), 'LOC').map((span) => span.label)).toEqual(['LOC']);
    expect(annotations.toSpans()).toEqual([{ ...range('Macron'), label: 'PER' }, { ...range('Paris'), label: 'LOC' }].map(({ start, end, label }) => ({ start, end, label })));
    const paris = range('Paris');
    expect(annotations.at(paris.end).map((s) => s.text)).toEqual([]);
    expect(annotations.at(paris.end, true).map((s) => s.text)).toEqual(['Paris']);
    expect(annotations.overlapping(0, paris.start + 1).map((s) => s.text)).toEqual(['Macron', 'Paris']);
    const macron = annotations.spans[0]!;
    expect(annotations.remove(new Set([macron.id]))).toEqual([macron]);
    expect(annotations.spans.map((s) => s.text)).toEqual(['Paris']);
  });
});

describe('accepting predictions', () => {
  let id = 0;
  const prediction = (text: string, label: string, from = 0): Prediction => ({ id: ++id, ...range(text, from), label });

  it('adds predictions as annotations with their entity type; exact duplicates are not added twice', () => {
    const plan = planAccept([{ ...range('Paris'), label: 'LOC' }], [prediction('Angela Merkel', 'PER'), prediction('Paris', 'LOC'), prediction('Macron', 'B-PER')]);
    expect(plan.accepted).toEqual([{ ...range('Angela Merkel'), label: 'PER' }, { ...range('Macron'), label: 'PER' }]);
    expect(plan.duplicates).toBe(1);
    expect(plan.conflicts).toEqual([]);
  });

  it('never overwrites an annotation: overlapping predictions with another range or label are skipped and listed', () => {
    const annotations = [{ ...range('Emmanuel Macron'), label: 'PER' }, { ...range('Paris'), label: 'LOC' }];
    const macron = prediction('Macron', 'PER');
    const paris = prediction('Paris', 'ORG');
    const plan = planAccept(annotations, [macron, paris, prediction('Merkel', 'O')]);
    expect(plan.accepted).toEqual([]);
    expect(plan.conflicts).toEqual([macron, paris]);
    expect(plan.ignored).toBe(1);
    expect(describeAccept(plan)).toBe('0 predictions accepted as annotations; 2 skipped: they overlap an annotation with another range or label (your annotation is kept); 1 ignored (label O or not a valid label)');
  });

  it('accepting twice adds nothing the second time', () => {
    const annotations = new DocumentAnnotations();
    const predictions = [prediction('Angela Merkel', 'PER'), prediction('Paris', 'LOC')];
    annotations.add(planAccept(annotations.toSpans(), predictions).accepted);
    const second = planAccept(annotations.toSpans(), predictions);
    expect(second.accepted).toEqual([]);
    expect(second.duplicates).toBe(2);
    expect(annotations.spans.map((span) => `${span.label}:${span.text}`)).toEqual(['PER:Angela Merkel', 'LOC:Paris']);
  });

  it('joins token predictions of strategy "none" (B- then I- of one type, only spaces between) into entities', () => {
    const gap = (from: number, to: number): string => TEXT.slice(from, to);
    const tokens = [prediction('Angela', 'B-PER'), prediction('Merkel', 'I-PER'), prediction('Emmanuel', 'B-PER'), prediction('Macron', 'I-ORG'), prediction('Paris', 'I-LOC')];
    const joined = joinTokenPredictions(tokens, gap);
    expect(joined.map((p) => [p.label, p.text])).toEqual([['B-PER', 'Angela Merkel'], ['B-PER', 'Emmanuel'], ['I-ORG', 'Macron'], ['I-LOC', 'Paris']]);
    expect(joined[0]).toMatchObject(range('Angela Merkel'));
  });
});

describe('hover markdown', () => {
  const md = new MarkdownIt();
  const span = (label: string, text: string): TrackedSpan => ({ id: 7, start: 0, end: text.length, label, text });

  it('links Change Label and Remove Label to our commands with the document and span id', () => {
    const markdown = annotationHoverMarkdown('file:///ws/a.txt', [span('LOC', 'Paris')]);
    const html = md.render(markdown);
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    expect(links).toEqual([commandUri('bertLens.changeLabel', ['file:///ws/a.txt', 7]), commandUri('bertLens.removeLabel', ['file:///ws/a.txt', 7])]);
    expect(decodeURIComponent(links[1]!.split('?')[1]!)).toBe('["file:///ws/a.txt",7]');
    expect(HOVER_ENABLED_COMMANDS).toEqual(['bertLens.removeLabel', 'bertLens.changeLabel', 'bertLens.acceptPrediction']);
  });

  it('escapes labels and text from files: no extra link, command, image or HTML gets through', () => {
    const evil = span('<img src=x onerror=alert(1)>', '[click](command:workbench.action.terminal.new) **bold** $(zap)');
    const html = md.render(annotationHoverMarkdown('file:///ws/a.txt', [evil]));
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    expect(links).toHaveLength(2);
    expect(links.every((link) => link.startsWith('command:bertLens.'))).toBe(true);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<strong>bold');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const accept = md.render(acceptPredictionMarkdown('file:///ws/a.txt', 3, 'B-<b>X</b>'));
    expect([...accept.matchAll(/href="([^"]+)"/g)].map((match) => match[1])).toEqual([commandUri('bertLens.acceptPrediction', ['file:///ws/a.txt', 3])]);
    expect(accept).not.toContain('<b>');
  });
});

describe('span checks before saving', () => {
  it('keeps spans on their text, moves one whose text moved, reports one whose text is gone', () => {
    const spans: TrackedSpan[] = [
      { id: 1, start: 37, end: 42, label: 'LOC', text: 'Paris' },
      { id: 2, start: 0, end: 6, label: 'PER', text: 'Angela' },
      { id: 3, start: 10, end: 15, label: 'PER', text: 'Olaf' + 'S' },
    ];
    const text = `Today ${TEXT}`;
    const check = checkSpans(text, spans);
    expect(check.changed).toBe(true);
    expect(check.spans.map((s) => [s.id, s.start, s.end])).toEqual([[1, 43, 48], [2, 6, 12]]);
    expect(check.lost).toEqual([{ span: { start: 10, end: 15, label: 'PER' }, text: 'OlafS', reason: expect.stringContaining('no longer in the document') }]);
    expect(checkSpans(TEXT, spans.slice(0, 2))).toEqual({ spans: spans.slice(0, 2), changed: false, lost: [] });
  });
});

describe('workspace paths and the tree', () => {
  it('keys documents by their folder-relative POSIX path and refuses files outside or in .bert-lens', () => {
    expect(locateDocument('/ws', '/ws/docs/a.txt')).toEqual({ folderDir: '/ws', path: 'docs/a.txt' });
    expect(isLocation(locateDocument('/ws', '/other/a.txt'))).toBe(false);
    expect(isLocation(locateDocument('/ws', '/ws/.bert-lens/annotations.jsonl'))).toBe(false);
    expect(isLocation(locateDocument('/ws', '/ws'))).toBe(false);
    expect(renamedKeys(['a.txt', 'docs/b.txt', 'docs/c/d.txt', 'docsx/e.txt'], 'docs', 'notes')).toEqual([
      ['docs/b.txt', 'notes/b.txt'],
      ['docs/c/d.txt', 'notes/c/d.txt'],
    ]);
  });

  it('colours annotation labels like the predictions of the document, CoNLL types by name, others by palette', () => {
    const slots = annotationSlots(new Map([['DATE', 'palette0'], ['PER', 'PER']]), ['HARBOUR', 'B-DATE', 'PER', 'LOC', 'X']);
    expect([...slots]).toEqual([['HARBOUR', 'palette0'], ['B-DATE', 'palette0'], ['PER', 'PER'], ['LOC', 'LOC'], ['X', 'palette1']]);
  });

  it('groups annotations by label in slot order with a row limit', () => {
    const spans: TrackedSpan[] = [
      { id: 1, start: 30, end: 35, label: 'LOC', text: 'a' },
      { id: 2, start: 0, end: 5, label: 'PER', text: 'b' },
      { id: 3, start: 10, end: 15, label: 'LOC', text: 'c' },
      { id: 4, start: 20, end: 25, label: 'AAA', text: 'd' },
    ];
    const groups = groupAnnotations(spans, new Map([['PER', 'PER'], ['LOC', 'LOC']]), 1);
    expect(groups.map((g) => [g.label, g.count, g.spans.map((s) => s.id), g.hidden])).toEqual([['PER', 1, [2], 0], ['LOC', 2, [3], 1], ['AAA', 1, [4], 0]]);
  });
});
