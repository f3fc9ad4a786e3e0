import { isHighSurrogate, isLowSurrogate } from './annotation';

/**
 * Converts offsets between UTF-16 code units (JavaScript, VS Code, our store) and Unicode code points
 * (Python `str` indices: Prodigy, spaCy, Label Studio). They differ only after characters outside the
 * Basic Multilingual Plane (emoji, some CJK), which take two UTF-16 units but one code point.
 */
export class OffsetConverter {
  /** codePointToUnit[cp] = UTF-16 offset of code point cp; undefined when the text has no pairs. */
  private readonly codePointToUnit: Int32Array | undefined;
  /** unitToCodePoint[u] = code point index at UTF-16 offset u, or -1 inside a pair. */
  private readonly unitToCodePoint: Int32Array | undefined;
  readonly codePointLength: number;

  constructor(readonly text: string) {
    let pairs = 0;
    for (let i = 0; i + 1 < text.length; i++) {
      if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
        pairs++;
        i++;
      }
    }
    this.codePointLength = text.length - pairs;
    if (pairs === 0) return;
    const toUnit = new Int32Array(this.codePointLength + 1);
    const toCodePoint = new Int32Array(text.length + 1).fill(-1);
    let cp = 0;
    for (let u = 0; u < text.length; u++, cp++) {
      toUnit[cp] = u;
      toCodePoint[u] = cp;
      if (isHighSurrogate(text.charCodeAt(u)) && u + 1 < text.length && isLowSurrogate(text.charCodeAt(u + 1))) u++;
    }
    toUnit[cp] = text.length;
    toCodePoint[text.length] = cp;
    this.codePointToUnit = toUnit;
    this.unitToCodePoint = toCodePoint;
  }

  /** UTF-16 offset → code point offset; undefined when out of range or between the halves of a pair. */
  toCodePoint(unit: number): number | undefined {
    if (!Number.isInteger(unit) || unit < 0 || unit > this.text.length) return undefined;
    if (!this.unitToCodePoint) return unit;
    const cp = this.unitToCodePoint[unit]!;
    return cp < 0 ? undefined : cp;
  }

  /** Code point offset → UTF-16 offset; undefined when out of range. */
  toUnit(codePoint: number): number | undefined {
    if (!Number.isInteger(codePoint) || codePoint < 0 || codePoint > this.codePointLength) return undefined;
    return this.codePointToUnit ? this.codePointToUnit[codePoint] : codePoint;
  }

  get hasAstralCharacters(): boolean {
    return this.codePointToUnit !== undefined;
  }
}

export type OffsetUnit = 'codepoint' | 'utf16';
