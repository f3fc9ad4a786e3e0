/*
 * Line charts drawn by hand in SVG (loss, learning rate, dev F1, the LR preview): a polyline per
 * series, the extremes of each axis as labels. Pure functions plus one builder over DomLike.
 */
import { svg, type DomLike, type ElementLike } from './dom';

export type Point = readonly [number, number];

export interface Series {
  name: string;
  /** CSS class of the line (its colour comes from the stylesheet, in theme colours). */
  className: string;
  points: readonly Point[];
}

export interface Box {
  width: number;
  height: number;
  /** Room for axis labels. */
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_BOX: Box = { width: 320, height: 120, left: 46, right: 8, top: 16, bottom: 18 };

export interface Extent {
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

export function extentOf(series: readonly Series[], options: { yFromZero?: boolean } = {}): Extent | undefined {
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = options.yFromZero ? 0 : Infinity;
  let yMax = -Infinity;
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      xMin = Math.min(xMin, x);
      xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y);
      yMax = Math.max(yMax, y);
    }
  }
  if (xMax === -Infinity) return undefined;
  return { xMin, xMax, yMin, yMax };
}

/** The `points` attribute of a polyline: data coordinates mapped into the box (y grows downwards). */
export function polylinePoints(points: readonly Point[], extent: Extent, box: Box = DEFAULT_BOX): string {
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const xSpan = extent.xMax - extent.xMin;
  const ySpan = extent.yMax - extent.yMin;
  return points
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    .map(([x, y]) => {
      const px = box.left + (xSpan > 0 ? ((x - extent.xMin) / xSpan) * plotW : plotW / 2);
      const py = box.top + (ySpan > 0 ? (1 - (y - extent.yMin) / ySpan) * plotH : plotH / 2);
      return `${round(px)},${round(py)}`;
    })
    .join(' ');
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Short labels: 5.00e-5 for learning rates, 0.412 for losses, 12 for steps. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential(2).replace('e+', 'e');
  return value.toPrecision(3);
}

export interface ChartOptions {
  /** Identifies the chart for the stylesheet and the tests (data-chart). */
  id: string;
  title: string;
  series: readonly Series[];
  box?: Box;
  yFromZero?: boolean;
  /** Shown instead of lines while there are no points. */
  emptyText?: string;
  /** Steps (x) where a marker line is drawn, e.g. the end of warmup. */
  markers?: readonly number[];
}

/** An <svg> line chart; `data-points` holds the number of plotted points (what the e2e test reads). */
export function lineChart(doc: DomLike, options: ChartOptions): ElementLike {
  const box = options.box ?? DEFAULT_BOX;
  const extent = extentOf(options.series, { yFromZero: options.yFromZero });
  const plotted = options.series.reduce((n, s) => n + s.points.length, 0);
  const root = svg(doc, 'svg', {
    class: 'chart', 'data-chart': options.id, 'data-points': extent ? plotted : 0,
    viewBox: `0 0 ${box.width} ${box.height}`, role: 'img', 'aria-label': options.title,
  });
  root.appendChild(svg(doc, 'text', { class: 'chart-title', x: box.left, y: 11 }, options.title));
  root.appendChild(svg(doc, 'rect', {
    class: 'chart-frame', x: box.left, y: box.top, width: box.width - box.left - box.right, height: box.height - box.top - box.bottom,
  }));
  if (!extent) {
    root.appendChild(svg(doc, 'text', { class: 'chart-empty', x: box.width / 2, y: box.height / 2, 'text-anchor': 'middle' }, options.emptyText ?? 'no data yet'));
    return root;
  }
  const bottom = box.height - box.bottom;
  root.appendChild(svg(doc, 'text', { class: 'chart-axis', x: box.left - 3, y: box.top + 8, 'text-anchor': 'end' }, formatNumber(extent.yMax)));
  root.appendChild(svg(doc, 'text', { class: 'chart-axis', x: box.left - 3, y: bottom, 'text-anchor': 'end' }, formatNumber(extent.yMin)));
  root.appendChild(svg(doc, 'text', { class: 'chart-axis', x: box.left, y: box.height - 4 }, formatNumber(extent.xMin)));
  root.appendChild(svg(doc, 'text', { class: 'chart-axis', x: box.width - box.right, y: box.height - 4, 'text-anchor': 'end' }, formatNumber(extent.xMax)));
  for (const marker of options.markers ?? []) {
    if (marker <= extent.xMin || marker >= extent.xMax) continue;
    const [x] = polylinePoints([[marker, extent.yMin]], extent, box).split(',');
    root.appendChild(svg(doc, 'line', { class: 'chart-marker', x1: x, x2: x, y1: box.top, y2: bottom }));
  }
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const line = svg(doc, 'polyline', { class: `chart-line ${series.className}`, points: polylinePoints(series.points, extent, box), 'data-series': series.name });
    line.appendChild(svg(doc, 'title', {}, series.name));
    root.appendChild(line);
  }
  return root;
}

/** Up to `max` points of a long series for drawing: for each bucket its first, lowest and highest point (keeps restarts and spikes visible). */
export function decimate(points: readonly Point[], max = 400): Point[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor(max / 3));
  const size = points.length / buckets;
  const result: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    let low = slice[0]!;
    let high = slice[0]!;
    for (const p of slice) {
      if (p[1] < low[1]) low = p;
      if (p[1] > high[1]) high = p;
    }
    const picked = [slice[0]!, low, high].filter((p, i, all) => all.indexOf(p) === i).sort((a, b2) => a[0] - b2[0]);
    result.push(...picked);
  }
  const last = points[points.length - 1]!;
  if (result[result.length - 1] !== last) result.push(last);
  return result;
}
