import { WeightsFormatError } from './zipReader';

/**
 * A pickle virtual machine that executes nothing. Python's unpickler imports any `module.name` a
 * pickle asks for and calls it (that is how `__reduce__` payloads run code); here a GLOBAL is
 * looked up in an allow-list the caller gives, and anything else is refused by name before the
 * next opcode runs. Calls (REDUCE, NEWOBJ, BUILD) only reach the caller's functions.
 */

export interface PickleGlobal {
  /** Called for REDUCE / NEWOBJ with the argument tuple. */
  call(args: unknown[]): unknown;
  /** Called for BUILD (setstate); default: ignore the state. */
  build?(target: unknown, state: unknown): unknown;
}

export interface UnpickleOptions {
  /** `module.name` → implementation; any other global is refused. */
  globals: ReadonlyMap<string, PickleGlobal>;
  /** BINPERSID: torch's storage references. */
  persistentLoad?(id: unknown): unknown;
  /** Named in error messages. */
  source: string;
}

/** Python tuples, so that callers can tell them from lists. */
export class PickleTuple extends Array<unknown> {}


export function unpickle(bytes: Uint8Array, options: UnpickleOptions, start = 0): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new WeightsFormatError(`${options.source}: ${what}`);
  };
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let at = start;
  const need = (n: number) => {
    if (at + n > bytes.byteLength) fail(`pickle cut short at byte ${at}`);
  };
  const u8 = () => { need(1); return bytes[at++]!; };
  const u16 = () => { need(2); const v = view.getUint16(at, true); at += 2; return v; };
  const u32 = () => { need(4); const v = view.getUint32(at, true); at += 4; return v; };
  const i32 = () => { need(4); const v = view.getInt32(at, true); at += 4; return v; };
  const raw = (n: number) => { need(n); const v = bytes.subarray(at, at + n); at += n; return v; };
  const text = (n: number) => new TextDecoder('utf-8', { fatal: false }).decode(raw(n));
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail(`pickle cut short at byte ${at} (line expected)`);
    const value = new TextDecoder().decode(bytes.subarray(at, end));
    at = end + 1;
    return value;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1]!)) fail(`pickle stack underflow at byte ${at}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail(`pickle stack underflow at byte ${at}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const mark = marks.pop();
    if (mark === undefined) fail(`pickle has no MARK at byte ${at}`);
    return stack.splice(mark!);
  };
  const resolveGlobal = (module: string, name: string) => {
    const key = `${module}.${name}`;
    const found = options.globals.get(key);
    if (!found) {
      fail(`refused to load the global "${key}": only PyTorch tensor data is read from pickles ` +
        '(a pickle may name any Python function to run; this one is not on the allow-list)');
    }
    return found;
  };
  const callable = (value: unknown): PickleGlobal => {
    if (typeof value === 'object' && value !== null && 'call' in value && typeof (value as PickleGlobal).call === 'function') return value as PickleGlobal;
    return fail(`pickle calls something that is not an allowed global at byte ${at}`);
  };
  const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : fail(`pickle expected a tuple at byte ${at}`));
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) fail(`pickle SETITEMS on a non-dict at byte ${at}`);
    if (items.length % 2) fail(`pickle SETITEMS with an odd item count at byte ${at}`);
    for (let i = 0; i < items.length; i += 2) (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || target instanceof PickleTuple) fail(`pickle APPEND on a non-list at byte ${at}`);
    (target as unknown[]).push(...items);
  };

  for (;;) {
    if (at >= bytes.byteLength) fail('pickle ends without STOP (truncated file?)');
    const op = bytes[at++]!;
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: raw(8); break; // FRAME: the length is advisory
      case 0x2e: return { value: pop(), end: at }; // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x29: stack.push(new PickleTuple()); break; // EMPTY_TUPLE
      case 0x85: stack.push(PickleTuple.from([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(PickleTuple.from([a, b])); break; }
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(PickleTuple.from([a, b, c])); break; }
      case 0x74: stack.push(PickleTuple.from(popMark())); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const item = pop(); append(top(), [item]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x64: { const items = popMark(); const map = new Map(); setItems(map, items); stack.push(map); break; } // DICT
      case 0x73: { const value = pop(); const key = pop(); setItems(top(), [key, value]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: stack.push(long(raw(u8()))); break; // LONG1
      case 0x8b: { const n = i32(); if (n < 0) fail('negative LONG4 length'); stack.push(long(raw(n))); break; }
      case 0x47: { need(8); stack.push(view.getFloat64(at, false)); at += 8; break; } // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: { need(8); const n = Number(view.getBigUint64(at, true)); at += 8; stack.push(text(n)); break; }
      case 0x55: stack.push(text(u8())); break; // SHORT_BINSTRING (py2 str: decoded as text)
      case 0x54: { const n = i32(); if (n < 0) fail('negative BINSTRING length'); stack.push(text(n)); break; }
      case 0x43: stack.push(raw(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(raw(u32()).slice()); break; // BINBYTES
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`pickle refers to memo ${key}, never stored`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: { const module = line(); const name = line(); stack.push(resolveGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(); const module = pop();
        if (typeof name !== 'string' || typeof module !== 'string') fail('STACK_GLOBAL with non-string names');
        stack.push(resolveGlobal(module as string, name as string));
        break;
      }
      case 0x52: { const args = asArray(pop()); const fn = callable(pop()); stack.push(fn.call(args)); break; } // REDUCE
      case 0x81: { const args = asArray(pop()); const cls = callable(pop()); stack.push(cls.call(args)); break; } // NEWOBJ
      case 0x62: { // BUILD
        const state = pop();
        const target = pop();
        const builder = typeof target === 'object' && target !== null && buildersOf.get(target);
        stack.push(builder && builder.build ? builder.build(target, state) : target);
        break;
      }
      case 0x51: { // BINPERSID
        const id = pop();
        if (!options.persistentLoad) fail('pickle has a persistent id but none is expected here');
        stack.push(options.persistentLoad!(id));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at - 1}`);
    }
  }
}

/** Objects made by an allowed global remember it, so that BUILD can reach its `build`. */
export const buildersOf = new WeakMap<object, PickleGlobal>();

/** A little-endian two's-complement integer (LONG1/LONG4): a number when safe, else a bigint. */
function long(digits: Uint8Array): number | bigint {
  if (digits.length === 0) return 0;
  let value = 0n;
  for (let i = digits.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(digits[i]!);
  if (digits[digits.length - 1]! & 0x80) value -= 1n << BigInt(8 * digits.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
