import { describe, expect, it } from 'vitest';
import { decimate, extentOf, lineChart, polylinePoints, type Point } from '../../../webview/charts';
import { h, svg } from '../../../webview/dom';
import { renderCheckpoints, renderDataset, renderMetricsTable, renderNotices, progressText } from '../../../webview/views';
import { IDLE_JOB } from '../../../webview/protocol';
import { FakeDocument, FakeElement } from './fakeDom';

const HOSTILE = '<img src=x onerror=alert(1)>';
const doc = new FakeDocument();

/** No element other than the ones the helper meant to create, and the hostile text present verbatim. */
function expectInert(root: FakeElement): void {
  expect(root.find((e) => e.tag === 'img' || e.tag === 'script')).toEqual([]);
  for (const element of root.all()) for (const name of element.attributes.keys()) expect(name).not.toMatch(/^on/i);
  expect(root.textContent).toContain(HOSTILE);
  expect(root.outerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
}

describe('h(): text only, allow-listed attributes', () => {
  it('puts strings in as text, also next to elements', () => {
    const single = h(doc, 'td', {}, HOSTILE) as FakeElement;
    expect(single.children).toHaveLength(1);
    expectInert(single);
    const mixed = h(doc, 'div', {}, 'label: ', HOSTILE, h(doc, 'b', {}, 'x')) as FakeElement;
    expect(mixed.children.map((c) => (c instanceof FakeElement ? c.tag : 'text'))).toEqual(['span', 'span', 'b']);
    expectInert(mixed);
  });

  it('refuses event handlers, inline style, URLs and dangerous elements', () => {
    expect(() => h(doc, 'div', { onclick: 'alert(1)' })).toThrow(/onclick/);
    expect(() => h(doc, 'div', { OnMouseOver: 'x' })).toThrow(/not allowed/);
    expect(() => h(doc, 'div', { style: 'color:red' })).toThrow(/style/);
    expect(() => h(doc, 'a', { href: 'javascript:alert(1)' })).toThrow(/href/);
    expect(() => h(doc, 'img', { src: 'x' })).toThrow(/src/);
    expect(() => h(doc, 'script')).toThrow(/script/);
    expect(() => h(doc, 'iframe')).toThrow(/iframe/);
    expect(() => h(doc, 'div onclick=x')).toThrow(/not allowed/);
    expect(() => svg(doc, 'foreignObject')).toThrow(/not allowed/);
    // Attribute values are data: a quote in a value stays in the value.
    const element = h(doc, 'div', { title: '" onmouseover="alert(1)' }) as FakeElement;
    expect([...element.attributes.keys()]).toEqual(['title']);
  });
});

describe('panel views render labels, paths and messages as text', () => {
  it('dataset summary with a hostile label, source and warning', () => {
    const root = renderDataset(doc, {
      task: 'ner', source: HOSTILE, documents: 2, examples: 7, labelCounts: [{ label: HOSTILE, count: 3 }, { label: 'PER', count: 9 }],
      train: 5, dev: 2, warnings: [`"${HOSTILE}" has 3 examples`], errors: [],
    }, 'none') as FakeElement;
    expectInert(root);
    const cells = root.find((e) => e.tag === 'td').map((e) => e.textContent);
    expect(cells).toEqual([HOSTILE, '3', 'PER', '9']);
    expect(root.find((e) => e.getAttribute('class') === 'dataset-split')[0]!.textContent).toBe('train 5 · dev 2');
    expect(root.find((e) => e.getAttribute('data-level') === 'warning')).toHaveLength(1);
  });

  it('metrics table, checkpoints and notices', () => {
    const table = renderMetricsTable(doc, {
      step: 10, epoch: 1, score: 0.5, metrics: [{ name: 'f1', value: 0.5 }],
      perLabel: [{ label: HOSTILE, precision: 0.5, recall: 0.25, f1: 1 / 3, support: 4 }],
    }) as FakeElement;
    expectInert(table);
    expect(table.find((e) => e.tag === 'td').map((e) => e.textContent)).toEqual([HOSTILE, '50.0', '25.0', '33.3', '4']);

    const checkpoints = renderCheckpoints(doc, [{ step: 4, path: `/runs/${HOSTILE}/checkpoint-4`, name: HOSTILE, final: false }], { nerActions: true }) as FakeElement;
    expectInert(checkpoints);
    const actions = checkpoints.find((e) => e.getAttribute('data-action') !== undefined);
    expect(actions.map((e) => [e.getAttribute('data-action'), e.getAttribute('data-path')])).toEqual([
      ['useForNer', `/runs/${HOSTILE}/checkpoint-4`], ['export', `/runs/${HOSTILE}/checkpoint-4`],
    ]);
    expect(renderCheckpoints(doc, [{ step: 4, path: '/p', name: 'c', final: true }], { nerActions: false }).textContent).not.toContain('Use for NER');

    expectInert(renderNotices(doc, [{ level: 'error', text: HOSTILE }]) as FakeElement);
  });

  it('progress text names the state, the step and the ETA', () => {
    expect(progressText({ ...IDLE_JOB, status: 'running', step: 12, totalSteps: 40, epoch: 0.9, etaSeconds: 65 })).toBe('Training · step 12 / 40 · epoch 0.90 · ETA 1 min 05 s');
    expect(progressText({ ...IDLE_JOB, status: 'paused', step: 12, totalSteps: 40, epoch: 0.9, etaSeconds: 65 })).toBe('Paused · step 12 / 40 · epoch 0.90');
  });
});

describe('charts', () => {
  it('maps points into the plot box (y grows downwards)', () => {
    const box = { width: 110, height: 60, left: 10, right: 0, top: 10, bottom: 0 };
    const points: Point[] = [[0, 0], [50, 1], [100, 0.5]];
    expect(polylinePoints(points, extentOf([{ name: 's', className: 'c', points }])!, box)).toBe('10,60 60,10 110,35');
  });

  it('a chart reports how many points it plots, escapes its title, and says when it is empty', () => {
    const chart = lineChart(doc, { id: 'loss', title: HOSTILE, series: [{ name: 'loss', className: 'series-loss', points: [[1, 2], [2, 1], [3, 0.5]] }] }) as FakeElement;
    expect(chart.getAttribute('data-points')).toBe('3');
    expect(chart.find((e) => e.tag === 'polyline')[0]!.getAttribute('points')!.split(' ')).toHaveLength(3);
    expect(chart.find((e) => e.tag === 'img')).toEqual([]);
    const empty = lineChart(doc, { id: 'loss', title: 't', series: [{ name: 'loss', className: 'x', points: [] }], emptyText: 'nothing' }) as FakeElement;
    expect(empty.getAttribute('data-points')).toBe('0');
    expect(empty.textContent).toContain('nothing');
  });

  it('decimate keeps extremes and the last point of long series', () => {
    const points: Point[] = Array.from({ length: 10_000 }, (_, i) => [i, i === 5_000 ? 99 : Math.sin(i / 100)]);
    const thin = decimate(points, 300);
    expect(thin.length).toBeLessThanOrEqual(301);
    expect(thin.some(([x, y]) => x === 5_000 && y === 99)).toBe(true);
    expect(thin[thin.length - 1]).toEqual(points[points.length - 1]);
    for (let i = 1; i < thin.length; i++) expect(thin[i]![0]).toBeGreaterThan(thin[i - 1]![0]);
  });
});
