import { describe, expect, it } from 'vitest';
import { decimate, extentOf, lineChart, polylinePoints, type Point } from '../../../webview/charts';
import { h, svg } from '../../../webview/dom';
import {
  confusionLevel, formatBytes, renderCheckpoints, renderConfusionMatrix, renderDataset, renderMetricsTable, renderNotices, renderOverfitting,
  renderRuns, renderStatus, progressText,
} from '../../../webview/views';
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
      perLabel: [{ label: HOSTILE, precision: 0.5, recall: 0.25, f1: 1 / 3, support: 4 }], confusion: null,
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

describe('confusion matrix, runs, best checkpoint, compact status', () => {
  it('the confusion matrix is labels × labels of counts; hostile labels stay header text', () => {
    const labels = ['O', `B-${HOSTILE}`, HOSTILE];
    const root = renderConfusionMatrix(doc, { labels, counts: [[8, 2, 0], [1, 3, 0], [0, 0, 0]] }, 12) as FakeElement;
    expectInert(root);
    const headers = root.find((e) => e.tag === 'th');
    expect(headers.filter((e) => e.getAttribute('class') === 'confusion-predicted').map((e) => e.textContent)).toEqual(labels);
    expect(headers.filter((e) => e.getAttribute('class') === 'confusion-gold').map((e) => e.textContent)).toEqual(labels);
    const rows = root.find((e) => e.tag === 'tr').slice(1).map((tr) => tr.find((e) => e.tag === 'td').map((td) => td.textContent));
    expect(rows).toEqual([['8', '2', '0'], ['1', '3', '0'], ['0', '0', '0']]);
    const cells = root.find((e) => e.tag === 'td');
    // Diagonal and off-diagonal cells are told apart, each tinted by its share of the gold row.
    expect(cells[0]!.getAttribute('class')).toBe('num cm-cell cm-diagonal cm-level-4');
    expect(cells[1]!.getAttribute('class')).toBe('num cm-cell cm-off cm-level-1');
    expect(cells[8]!.getAttribute('class')).toBe('num cm-cell cm-diagonal cm-level-0');
    expect(root.find((e) => e.getAttribute('class') === 'confusion-caption')[0]!.textContent).toContain('at step 12');
    expect(renderConfusionMatrix(doc, null).textContent).toMatch(/after the first evaluation/);
  });

  it('confusionLevel buckets a count by its share of the row', () => {
    expect([0, 1, 25, 26, 50, 51, 75, 76, 100].map((n) => confusionLevel(n, 100))).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(confusionLevel(3, 0)).toBe(0);
  });

  it('the best checkpoint carries a badge, and the final model does when load_best_model_at_end gave it those weights', () => {
    const list = [
      { step: 4, path: '/r/checkpoint-4', name: 'checkpoint-4', final: false },
      { step: 8, path: '/r/checkpoint-8', name: 'checkpoint-8', final: false },
      { step: 8, path: '/r', name: 'final model', final: true },
    ];
    const best = { path: '/r/checkpoint-4', metric: 'score', value: 0.75 };
    const marked = (root: FakeElement): string[] => root.find((e) => e.getAttribute('data-best') !== undefined).map((e) => e.getAttribute('data-step') + (e.getAttribute('data-final') === '' ? ' final' : ''));
    expect(marked(renderCheckpoints(doc, list, { nerActions: true, best, loadBestAtEnd: true }) as FakeElement)).toEqual(['8 final', '4']);
    expect(marked(renderCheckpoints(doc, list, { nerActions: true, best, loadBestAtEnd: false }) as FakeElement)).toEqual(['4']);
    expect(marked(renderCheckpoints(doc, list, { nerActions: true, best: null, loadBestAtEnd: true }) as FakeElement)).toEqual([]);
  });

  it('runs show disk use and the best checkpoint; Delete run is disabled for the training run; names stay text', () => {
    const runs = [
      { name: HOSTILE, path: `/runs/${HOSTILE}`, diskBytes: 3 * 2 ** 20, bestCheckpoint: `/runs/${HOSTILE}/checkpoint-4`, nerModel: `/runs/${HOSTILE}`, checkpoints: ['checkpoint-4'], training: false },
      { name: 'now', path: '/runs/now', diskBytes: 512, bestCheckpoint: null, nerModel: null, checkpoints: [], training: true },
    ];
    const root = renderRuns(doc, runs, { nerActions: true }) as FakeElement;
    expectInert(root);
    expect(root.find((e) => e.getAttribute('class') === 'runs-caption')[0]!.textContent).toBe('2 runs on disk · 3.0 MiB');
    const details = root.find((e) => e.getAttribute('class') === 'run-details').map((e) => e.textContent);
    expect(details).toEqual(['3.0 MiB · 1 checkpoint · best checkpoint-4', '512 B · 0 checkpoints · training now']);
    const actions = root.find((e) => e.getAttribute('data-action') !== undefined).map((e) => [e.getAttribute('data-action'), e.getAttribute('data-path'), e.getAttribute('disabled') ?? null]);
    expect(actions).toEqual([
      ['useRunForNer', `/runs/${HOSTILE}`, null], ['deleteRun', `/runs/${HOSTILE}`, null], ['deleteRun', '/runs/now', ''],
    ]);
    expect(renderRuns(doc, [], { nerActions: true }).textContent).toMatch(/No runs/);
    expect([0, 1023, 1024, 1536, 5 * 2 ** 30].map(formatBytes)).toEqual(['0 B', '1023 B', '1.0 KiB', '1.5 KiB', '5.0 GiB']);
  });

  it('the overfitting warning and the compact status are text', () => {
    const warning = renderOverfitting(doc, `warning: dev score got worse ${HOSTILE}`) as FakeElement;
    expectInert(warning);
    expect(warning.getAttribute('data-warning')).toBe('overfitting');
    expect(renderOverfitting(doc, null).textContent).toBe('');
    const status = renderStatus(doc, {
      ...IDLE_JOB, status: 'done', outputDir: `/runs/${HOSTILE}`, step: 8, totalSteps: 8, epoch: 2,
      evals: [{ step: 8, epoch: 2, score: 0.5, metrics: [{ name: 'f1', value: 0.5 }], perLabel: [], confusion: null }],
      best: { path: `/runs/${HOSTILE}/checkpoint-4`, metric: 'score', value: 0.6 }, diskBytes: 2 ** 20, overfitting: null,
    }) as FakeElement;
    expectInert(status);
    expect(status.textContent).toContain('Dev at step 8: f1 50.0');
    expect(status.textContent).toContain('Best checkpoint: checkpoint-4');
    expect(status.textContent).toContain('On disk: 1.0 MiB');
    expect(status.find((e) => e.getAttribute('data-action') === 'openPanel')).toHaveLength(1);
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
