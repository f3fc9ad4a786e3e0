/**
 * Where JSON text first breaks the grammar. Node 20's JSON.parse names no position for most errors
 * ("Unexpected token '}', ... is not valid JSON"), so messages about a bad file could only say line 0;
 * this small iterative checker (any depth is safe) finds the offset, from which callers give a line.
 */

const enum Expect {
  Value,
  ValueOrArrayEnd,
  KeyOrObjectEnd,
  Key,
  Colon,
  CommaOrObjectEnd,
  CommaOrArrayEnd,
  Nothing,
}

const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Index just past the number at `start`, or (−1 − offset) of the character where a digit was required. */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else return -1 - i;
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return -1 - i;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    if (!isDigit(text.charCodeAt(i))) return -1 - i;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** Index just past the string literal opening at `start`, or the negated (−1 − offset) offset of its first error. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -1 - i;
    if (code === 0x5c) {
      const next = text[i + 1];
      // As V8: the error is at the character after the backslash, or at the first non-hex digit of \u.
      if (next === 'u') {
        for (let k = i + 2; k < i + 6; k++) if (!/[0-9a-fA-F]/.test(text[k] ?? '')) return -1 - Math.min(k, text.length);
        i += 5;
      } else if (next !== undefined && ESCAPES.has(next)) i++;
      else return -1 - Math.min(i + 1, text.length);
    }
  }
  return -1 - text.length;
}

/** Offset of the first syntax error in `text` (text.length when it ends too early); undefined when it is valid JSON. */
export function jsonSyntaxErrorOffset(text: string): number | undefined {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < text.length && isSpace(text.charCodeAt(start))) start++;
  const end = jsonValueEnd(text, start);
  if (end < 0) return -1 - end;
  let rest = end;
  while (rest < text.length && isSpace(text.charCodeAt(rest))) rest++;
  return rest < text.length ? rest : undefined;
}

/**
 * Index just past the one JSON value that starts at `start` (the grammar checked all the way), or
 * (−1 − offset) of its first syntax error. A broken value is found where it breaks, not at the end
 * of the text as a bracket count would: resynchronising after it stays cheap.
 */
export function jsonValueEnd(text: string, start: number): number {
  const containers: boolean[] = []; // true: object, false: array
  let expect = Expect.Value;
  let i = start;
  const afterValue = (): Expect =>
    containers.length === 0 ? Expect.Nothing : containers[containers.length - 1] ? Expect.CommaOrObjectEnd : Expect.CommaOrArrayEnd;
  for (;;) {
    if (expect === Expect.Nothing) return i;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return -1 - text.length;
    const c = text[i]!;
    switch (expect) {
      case Expect.Colon:
        if (c !== ':') return -1 - i;
        i++;
        expect = Expect.Value;
        continue;
      case Expect.CommaOrObjectEnd:
      case Expect.CommaOrArrayEnd: {
        const close = expect === Expect.CommaOrObjectEnd ? '}' : ']';
        if (c === ',') expect = expect === Expect.CommaOrObjectEnd ? Expect.Key : Expect.Value;
        else if (c === close) {
          containers.pop();
          expect = afterValue();
        } else return -1 - i;
        i++;
        continue;
      }
      case Expect.KeyOrObjectEnd:
      case Expect.Key: {
        if (c === '}' && expect === Expect.KeyOrObjectEnd) {
          containers.pop();
          expect = afterValue();
          i++;
          continue;
        }
        if (c !== '"') return -1 - i;
        const end = stringEnd(text, i);
        if (end < 0) return end;
        i = end;
        expect = Expect.Colon;
        continue;
      }
      case Expect.Value:
      case Expect.ValueOrArrayEnd: {
        if (c === ']' && expect === Expect.ValueOrArrayEnd) {
          containers.pop();
          expect = afterValue();
          i++;
          continue;
        }
        if (c === '{' || c === '[') {
          containers.push(c === '{');
          expect = c === '{' ? Expect.KeyOrObjectEnd : Expect.ValueOrArrayEnd;
          i++;
          continue;
        }
        if (c === '"') {
          const end = stringEnd(text, i);
          if (end < 0) return end;
          i = end;
        } else if (c === 't' || c === 'f' || c === 'n') {
          // As V8: the error is at the first character that departs from the literal.
          const word = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
          for (let k = 1; k < word.length; k++) if (text[i + k] !== word[k]) return -1 - Math.min(i + k, text.length);
          i += word.length;
        } else {
          const end = numberEnd(text, i);
          if (end < 0) return end;
          i = end;
        }
        expect = afterValue();
        continue;
      }
    }
  }
}

/**
 * Where and why `text` is not JSON, for a message: `line:column` and the offending character, never
 * more of the text. V8's own message quotes a stretch of the input, which for a config.json that is a
 * symlink to /etc/passwd put "root:x:0:0" into the error (issue 16).
 */
export function jsonErrorLocation(text: string): { line: number; column: number; problem: string } {
  const offset = jsonSyntaxErrorOffset(text) ?? text.length;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const problem = offset >= text.length ? 'the text ends too early' : `unexpected ${safeCharacter(text.charCodeAt(offset))}`;
  return { line, column: offset - lineStart + 1, problem };
}

/** One character as a message may show it: printable ASCII in quotes, anything else as U+XXXX. */
function safeCharacter(code: number): string {
  return code > 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
