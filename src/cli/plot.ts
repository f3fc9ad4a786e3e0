/**
 * A line chart in Unicode braille (each character cell holds 2×4 dots), with a labelled y axis on the
 * left and the first and last x values underneath. Used by `bert-lens schedule` to draw a curve.
 */

export interface PlotOptions {
  /** Chart width in character cells (default 60; fewer when there are fewer points than dot columns). */
  width?: number;
  /** Chart height in character cells (default 12). */
  height?: number;
  formatY?: (value: number) => string;
  /** Label of the first and last x position; default the point index. */
  formatX?: (index: number) => string;
}

const BRAILLE_BASE = 0x2800;
// Bit of the dot at (column, row) inside one braille cell, rows counted from the top.
const DOT_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
] as const;

export function plotLine(values: readonly number[], options: PlotOptions = {}): string {
  if (values.length === 0) return '(no points)\n';
  const formatY = options.formatY ?? ((v: number) => v.toPrecision(3));
  const formatX = options.formatX ?? ((i: number) => String(i));
  const width = Math.max(1, Math.min(options.width ?? 60, Math.ceil(values.length / 2)));
  const height = Math.max(2, options.height ?? 12);
  const dotsX = width * 2;
  const dotsY = height * 4;

  const yMin = Math.min(0, ...values);
  const yMax = Math.max(...values);
  const span = yMax > yMin ? yMax - yMin : 1;
  const rowOf = (v: number) => dotsY - 1 - Math.round(((v - yMin) / span) * (dotsY - 1));

  const cells: number[][] = Array.from({ length: height }, () => new Array<number>(width).fill(0));
  const setDot = (x: number, y: number) => {
    cells[Math.floor(y / 4)]![Math.floor(x / 2)]! |= DOT_BITS[x % 2]![y % 4]!;
  };
  let previousRow: number | undefined;
  for (let x = 0; x < dotsX; x++) {
    const index = dotsX === 1 ? 0 : Math.round((x * (values.length - 1)) / (dotsX - 1));
    const row = rowOf(values[index]!);
    // Join to the previous column so that steep ramps read as a line, not scattered dots.
    const from = previousRow === undefined || previousRow === row ? row : previousRow < row ? previousRow + 1 : previousRow - 1;
    for (let y = Math.min(from, row); y <= Math.max(from, row); y++) setDot(x, y);
    previousRow = row;
  }

  const topLabel = formatY(yMax);
  const bottomLabel = formatY(yMin);
  const labelWidth = Math.max(topLabel.length, bottomLabel.length);
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const label = r === 0 ? topLabel : r === height - 1 ? bottomLabel : '';
    const tick = r === 0 || r === height - 1 ? '┤' : '│';
    lines.push(`${label.padStart(labelWidth)} ${tick}${cells[r]!.map((bits) => String.fromCharCode(BRAILLE_BASE + bits)).join('')}`);
  }
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(width)}`);
  const first = formatX(0);
  const last = formatX(values.length - 1);
  const gap = Math.max(1, width + 1 - first.length - last.length);
  lines.push(`${' '.repeat(labelWidth + 1)}${values.length === 1 ? first : first + ' '.repeat(gap) + last}`);
  return lines.join('\n') + '\n';
}
