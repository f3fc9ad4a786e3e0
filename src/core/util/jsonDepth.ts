/**
 * Nesting limit for user JSON. JSON.parse accepts any depth, but JSON.stringify, structuredClone and
 * any recursive walk overflow the stack a few thousand levels down (issue 16: a store line nested
 * 5,000 deep made every later save throw RangeError). Records deeper than this are rejected on read.
 */
export const MAX_JSON_DEPTH = 1000;

/** Whether `value` nests arrays/objects deeper than `limit`; iterative, so any depth is safe to check. */
export function exceedsJsonDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: item, depth } = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item as object)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/** A shallow copy of `object` without the keys whose values nest deeper than `limit`, and those keys. */
export function withoutDeepValues(object: Record<string, unknown>, limit = MAX_JSON_DEPTH): { kept: Record<string, unknown>; dropped: string[] } {
  const kept: Record<string, unknown> = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    if (exceedsJsonDepth(value, limit)) dropped.push(key);
    else kept[key] = value;
  }
  return { kept, dropped };
}
